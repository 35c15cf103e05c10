package org.chemfit.testfixtures;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.chemfit.external.Programs;
import org.junit.jupiter.api.Assumptions;

/** What the GROMACS integration tests need of this machine beyond GROMACS being installed. */
public final class Gromacs {

    private Gromacs() {}

    /**
     * Aborts the calling test, as skipped with the reason, when this machine's GROMACS cannot run
     * a simulation at all: a build that times itself with the {@code rdtscp} instruction (Debian's
     * does) stops every {@code mdrun} with a fatal error on a CPU that does not announce it (some
     * virtual machines hide it), before any step. Nothing of ChemFit is tested on such a machine.
     *
     * @throws IOException when GROMACS or the CPU's flags cannot be read
     * @throws InterruptedException when interrupted while GROMACS says its version
     */
    public static void assumeMdrunRunsHere() throws IOException, InterruptedException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return;
        }
        boolean cpuHasRdtscp = Files.readAllLines(cpuinfo).stream()
                .filter(l -> l.startsWith("flags"))
                .anyMatch(l -> List.of(l.split("\\s+")).contains("rdtscp"));
        if (cpuHasRdtscp) {
            return;
        }
        String gmx = Programs.firstOnPath(List.of("gmx", "gmx_mpi", "gmx_d"));
        Process p =
                new ProcessBuilder(gmx, "-version").redirectErrorStream(true).start();
        String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        boolean usesRdtscp = version.lines().anyMatch(l -> l.matches("RDTSCP usage:\\s+enabled"));
        Assumptions.assumeFalse(
                usesRdtscp,
                gmx + " was built to use the rdtscp instruction, which this CPU does not announce:"
                        + " its mdrun stops with a fatal error here");
    }
}

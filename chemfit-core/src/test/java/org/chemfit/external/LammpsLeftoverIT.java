package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's plain {@code lmp}, built with Open MPI and started as a singleton without the settings
 * of {@link Argon#lammps}, starts an {@code orted} daemon that exits by itself a moment after
 * {@code lmp}: it is not taken for a process left running, and nothing is warned of.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LammpsLeftoverIT {

    @TempDir
    Path work;

    @Test
    void theDaemonOfAPlainSingletonLmpIsNotReportedAsLeftRunning() {
        TestSupport.requireLammps();
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("fcc")
                .workDirectory(work)
                .template("in.lammps", TestSupport.resource("/external/lammps/in.fcc"))
                .command("lmp", "-in", "in.lammps", "-log", "log.lammps", "-screen", "none", "-nocite")
                .logFile("log.lammps")
                .timeout(Duration.ofSeconds(60))
                .output(OutputParsers.lammpsThermo("energy", "log.lammps", "PotEng")
                        .last())
                .build();
        Parameters p = Argon.parameters(Argon.EPSILON, Argon.SIGMA);
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            for (int i = 1; i <= 3; i++) {
                c.compute(p, new EvaluationContext(p, "e" + i));
            }
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertFalse(log.contains("running after"), log);
        assertEquals(0, c.leftRunningWarnings.runs("fcc", "lmp -in in.lammps -log log.lammps -screen none -nocite"));
    }
}

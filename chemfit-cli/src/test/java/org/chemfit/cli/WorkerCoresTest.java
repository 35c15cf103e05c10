package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * More workers than cores for terms computed in the chemfit process only share the cores: validate
 * and fit warn of it, at the job file's line or naming --workers; a job whose terms run programs
 * is not warned of, since workers that wait for programs may well outnumber the cores.
 */
class WorkerCoresTest {

    @TempDir
    Path dir;

    /** This machine's cores, as the commands count them. */
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    /** A job of one Lennard-Jones term over three dimers, with these lines at its end (from line 9 on). */
    private Path atomsJob(String... rest) throws IOException {
        StringBuilder csv = new StringBuilder("file,reference_energy\n");
        double[] distances = {3.6, 3.9, 4.4};
        for (int i = 0; i < distances.length; i++) {
            String name = "d" + i + ".xyz";
            Files.writeString(dir.resolve(name), "2\n\nAr 0 0 0\nAr 0 0 " + distances[i] + "\n");
            csv.append(name).append(',').append(-0.01 * (i + 1)).append('\n');
        }
        Files.writeString(dir.resolve("ref.csv"), csv.toString());
        List<String> lines = new java.util.ArrayList<>(List.of(
                "parameters:",
                "  eps: {initial: 0.01, bounds: [0.001, 0.1]}",
                "  sigma: {initial: 3.4, bounds: [3.0, 4.0]}",
                "terms:",
                "  - name: dimers",
                "    kind: atoms",
                "    reference: ref.csv",
                "    potential: {form: lennard_jones, epsilon: eps, sigma: sigma}"));
        lines.addAll(List.of(rest));
        lines.add("");
        Path job = dir.resolve("job.yaml");
        Files.writeString(job, String.join("\n", lines));
        return job;
    }

    /** The warning about the workers of an atoms job, as the commands word it. */
    private static String atomsWarning(String given, int cores, String advice) {
        return given + " more than this machine's " + cores + (cores == 1 ? " core" : " cores")
                + ", and every term of the job is computed in this process (atoms terms, each keeping a core busy"
                + " while it runs): workers beyond the cores only add switching between them, not speed; give "
                + advice + cores + " (or fewer)";
    }

    @Test
    void moreWorkersThanCoresForInProcessTermsAreWarnedOfAtTheirLine() throws IOException {
        Path job = atomsJob("execution:", "  workers: 8");
        JobFile jf = JobFile.read(job);
        assertEquals(
                atomsWarning(job + ":10:12: execution workers is 8,", 2, "workers: "),
                WorkerCores.warning(8, jf.execution().workersAt(), jf, 2));
        assertEquals(atomsWarning("--workers 8 is", 1, "--workers "), WorkerCores.warning(8, null, jf, 1));
        // as many workers as cores, or fewer: nothing to say
        assertNull(WorkerCores.warning(8, jf.execution().workersAt(), jf, 8));
        assertNull(WorkerCores.warning(2, null, jf, 4));
    }

    @Test
    void aCrystalTermIsNamedAsSuch() throws IOException {
        Path job = atomsJob(
                "validation:",
                "  - name: cell",
                "    kind: crystal",
                "    structure: fcc.xyz",
                "    formula_units: 4",
                "    potential: {form: lennard_jones, epsilon: eps, sigma: sigma, cutoff: 8.5}",
                "    reference: {lattice_constant: 5.3}");
        Files.writeString(
                dir.resolve("fcc.xyz"),
                "4\nLattice=\"5.3 0 0 0 5.3 0 0 0 5.3\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n"
                        + "Ar 0 0 0\nAr 0 2.65 2.65\nAr 2.65 0 2.65\nAr 2.65 2.65 0\n");
        JobFile jf = JobFile.read(job);
        String w = WorkerCores.warning(4, null, jf, 2);
        assertEquals(
                atomsWarning("--workers 4 is", 2, "--workers ").replace("(atoms terms,", "(atoms and crystal terms,"),
                w);
    }

    @Test
    void aJobWhoseTermsRunProgramsIsNotWarnedOf() throws IOException {
        Path job = atomsJob(
                "validation:",
                "  - name: sim",
                "    kind: external",
                "    command: [sh, -c, 'echo 1 > out.txt']",
                "    outputs: {energy: {parser: regex, file: out.txt, pattern: '(\\S+)'}}",
                "    reference: {energy: 1.0}",
                "execution: {workers: 64}");
        JobFile jf = JobFile.read(job);
        assertNull(WorkerCores.warning(64, jf.execution().workersAt(), jf, 2));
    }

    @Test
    void validateWarnsWithThisMachinesCores() throws IOException {
        int workers = CORES + 1;
        Path job = atomsJob("execution:", "  workers: " + workers);
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals(
                List.of("warning: "
                        + atomsWarning(job + ":10:12: execution workers is " + workers + ",", CORES, "workers: ")),
                r.err().lines().filter(l -> l.startsWith("warning: ")).toList(),
                r::toString);
        // the job's own workers within the cores: not a word
        Files.writeString(job, Files.readString(job).replace("workers: " + workers, "workers: " + CORES));
        Cli.Run within = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, within.code(), within::toString);
        assertTrue(within.err().lines().noneMatch(l -> l.startsWith("warning: ")), within::toString);
    }

    @Test
    void fitWarnsOfTheWorkersItRunsOn() throws IOException {
        int workers = CORES + 1;
        // the file's workers are too many, but --workers decides: it is what fit warns of, or not
        Path job = atomsJob("optimizer: {max_evaluations: 3}", "execution: {workers: " + workers + "}");
        Cli.Run over = Cli.run(
                "fit",
                job.toString(),
                "-o",
                dir.resolve("a").toString(),
                "--workers",
                Integer.toString(workers),
                "--progress",
                "none",
                "--no-plots");
        assertEquals(ExitCodes.OK, over.code(), over::toString);
        assertEquals(
                List.of("warning: " + atomsWarning("--workers " + workers + " is", CORES, "--workers ")),
                over.err().lines().filter(l -> l.startsWith("warning: ")).toList(),
                over::toString);
        Cli.Run fromFile =
                Cli.run("fit", job.toString(), "-o", dir.resolve("b").toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.OK, fromFile.code(), fromFile::toString);
        assertEquals(
                List.of("warning: "
                        + atomsWarning(job + ":10:22: execution workers is " + workers + ",", CORES, "workers: ")),
                fromFile.err().lines().filter(l -> l.startsWith("warning: ")).toList(),
                fromFile::toString);
        Cli.Run one = Cli.run(
                "fit",
                job.toString(),
                "-o",
                dir.resolve("c").toString(),
                "--workers",
                "1",
                "--progress",
                "none",
                "--no-plots");
        assertEquals(ExitCodes.OK, one.code(), one::toString);
        assertTrue(one.err().lines().noneMatch(l -> l.startsWith("warning: ")), one::toString);
    }
}

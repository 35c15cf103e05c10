package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * More busy workers than cores for terms computed in the chemfit process only share the cores: validate
 * and fit warn of it, at the job file's line or naming --workers; a job whose terms run programs
 * is not warned of, since workers that wait for programs may well outnumber the cores. The tests of
 * the commands fix the cores they are compared with ({@link WorkerCores#fixCores}), so that they
 * assert the same on a machine of any number of cores.
 */
@SuppressWarnings("try") // a fixed core count is a resource the commands use, not the try's body
class WorkerCoresTest {

    @TempDir
    Path dir;

    /** A job of one Lennard-Jones term over three dimers, with these lines at its end (from line 9 on). */
    private Path atomsJob(String... rest) throws IOException {
        return atomsJob(3, rest);
    }

    /** A job of one Lennard-Jones term over this many dimers, with these lines at its end (from line 9 on). */
    private Path atomsJob(int dimers, String... rest) throws IOException {
        StringBuilder csv = new StringBuilder("file,reference_energy\n");
        for (int i = 0; i < dimers; i++) {
            String name = "d" + i + ".xyz";
            Files.writeString(dir.resolve(name), "2\n\nAr 0 0 0\nAr 0 0 " + (3.6 + 0.1 * i) + "\n");
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

    /**
     * The warning about the workers of a job of in-process terms, as the commands word it.
     *
     * @param given where the workers are given, with their number
     * @param what the fit's tasks at one point
     * @param points the points one round of the method asks for
     * @param method the method
     * @param busy how many workers can be busy
     * @param workers the workers
     * @param cores the machine's cores
     * @param advice the key or option advised
     * @param kinds the kinds of the fit's terms
     */
    private static String warning(
            String given,
            int tasks,
            String what,
            int points,
            String method,
            int busy,
            int workers,
            int cores,
            String advice,
            String kinds) {
        String c = cores + (cores == 1 ? " core" : " cores");
        return given + ", and the fit has " + tasks * points + (tasks * points == 1 ? " task" : " tasks")
                + " to run at once (" + what
                + (points == 1
                        ? ", at the one point " + method + " asks for at a time"
                        : ", at each of the " + points + " points " + method + " asks for at once")
                + "): " + (busy == workers ? "all " + workers + " workers" : busy + " of the " + workers + " workers")
                + " can be busy, more than this machine's " + c + "; every term of the job is computed in this"
                + " process (" + kinds + ", each task keeping a core busy while it runs), so workers beyond the"
                + " cores only add switching between them, not speed: on this machine (" + c + ") give " + advice
                + cores;
    }

    /** The warning about an atoms job of Nelder-Mead with this many structures. */
    private static String atomsWarning(String given, int structures, int workers, int cores, String advice) {
        return warning(
                given,
                structures,
                structures + (structures == 1 ? " structure" : " structures") + " of its atoms terms",
                1,
                "Nelder-Mead",
                Math.min(workers, structures),
                workers,
                cores,
                advice,
                "atoms terms");
    }

    @Test
    void moreBusyWorkersThanCoresForInProcessTermsAreWarnedOfAtTheirLine() throws IOException {
        // three structures at one point at a time: three workers of the eight can be busy
        Path job = atomsJob("execution:", "  workers: 8");
        JobFile jf = JobFile.read(job);
        assertEquals(
                atomsWarning(job + ":10:12: execution workers is 8", 3, 8, 2, "workers: "),
                WorkerCores.warning(8, jf.execution().workersAt(), jf, 400, 2));
        assertEquals(atomsWarning("--workers 8", 3, 8, 1, "--workers "), WorkerCores.warning(8, null, jf, 400, 1));
        assertEquals(atomsWarning("--workers 3", 3, 3, 2, "--workers "), WorkerCores.warning(3, null, jf, 400, 2));
        // three cores or more keep the three busy workers: nothing to say, whatever the workers
        assertNull(WorkerCores.warning(8, jf.execution().workersAt(), jf, 400, 3));
        assertNull(WorkerCores.warning(8, jf.execution().workersAt(), jf, 400, 8));
        assertNull(WorkerCores.warning(2, null, jf, 400, 4));
    }

    @Test
    void theStructuresAreCountedFromTheRowsTheJobReaderRead() throws IOException {
        Path job = atomsJob("execution:", "  workers: 8");
        JobFile jf = JobFile.read(job);
        assertEquals(3, jf.referenceRows().get(dir.resolve("ref.csv")));
        // the CSV is not read again: a file gone or edited since the job was read changes nothing
        Files.writeString(dir.resolve("ref.csv"), "file,reference_energy\nd0.xyz,-0.01\n");
        assertEquals(
                atomsWarning(job + ":10:12: execution workers is 8", 3, 8, 2, "workers: "),
                WorkerCores.warning(8, jf.execution().workersAt(), jf, 400, 2));
        Files.delete(dir.resolve("ref.csv"));
        assertEquals(atomsWarning("--workers 8", 3, 8, 1, "--workers "), WorkerCores.warning(8, null, jf, 400, 1));
    }

    @Test
    void fewerTasksThanWorkersWithNelderMeadAreNotWarnedOf() throws IOException {
        // one structure, one point at a time: one worker is busy, however many there are
        Path job = atomsJob(1, "optimizer: {method: Nelder-Mead}", "execution: {workers: 8}");
        JobFile jf = JobFile.read(job);
        assertNull(WorkerCores.warning(8, jf.execution().workersAt(), jf, 400, 1));
        assertNull(WorkerCores.warning(64, null, jf, 400, 2));
        // Powell and BOBYQA ask one point at a time too
        for (String method : List.of("Powell", "BOBYQA", "CMA-ES-hipparchus")) {
            Files.writeString(job, Files.readString(job).replace("method: Nelder-Mead", "method: " + method));
            JobFile other = JobFile.read(job);
            assertNull(WorkerCores.warning(8, null, other, 400, 1), method);
            Files.writeString(job, Files.readString(job).replace("method: " + method, "method: Nelder-Mead"));
        }
    }

    @Test
    void manyTermsKeepTheWorkersBusy() throws IOException {
        // four terms of one structure each: four tasks at Nelder-Mead's one point
        Path job = atomsJob(
                1,
                "  - {name: b, kind: atoms, reference: ref.csv, weight: 0.5,"
                        + " potential: {form: lennard_jones, epsilon: eps, sigma: sigma}}",
                "  - {name: c, kind: atoms, reference: ref.csv, weight: 0.25,"
                        + " potential: {form: lennard_jones, epsilon: eps, sigma: sigma}}",
                "  - {name: d, kind: atoms, reference: ref.csv, weight: 0.125,"
                        + " potential: {form: lennard_jones, epsilon: eps, sigma: sigma}}",
                "execution: {workers: 6}");
        JobFile jf = JobFile.read(job);
        assertEquals(4, jf.terms().size());
        assertEquals(
                atomsWarning(job + ":12:22: execution workers is 6", 4, 6, 2, "workers: "),
                WorkerCores.warning(6, jf.execution().workersAt(), jf, 400, 2));
        assertEquals(atomsWarning("--workers 6", 4, 6, 3, "--workers "), WorkerCores.warning(6, null, jf, 400, 3));
        assertNull(WorkerCores.warning(6, null, jf, 400, 4));
    }

    @Test
    void aGradientMethodAsksForAPointAndItsDisplacedPointsAtOnce() throws IOException {
        // one structure, two free parameters: least-squares asks for a point and two displaced points
        Path job = atomsJob(1, "optimizer: {method: least-squares}");
        JobFile jf = JobFile.read(job);
        assertEquals(3, WorkerCores.pointsPerRound(jf));
        String three = warning(
                "--workers 4",
                1,
                "1 structure of its atoms terms",
                3,
                "least-squares",
                3,
                4,
                2,
                "--workers ",
                "atoms terms");
        assertEquals(three, WorkerCores.warning(4, null, jf, 400, 2));
        assertEquals(
                three.replace("least-squares", "L-BFGS-B"),
                WorkerCores.warning(4, null, JobFile.read(rewrite(job, "least-squares", "L-BFGS-B")), 400, 2));
        assertEquals(
                three.replace("least-squares", "levenberg-marquardt"),
                WorkerCores.warning(4, null, JobFile.read(rewrite(job, "L-BFGS-B", "levenberg-marquardt")), 400, 2));
        // three cores take the batch; a budget of two evaluations asks for two points at most
        assertNull(WorkerCores.warning(4, null, jf, 400, 3));
        assertNull(WorkerCores.warning(4, null, jf, 2, 2));
        // a fixed parameter is no displaced point: two points, as many as the cores
        Files.writeString(
                job,
                Files.readString(job)
                        .replace("levenberg-marquardt", "least-squares")
                        .replace("sigma: {initial: 3.4, bounds: [3.0, 4.0]}", "sigma: {initial: 3.4, fixed: true}"));
        JobFile fixed = JobFile.read(job);
        assertEquals(2, WorkerCores.pointsPerRound(fixed));
        assertNull(WorkerCores.warning(4, null, fixed, 400, 2));
    }

    @Test
    void cmaEsAsksForItsPopulationAtOnce() throws IOException {
        Path job = atomsJob(2, "optimizer: {method: CMA-ES, batch_size: 5}");
        JobFile jf = JobFile.read(job);
        assertEquals(
                warning(
                        "--workers 16",
                        2,
                        "2 structures of its atoms terms",
                        5,
                        "CMA-ES",
                        10,
                        16,
                        4,
                        "--workers ",
                        "atoms terms"),
                WorkerCores.warning(16, null, jf, 400, 4));
        assertNull(WorkerCores.warning(16, null, jf, 400, 10));
        // without batch_size: 4 + floor(3 ln 2) = 6 points for two free parameters
        Files.writeString(job, Files.readString(job).replace(", batch_size: 5", ""));
        assertEquals(6, WorkerCores.pointsPerRound(JobFile.read(job)));
    }

    private Path rewrite(Path job, String from, String to) throws IOException {
        Files.writeString(job, Files.readString(job).replace(from, to));
        return job;
    }

    @Test
    void aCrystalTermIsNamedAsSuch() throws IOException {
        Path job = atomsJob(
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
        assertEquals(
                warning(
                        "--workers 4",
                        4,
                        "3 structures of its atoms terms and 1 crystal term",
                        1,
                        "Nelder-Mead",
                        4,
                        4,
                        2,
                        "--workers ",
                        "atoms and crystal terms"),
                WorkerCores.warning(4, null, jf, 400, 2));
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
        assertNull(WorkerCores.warning(64, jf.execution().workersAt(), jf, 400, 2));
    }

    @Test
    void theCoresAreThisMachinesUnlessATestFixesThem() {
        // availableProcessors counts the CPUs this process may run on (taskset -c 0: one)
        int machine = Runtime.getRuntime().availableProcessors();
        assertEquals(machine, WorkerCores.cores());
        try (WorkerCores.Fixed one = WorkerCores.fixCores(1)) {
            assertEquals(1, WorkerCores.cores());
            try (WorkerCores.Fixed three = WorkerCores.fixCores(3)) {
                assertEquals(3, WorkerCores.cores());
            }
            assertEquals(1, WorkerCores.cores(), "closing puts back the cores fixed before");
        }
        assertEquals(machine, WorkerCores.cores());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> WorkerCores.fixCores(0));
        assertEquals("cores must be at least 1, got 0", none.getMessage());
        assertEquals(machine, WorkerCores.cores());
    }

    @Test
    void validateOnAMachineOfOneCoreSaysSoAndNothingElse() throws IOException {
        Path job = atomsJob(2, "execution:", "  workers: 2");
        Cli.Run r;
        try (WorkerCores.Fixed one = WorkerCores.fixCores(1)) {
            r = Cli.run("validate", job.toString());
        }
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        // two dimers, each a task, at Nelder-Mead's one point: both workers busy, one core
        assertEquals(
                "warning: " + job + ":10:12: execution workers is 2, and the fit has 2 tasks to run at once (2"
                        + " structures of its atoms terms, at the one point Nelder-Mead asks for at a time): all 2"
                        + " workers can be busy, more than this machine's 1 core; every term of the job is computed in"
                        + " this process (atoms terms, each task keeping a core busy while it runs), so workers beyond"
                        + " the cores only add switching between them, not speed: on this machine (1 core) give"
                        + " workers: 1\n",
                r.err(),
                r::toString);
        // two cores keep both workers: not a word, the whole of stderr
        try (WorkerCores.Fixed two = WorkerCores.fixCores(2)) {
            Cli.Run within = Cli.run("validate", job.toString());
            assertEquals(ExitCodes.OK, within.code(), within::toString);
            assertEquals("", within.err(), within::toString);
        }
    }

    @Test
    void validateWarnsWithTheCoresItCounts() throws IOException {
        int cores = 2;
        int workers = cores + 1;
        // as many structures as workers, at Nelder-Mead's one point: all of them can be busy
        Path job = atomsJob(workers, "execution:", "  workers: " + workers);
        try (WorkerCores.Fixed fixed = WorkerCores.fixCores(cores)) {
            Cli.Run r = Cli.run("validate", job.toString());
            assertEquals(ExitCodes.OK, r.code(), r::toString);
            assertEquals(
                    List.of("warning: "
                            + atomsWarning(
                                    job + ":10:12: execution workers is " + workers,
                                    workers,
                                    workers,
                                    cores,
                                    "workers: ")),
                    r.err().lines().filter(l -> l.startsWith("warning: ")).toList(),
                    r::toString);
            // the job's own workers within the cores: not a word
            Files.writeString(job, Files.readString(job).replace("workers: " + workers, "workers: " + cores));
            Cli.Run within = Cli.run("validate", job.toString());
            assertEquals(ExitCodes.OK, within.code(), within::toString);
            assertTrue(within.err().lines().noneMatch(l -> l.startsWith("warning: ")), within::toString);
            // one structure: one worker is busy at a time, however many the job gives
            Path one = atomsJob(1, "execution:", "  workers: " + (workers + 3));
            Cli.Run single = Cli.run("validate", one.toString());
            assertEquals(ExitCodes.OK, single.code(), single::toString);
            // (one reference value for two free parameters is warned of, not the workers)
            assertTrue(single.err().lines().noneMatch(l -> l.contains("workers")), single::toString);
        }
    }

    @Test
    void fitWarnsOfTheWorkersItRunsOn() throws IOException {
        int cores = 2;
        int workers = cores + 1;
        // the file's workers are too many, but --workers decides: it is what fit warns of, or not
        Path job = atomsJob(workers, "optimizer: {max_evaluations: 3}", "execution: {workers: " + workers + "}");
        try (WorkerCores.Fixed fixed = WorkerCores.fixCores(cores)) {
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
                    List.of("warning: " + atomsWarning("--workers " + workers, workers, workers, cores, "--workers ")),
                    over.err().lines().filter(l -> l.startsWith("warning: ")).toList(),
                    over::toString);
            Cli.Run fromFile = Cli.run(
                    "fit", job.toString(), "-o", dir.resolve("b").toString(), "--progress", "none", "--no-plots");
            assertEquals(ExitCodes.OK, fromFile.code(), fromFile::toString);
            assertEquals(
                    List.of("warning: "
                            + atomsWarning(
                                    job + ":10:22: execution workers is " + workers,
                                    workers,
                                    workers,
                                    cores,
                                    "workers: ")),
                    fromFile.err()
                            .lines()
                            .filter(l -> l.startsWith("warning: "))
                            .toList(),
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
}

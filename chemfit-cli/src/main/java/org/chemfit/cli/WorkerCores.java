package org.chemfit.cli;

import java.util.ArrayList;
import java.util.List;
import org.chemfit.fit.Optimizer;
import org.jspecify.annotations.Nullable;

/**
 * Warns of more busy workers than the machine has cores when they would only share the cores.
 * A worker runs one task at a time: one structure of a {@code kind: atoms} term, or one
 * {@code kind: crystal} term, at one point. Those are computed in the {@code chemfit} process,
 * each running task keeping a core busy, so at most (the fit terms' tasks) × (the points one round
 * of the method asks for) workers are busy at once: 1 point for Nelder-Mead, Powell, BOBYQA and
 * CMA-ES-hipparchus (they ask one point at a time, their first simplex or model too), the free
 * parameters + 1 for the forward-difference methods (least-squares, levenberg-marquardt,
 * L-BFGS-B: a point and its displaced points), the population ({@code batch_size}) for CMA-ES;
 * never more than the budget. Only busy workers beyond the cores add switching between threads
 * and no speed. Workers that run {@code kind: external} terms mostly wait for their programs,
 * which may use few threads each, or wait for files or a scheduler: more of them than cores can be
 * right, so a job with an external term (fit or validation) is not warned of. The validation
 * terms, evaluated at a few points only, are not counted.
 *
 * <pre>{@code
 * String w = WorkerCores.warning(8, "fit.yaml:9:24", job, 400, WorkerCores.cores());
 * }</pre>
 *
 * @implNote Stateless but for the cores a test may fix ({@link #fixCores}), which no command sets.
 */
final class WorkerCores {

    /**
     * The cores that {@link #cores()} gives, when above 0: fixed by a test ({@link #fixCores}) so that
     * the commands' output it compares whole does not depend on the machine it runs on. The commands
     * never set it: for them it is 0, and the cores are this machine's.
     */
    private static volatile int fixedCores;

    private WorkerCores() {}

    /**
     * @return the cores the commands compare the workers with: this machine's ({@link
     *     Runtime#availableProcessors()}, which counts the CPUs this process may run on), unless a test
     *     fixed them
     */
    static int cores() {
        int fixed = fixedCores;
        return fixed > 0 ? fixed : Runtime.getRuntime().availableProcessors();
    }

    /**
     * Fixes the cores that {@link #cores()} gives, for tests only (in this JVM; a test that starts
     * {@code chemfit} as a process of its own cannot fix them), until the returned handle is closed:
     *
     * <pre>{@code
     * try (WorkerCores.Fixed one = WorkerCores.fixCores(1)) {
     *     Cli.Run r = Cli.run("validate", job.toString());   // warns as on a machine of one core
     * }
     * }</pre>
     *
     * @param cores the cores, at least 1
     * @return what puts back the cores fixed before (none: this machine's) when closed
     */
    static Fixed fixCores(int cores) {
        if (cores < 1) {
            throw new IllegalArgumentException("cores must be at least 1, got " + cores);
        }
        int before = fixedCores;
        fixedCores = cores;
        return () -> fixedCores = before;
    }

    /** Puts back the cores fixed before {@link #fixCores}, when closed. */
    @FunctionalInterface
    interface Fixed extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * @param workers the workers the fit runs its terms on
     * @param given where they are given: {@code fit.yaml:9:24} (the job file's line and column of
     *     {@code execution.workers}), or null for {@code --workers}
     * @param job the job, whose fit and validation terms run on the workers
     * @param budget the fit's evaluation budget (a round asks for no more points than it has)
     * @param cores this machine's cores ({@link #cores()}; given, so that a test chooses them)
     * @return the warning, or null when the workers that can be busy at once are no more than the
     *     cores, or a term runs a program
     */
    static @Nullable String warning(int workers, @Nullable String given, JobFile job, int budget, int cores) {
        if (workers <= cores) {
            return null;
        }
        List<JobFile.TermSpec> all = new ArrayList<>(job.terms());
        all.addAll(job.validation());
        if (all.stream().anyMatch(t -> t.kind() == JobFile.TermKind.EXTERNAL)) {
            return null;
        }
        long structures = 0;
        long crystals = 0;
        for (JobFile.TermSpec t : job.terms()) {
            if (t.config() instanceof JobFile.AtomsConfig a) {
                structures += structures(job, a, workers);
            } else {
                crystals++;
            }
        }
        long tasks = structures + crystals;
        String method = job.optimizer().method();
        long points = Math.max(1, Math.min(pointsPerRound(job), budget));
        long busy = Math.min(workers, tasks * points);
        if (busy <= cores) {
            return null;
        }
        String what = structures > 0 && crystals > 0
                ? Tables.count(structures, "structure") + " of its atoms terms and "
                        + Tables.count(crystals, "crystal term")
                : structures > 0
                        ? Tables.count(structures, "structure") + " of its atoms terms"
                        : Tables.count(crystals, "crystal term");
        String kinds = structures > 0 && crystals > 0
                ? "atoms and crystal terms"
                : structures > 0 ? "atoms terms" : "crystal terms";
        return (given == null ? "--workers " + workers : given + ": execution workers is " + workers)
                + ", and the fit has " + Tables.count(tasks * points, "task") + " to run at once (" + what
                + (points == 1
                        ? ", at the one point " + method + " asks for at a time"
                        : ", at each of the " + points + " points " + method + " asks for at once")
                + "): " + (busy == workers ? "all " + workers + " workers" : busy + " of the " + workers + " workers")
                + " can be busy, more than this machine's " + Tables.count(cores, "core") + "; every term of the job"
                + " is computed in this process (" + kinds + ", each task keeping a core busy while it runs), so"
                + " workers beyond the cores only add switching between them, not speed: on this machine ("
                + Tables.count(cores, "core") + ") give " + (given == null ? "--workers " : "workers: ") + cores;
    }

    /**
     * @param job the job
     * @return how many points one round of its method asks for at most: its population for a
     *     population method, the free parameters + 1 for a forward-difference method, else 1
     */
    static int pointsPerRound(JobFile job) {
        JobFile.OptimizerSpec spec = job.optimizer();
        if (Methods.canonical(spec.method()) == null) {
            return 1;
        }
        int free = (int) job.parameters().stream()
                .filter(p -> !p.fixed() && p.lower() != p.upper())
                .count();
        Optimizer o = Methods.create(spec);
        if (o.isBatch()) {
            return spec.batchSize() > 0 ? spec.batchSize() : Methods.defaultPopulation(Math.max(1, free));
        }
        return Methods.takesRelativeStep(spec.method()) ? free + 1 : 1;
    }

    /**
     * @return the rows of an atoms term's reference CSV (one task each), as the job reader read them
     *     ({@link JobFile#referenceRows()}), or {@code workers} when it could not read them (the fit
     *     says why), so that its tasks count as enough to keep them busy
     */
    private static long structures(JobFile job, JobFile.AtomsConfig a, int workers) {
        Integer rows = job.referenceRows().get(a.reference());
        return rows != null ? rows : workers;
    }
}

package org.chemfit.cli;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import java.nio.file.Path;
import org.chemfit.cluster.ClusterSecret;
import org.chemfit.cluster.ClusterWorker;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code chemfit worker JOB --cluster NAME --join HOST[:PORT],...}: joins a cluster and runs the
 * terms of JOB that the driver ({@code chemfit fit JOB --cluster NAME}) hands out, until it is
 * stopped (Ctrl-C, SIGTERM, the end of an allocation). It builds the same objective as the driver
 * from the same job file; only parameters and results travel. See docs/cluster.md.
 *
 * <pre>{@code
 * export CHEMFIT_CLUSTER_SECRET_FILE=~/.chemfit/secret
 * chemfit worker job.yaml --cluster fit-42 --join node01,node02 --threads 32
 * }</pre>
 *
 * @implNote One instance per command line.
 */
@Command(
        name = "worker",
        // --cluster is required, which the synopsis picocli draws from the shared cluster options
        // (optional for fit) would not show
        customSynopsis = {
            "chemfit worker [-hqv] --cluster=NAME [--bind=ADDRESS]",
            "                      [--join=HOST[:PORT],...] [-o=DIR] [--port=PORT]",
            "                      [--prefetch=N] [--threads=N] JOB"
        },
        description = "Join the cluster NAME and run the terms of JOB that its driver"
                + " (chemfit fit JOB --cluster NAME) hands out, until stopped.")
final class WorkerCommand extends BaseCommand {

    @Parameters(paramLabel = "JOB", description = "The job file (the driver's).")
    Path job;

    @Mixin
    ClusterArgs cluster;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "Run up to N terms at once (default: the number of processors).")
    @Nullable
    Integer threads;

    @Option(
            names = "--prefetch",
            paramLabel = "N",
            defaultValue = "0",
            description = "Tasks each thread asks for ahead of the one it runs (default: ${DEFAULT-VALUE}).")
    int prefetch;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "DIR",
            description = "Put run directories under DIR/runs instead of the job's output folder.")
    @Nullable
    Path output;

    @Override
    int execute() {
        if (!cluster.enabled()) {
            throw new UserException(
                    "--cluster NAME is required: the name the driver (chemfit fit --cluster NAME) uses");
        }
        cluster.config(); // an invalid --cluster, --join or --bind is said before the job is read
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (n < 1) {
            throw new UserException("--threads must be at least 1, got " + n);
        }
        if (prefetch < 0) {
            throw new UserException("--prefetch must be 0 or more, got " + prefetch);
        }
        JobFile jf = JobFile.read(job);
        Path folder = (output != null ? output.toAbsolutePath() : jf.output().folder()).normalize();
        // one thread per task here: the cluster spreads the terms, not a local pool
        quietWhenTheMemberIsDown();
        try (FitPlan plan = FitPlan.forWorker(jf, folder)) {
            // a job its driver refuses (a template naming something unknown, a method that cannot fit
            // the losses) is refused here too, before the worker joins and waits for a driver in vain
            plan.refuseProblems();
            // an earlier worker of this folder killed outright (kill -9) left its programs running
            plan.endProgramsOfEndedProcesses();
            ClusterSecret secret = ClusterArgs.secret();
            HazelcastInstance member = cluster.startMember();
            // Ctrl-C or SIGTERM interrupts this thread; closing the worker (the resources close in
            // reverse order) waits until its running terms have stopped their programs, each with
            // its kill grace; closing the guard then lets its hook kill any child process still alive.
            // The job's fingerprint covers the job file and every file it names: the driver refuses another job.
            try (Interrupts interrupts = Interrupts.install(Thread.currentThread(), err(), "stopping the running terms")
                            .allowing(jf.longestKillGrace());
                    ClusterWorker worker = ClusterWorker.start(member, plan.combined, secret, n, prefetch, jf.hash())) {
                if (!quiet) {
                    err().printf(
                                    "worker %s joined cluster '%s' with %d thread(s); it runs the terms of %s (job %s) once the"
                                            + " driver accepts it%n",
                                    worker.memberUuid(),
                                    cluster.name,
                                    n,
                                    jf.file().getFileName(),
                                    jf.hash());
                    err().flush();
                }
                try {
                    worker.awaitTermination();
                } catch (InterruptedException e) {
                    // the flag stays clear: closing the worker waits for its terms to end
                    return ExitCodes.INTERRUPTED;
                }
                if (interrupts.triggered()) {
                    return ExitCodes.INTERRUPTED; // the member was shut down by the same signal
                }
                if (worker.refusal().isPresent()) {
                    String why = worker.refusal().get();
                    // on a machine shared with other users, a driver of theirs that took the same name refuses it too
                    err().println("error: the driver refused this worker: " + why
                            + (why.contains("same secret")
                                    ? " (CHEMFIT_CLUSTER_SECRET or CHEMFIT_CLUSTER_SECRET_FILE), or, when this"
                                            + " worker's is the right one, start the driver again with it; or, where other users"
                                            + " run fits (a login node), the driver is another user's under the same"
                                            + " cluster name: give yours a name of its own, such as fit-$USER-1"
                                            + " (docs/cluster.md)"
                                    : "")
                            + ".");
                    return ExitCodes.USAGE;
                }
                if (!quiet) {
                    err().printf("worker %s stopped after %d task(s)%n", worker.memberUuid(), worker.tasksRun());
                }
                return ExitCodes.OK;
            } finally {
                try {
                    member.shutdown();
                } catch (HazelcastInstanceNotActiveException e) {
                    // already shut down by Hazelcast's own shutdown hook (SIGTERM, Ctrl-C)
                }
            }
        }
    }

    /**
     * On SIGTERM or Ctrl-C, Hazelcast's own shutdown hook ends the member while a term may still
     * be stopping; the member's thread that then answers for that term fails with "Hazelcast
     * instance is not active", which is no news to the user: it is logged at debug level instead of
     * printed with its stack trace. Any other uncaught exception goes where it went before.
     */
    private static void quietWhenTheMemberIsDown() {
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            if (e instanceof HazelcastInstanceNotActiveException) {
                LoggerFactory.getLogger(WorkerCommand.class)
                        .debug("thread {} stopped: its member is shut down ({})", t.getName(), e.toString());
            } else if (before != null) {
                before.uncaughtException(t, e);
            } else {
                // as the JVM prints it (the thread group would call this handler again)
                System.err.print("Exception in thread \"" + t.getName() + "\" ");
                e.printStackTrace(System.err);
            }
        });
    }
}

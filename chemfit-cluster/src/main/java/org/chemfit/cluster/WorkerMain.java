package org.chemfit.cluster;

import com.hazelcast.core.HazelcastInstance;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.support.Reasons;

/**
 * Starts a worker member from the command line, for Java users without the {@code chemfit} CLI:
 * it builds the objective with a factory class, joins the cluster and runs the tasks it is given
 * until it is stopped. The secret comes from {@code CHEMFIT_CLUSTER_SECRET}, or from a file
 * ({@code --secret-file} or {@code CHEMFIT_CLUSTER_SECRET_FILE}); never from the command line.
 *
 * <pre>{@code
 * export CHEMFIT_CLUSTER_SECRET_FILE=$HOME/.chemfit/secret
 * java -cp app.jar org.chemfit.cluster.WorkerMain --factory com.example.MyFit \
 *      --cluster fit-42 --join node01:5701,node02:5701 --bind 10.1.0.7 --threads 8
 * }</pre>
 *
 * <p>Exit codes: 0 stopped, 2 usage error, 3 refused by the driver (wrong secret, or another job),
 * 1 other failure.
 *
 * @implNote Not for use as a library; see {@link ClusterWorker} for that.
 */
public final class WorkerMain {

    /** Exit code when the driver refused this member. */
    public static final int EXIT_REFUSED = 3;

    private WorkerMain() {}

    /**
     * @param args see the class description; {@code --help} lists them
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static String usage() {
        return """
                usage: WorkerMain --factory CLASS --cluster NAME --join HOST[:PORT],... [options]
                  --factory CLASS        an org.chemfit.cluster.ObjectiveFactory that builds the job's objective
                  --cluster NAME         the cluster name (the driver's)
                  --join HOST[:PORT],... members to join (the driver's address at least)
                  --bind ADDRESS         the interface to bind (default 127.0.0.1)
                  --port PORT            the first port to try (default 5701; the next free one is taken)
                  --threads N            tasks run at once (default: the number of processors)
                  --prefetch N           tasks each thread asks for ahead of the one it runs (default 0)
                  --secret-file PATH     a file whose first line is the secret (else CHEMFIT_CLUSTER_SECRET
                                         or CHEMFIT_CLUSTER_SECRET_FILE)
                  --option KEY=VALUE     passed to the factory; repeatable
                  --job-file PATH        a file of the job (the first one's folder is the base of the names);
                                         repeatable. The driver refuses this worker unless its
                                         JobFingerprint.ofFiles of the same files is the same""";
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String factory = null;
        String cluster = null;
        String join = null;
        String bind = "127.0.0.1";
        int port = ClusterMemberConfig.DEFAULT_PORT;
        int threads = Runtime.getRuntime().availableProcessors();
        int prefetch = 0;
        Path secretFile = null;
        Map<String, String> options = new LinkedHashMap<>();
        List<Path> jobFiles = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--help") || a.equals("-h")) {
                    out.println(usage());
                    return 0;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--factory" -> factory = v;
                    case "--cluster" -> cluster = v;
                    case "--join" -> join = v;
                    case "--bind" -> bind = v;
                    case "--port" -> port = intValue(a, v);
                    case "--threads" -> threads = intValue(a, v);
                    case "--prefetch" -> prefetch = intValue(a, v);
                    case "--secret-file" -> secretFile = Path.of(v);
                    case "--job-file" -> jobFiles.add(Path.of(v));
                    case "--option" -> {
                        int eq = v.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException("--option takes KEY=VALUE, got '" + v + "'");
                        }
                        options.put(v.substring(0, eq), v.substring(eq + 1));
                    }
                    case "--secret" ->
                        throw new IllegalArgumentException(
                                "the secret is never given on the command line (other users see it in ps): use --secret-file or "
                                        + ClusterSecret.ENV);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (factory == null || cluster == null || join == null) {
                throw new IllegalArgumentException("--factory, --cluster and --join are required");
            }
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
            }
            if (prefetch < 0) {
                throw new IllegalArgumentException("--prefetch must be 0 or more, got " + prefetch);
            }
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(usage());
            return 2;
        }
        ClusterSecret secret;
        String job;
        CombinedObjectiveFunction objective;
        ClusterMemberConfig config;
        try {
            secret = secretFile != null ? ClusterSecret.fromFile(secretFile) : ClusterSecret.fromEnvironment();
            objective = createObjective(loadFactory(factory), options);
            job = jobFiles.isEmpty()
                    ? JobFingerprint.ofObjective(objective)
                    : JobFingerprint.ofFiles(
                            Objects.requireNonNull(
                                    jobFiles.get(0).toAbsolutePath().getParent(), "the folder of the job file"),
                            jobFiles);
            config = ClusterMemberConfig.builder(cluster)
                    .join(ClusterMemberConfig.parseJoinList(join))
                    .bindAddress(bind)
                    .port(port, 100)
                    .build();
        } catch (RuntimeException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        HazelcastInstance member;
        try {
            member = config.newMember();
        } catch (RuntimeException e) {
            err.println("error: could not start a cluster member with " + config + ": " + e.getMessage());
            return 1;
        }
        ClusterWorker worker = ClusterWorker.start(member, objective, secret, threads, prefetch, job);
        Runtime.getRuntime().addShutdownHook(new Thread(worker::close, "chemfit-worker-shutdown"));
        out.println(
                "worker " + worker.memberUuid() + " joined cluster '" + cluster + "' with " + threads + " thread(s)");
        out.flush();
        try {
            worker.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int code = 0;
        if (worker.refusal().isPresent()) {
            err.println(
                    "error: the driver refused this worker: " + worker.refusal().get() + ".");
            code = EXIT_REFUSED;
        }
        out.println("worker " + worker.memberUuid() + " ran " + worker.tasksRun() + " task(s)");
        worker.close();
        try {
            member.shutdown();
        } catch (RuntimeException e) {
            // already down
        }
        return code;
    }

    private static int intValue(String option, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a whole number, got '" + v + "'");
        }
    }

    /**
     * @param factory the factory
     * @param options the options it is given
     * @return the factory's objective
     * @throws IllegalArgumentException naming the factory's class when it returned none
     */
    static CombinedObjectiveFunction createObjective(ObjectiveFactory factory, Map<String, String> options) {
        CombinedObjectiveFunction objective = factory.create(options);
        if (objective == null) {
            throw new IllegalArgumentException("factory class "
                    + factory.getClass().getName() + " returned no objective: its create(options) returned null");
        }
        return objective;
    }

    static ObjectiveFactory loadFactory(String className) {
        Class<?> c;
        try {
            c = Class.forName(className);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("factory class " + className + " is not on the class path");
        }
        if (!ObjectiveFactory.class.isAssignableFrom(c)) {
            throw new IllegalArgumentException(
                    "factory class " + className + " does not implement " + ObjectiveFactory.class.getName());
        }
        try {
            return (ObjectiveFactory) c.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(
                    "factory class " + className + " needs a public no-argument constructor");
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(
                    "factory class " + className + " failed to construct: " + Reasons.of(e), e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(
                    "factory class " + className + " cannot be constructed: " + Reasons.of(e), e);
        }
    }
}

package org.chemfit.cli;

import com.hazelcast.core.HazelcastInstance;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.ObjectiveFunction;
import org.chemfit.cluster.ClusterMemberConfig;
import org.chemfit.cluster.ClusterOptions;
import org.chemfit.cluster.ClusterSecret;
import org.chemfit.cluster.ClusterWrapperCOB;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The options that put a command on a cluster ({@code --cluster}, {@code --join}, {@code --bind},
 * {@code --port}), shared by {@code chemfit fit} and {@code chemfit worker}. The secret comes
 * from {@code CHEMFIT_CLUSTER_SECRET} or {@code CHEMFIT_CLUSTER_SECRET_FILE}, never from the
 * command line.
 *
 * <pre>{@code
 * chemfit worker job.yaml --cluster fit-42 --join node01,node02 --bind '10.*.*.*'
 * }</pre>
 *
 * @implNote A picocli mixin: one instance per command line.
 */
final class ClusterArgs {

    @Option(
            names = "--cluster",
            paramLabel = "NAME",
            description =
                    "Run the terms on the cluster of this name: chemfit worker processes with the same name and secret"
                            + " (CHEMFIT_CLUSTER_SECRET or CHEMFIT_CLUSTER_SECRET_FILE). See docs/cluster.md.")
    @Nullable
    String name;

    @Option(
            names = "--join",
            paramLabel = "HOST[:PORT],...",
            defaultValue = "127.0.0.1",
            description = "Members to join, comma-separated (default: ${DEFAULT-VALUE}).")
    String join = "127.0.0.1"; // picocli sets the default too

    @Option(
            names = "--bind",
            paramLabel = "ADDRESS",
            defaultValue = "127.0.0.1",
            description = "The interface to listen on: an IPv4 address or a pattern such as 10.*.*.*, not a host name"
                    + " (default: ${DEFAULT-VALUE}).")
    String bind = "127.0.0.1"; // picocli sets the default too

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "5701",
            description = "The first port to try; the next free one is taken (default: ${DEFAULT-VALUE}).")
    int port;

    /** @return whether {@code --cluster} was given */
    boolean enabled() {
        return name != null;
    }

    /**
     * The member's settings, checked: a command checks them first, so that an invalid one (a host
     * name given to {@code --bind}) is said before the job is read, and alone, without Hazelcast's
     * own log of a member that could not start.
     *
     * @return the configuration of the member
     * @throws BaseCommand.UserException for an invalid setting, naming it
     */
    ClusterMemberConfig config() {
        if (port < 1 || port > 65535) {
            throw new BaseCommand.UserException("--port must be between 1 and 65535, got " + port);
        }
        try {
            return ClusterMemberConfig.builder(Objects.requireNonNull(name, "a member starts only with --cluster"))
                    .join(ClusterMemberConfig.parseJoinList(join))
                    .bindAddress(bind)
                    .port(port, 100)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new BaseCommand.UserException(e.getMessage());
        }
    }

    /**
     * @return a running member of the cluster
     * @throws BaseCommand.UserException for an invalid setting or a member that cannot start
     */
    HazelcastInstance startMember() {
        ClusterMemberConfig cfg = config();
        try {
            return cfg.newMember();
        } catch (RuntimeException e) {
            throw new BaseCommand.UserException("cannot start a cluster member with " + cfg + ": " + e.getMessage());
        }
    }

    /** The driver's wrapper once {@link #drive} made it, for the count of tasks running. */
    private volatile @Nullable ClusterWrapperCOB driven;

    /**
     * @return the tasks that members run now, the driver's own threads included (none before
     *     {@link #drive}): the terms of a cluster fit run there, not in the driver's count
     */
    int tasksRunning() {
        ClusterWrapperCOB c = driven;
        return c == null
                ? 0
                : c.stats().inFlightByMember().values().stream()
                        .mapToInt(Integer::intValue)
                        .sum();
    }

    /**
     * @return ", waiting for a worker to join" while the driver has no worker it accepts and no
     *     thread of its own to run the terms, else ""
     */
    String waitingNote(int driverThreads) {
        ClusterWrapperCOB c = driven;
        return c != null && driverThreads == 0 && c.stats().verifiedMembers().isEmpty()
                ? ", waiting for a worker to join"
                : "";
    }

    /**
     * Makes this process the driver: a member of the cluster that hands every leaf term to the
     * workers.
     *
     * @param combined the job's objective
     * @param resources receives the wrapper, then the member, to be closed when the fit ends
     * @param memberWait how long tasks wait while no worker is there
     * @param driverThreads how many terms the driver runs itself (0: none)
     * @param jobFingerprint the fingerprint of the job and its files; workers of another job are refused
     * @param onNoWorker told why tasks fail each time the member wait runs out with no worker, or null
     * @return the objective to fit
     * @throws BaseCommand.UserException when the secret is missing or another driver runs on the cluster
     */
    ObjectiveFunction drive(
            CombinedObjectiveFunction combined,
            List<AutoCloseable> resources,
            Duration memberWait,
            int driverThreads,
            String jobFingerprint,
            @Nullable Consumer<String> onNoWorker) {
        ClusterSecret secret = secret();
        HazelcastInstance member = startMember();
        try {
            ClusterOptions.Builder options = ClusterOptions.builder(secret)
                    .localThreads(driverThreads)
                    .memberWait(memberWait)
                    .jobFingerprint(jobFingerprint);
            if (onNoWorker != null) {
                options.onNoWorker(onNoWorker);
            }
            ClusterWrapperCOB cob = new ClusterWrapperCOB(combined, member, options.build());
            resources.add(cob);
            resources.add(member::shutdown);
            driven = cob;
            return cob;
        } catch (RuntimeException e) {
            member.shutdown();
            throw new BaseCommand.UserException(e.getMessage());
        }
    }

    /**
     * @return the shared secret
     * @throws BaseCommand.UserException when it is not set or too short
     */
    static ClusterSecret secret() {
        try {
            return ClusterSecret.fromEnvironment();
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new BaseCommand.UserException(e.getMessage());
        }
    }
}

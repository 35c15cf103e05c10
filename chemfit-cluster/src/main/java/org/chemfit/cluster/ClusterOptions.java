package org.chemfit.cluster;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link ClusterWrapperCOB} drives its workers: the shared secret, whether the driver runs
 * tasks itself, and how long it waits for a worker when none is there.
 *
 * <pre>{@code
 * ClusterOptions options = ClusterOptions.builder(ClusterSecret.fromEnvironment())
 *         .localThreads(2)                       // the driver runs tasks too
 *         .memberWait(Duration.ofMinutes(5))     // then fail with a clear message
 *         .build();
 * }</pre>
 *
 * @implNote Immutable and thread-safe; the builder is not.
 */
public final class ClusterOptions {

    /** The default wait for a worker when none is there: two minutes. */
    public static final Duration DEFAULT_MEMBER_WAIT = Duration.ofMinutes(2);

    private final ClusterSecret secret;
    private final int localThreads;
    private final Duration memberWait;
    private final @Nullable String jobFingerprint;
    private final @Nullable Consumer<String> onNoWorker;

    private ClusterOptions(Builder b) {
        this.secret = b.secret;
        this.localThreads = b.localThreads;
        this.memberWait = b.memberWait;
        this.jobFingerprint = b.jobFingerprint;
        this.onNoWorker = b.onNoWorker;
    }

    /**
     * @param secret the cluster's shared secret
     * @return a builder: no local threads, a wait of {@link #DEFAULT_MEMBER_WAIT}
     */
    public static Builder builder(ClusterSecret secret) {
        return new Builder(Objects.requireNonNull(secret, "secret"));
    }

    /** @return the shared secret */
    public ClusterSecret secret() {
        return secret;
    }

    /** @return how many tasks the driver runs itself at once (0: it only dispatches) */
    public int localThreads() {
        return localThreads;
    }

    /** @return how long tasks may wait while no worker that holds the secret is in the cluster */
    public Duration memberWait() {
        return memberWait;
    }

    /**
     * @return the fingerprint of the job every worker must run, or empty: then the driver uses
     *     {@link JobFingerprint#ofObjective} of its objective
     */
    public java.util.Optional<String> jobFingerprint() {
        return java.util.Optional.ofNullable(jobFingerprint);
    }

    /** @return what is told when the member wait runs out with no worker, or null */
    @Nullable
    Consumer<String> onNoWorker() {
        return onNoWorker;
    }

    /**
     * Collects the settings of {@link ClusterOptions}.
     *
     * @implNote Not thread-safe.
     */
    public static final class Builder {
        private final ClusterSecret secret;
        private int localThreads;
        private Duration memberWait = DEFAULT_MEMBER_WAIT;
        private @Nullable String jobFingerprint;
        private @Nullable Consumer<String> onNoWorker;

        private Builder(ClusterSecret secret) {
            this.secret = secret;
        }

        /**
         * @param n how many tasks the driver runs itself at once, 0 or more
         * @return this builder
         * @throws IllegalArgumentException when negative
         */
        public Builder localThreads(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("local threads must be 0 or more, got " + n);
            }
            this.localThreads = n;
            return this;
        }

        /**
         * @param wait how long tasks may wait while no worker is there before the evaluation fails; positive
         * @return this builder
         * @throws IllegalArgumentException when zero or negative
         */
        public Builder memberWait(Duration wait) {
            if (wait == null || wait.isZero() || wait.isNegative()) {
                throw new IllegalArgumentException("the member wait must be positive, got " + wait);
            }
            this.memberWait = wait;
            return this;
        }

        /**
         * @param fingerprint the fingerprint of the job and its files ({@link JobFingerprint#ofFiles});
         *     a worker whose job has another fingerprint is refused (default:
         *     {@link JobFingerprint#ofObjective} of the objective)
         * @return this builder
         * @throws IllegalArgumentException when blank or longer than 256 characters
         */
        public Builder jobFingerprint(String fingerprint) {
            if (fingerprint == null || fingerprint.isBlank() || fingerprint.length() > 256) {
                throw new IllegalArgumentException(
                        "a job fingerprint must be 1 to 256 characters, got '" + fingerprint + "'");
            }
            this.jobFingerprint = fingerprint;
            return this;
        }

        /**
         * @param listener told, each time the member wait runs out with tasks waiting and no worker
         *     to run them, why they fail: the message each of their failures carries (which cluster,
         *     which members were seen or refused, and what to change). For a program that hides
         *     warnings but still wants that said. It is called on a thread of the driver's own that
         *     does nothing else, one call at a time, never on the thread that watches for workers:
         *     a listener that blocks delays only its own later calls, and what it throws (an
         *     {@link Error} too) is logged as a warning and dropped. It should still return quickly:
         *     closing the cluster objective waits up to five seconds for a call under way.
         * @return this builder
         */
        public Builder onNoWorker(Consumer<String> listener) {
            this.onNoWorker = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** @return the options */
        public ClusterOptions build() {
            return new ClusterOptions(this);
        }
    }
}

package org.chemfit.cluster;

import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.QueueConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.spi.properties.ClusterProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a ChemFit process joins a cluster: the cluster name, the addresses to join, the interface
 * to bind and the port. Every Hazelcast configuration it makes is closed to the outside: TCP/IP
 * join lists only (multicast and auto-detection off), no phone-home call, bound to one
 * interface (127.0.0.1 unless told otherwise), and no Java deserialization of any class outside the
 * JDK and Hazelcast.
 *
 * <pre>{@code
 * ClusterMemberConfig cfg = ClusterMemberConfig.builder("fit-42")
 *         .join(List.of("node01:5701", "node02:5701"))
 *         .bindAddress("10.1.0.7")
 *         .build();
 * HazelcastInstance member = cfg.newMember();
 * }</pre>
 *
 * @implNote Immutable and thread-safe; the builder is not.
 */
public final class ClusterMemberConfig {

    /** The default port of a member; the next free one is taken when it is busy. */
    public static final int DEFAULT_PORT = 5701;

    /**
     * A class name that no code has: the only entry of our Java deserialization allow-list, so
     * that Hazelcast refuses to deserialize every Java-serialized object of a class outside the
     * JDK and Hazelcast (whose own allow-list its internal messages need).
     */
    static final String NO_JAVA_SERIALIZATION = "org.chemfit.cluster.NoJavaSerializationAllowed";

    /**
     * Most tasks a worker member holds at once (its threads times one plus its prefetch): the pool
     * of the executor that carries tasks. Its threads are made when needed; a worker's own limit,
     * its thread count, decides how many terms run at once.
     */
    static final int RUN_POOL = 1024;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Pattern HOST_PORT = Pattern.compile("([^:\\s]+)(?::(\\d{1,5}))?");
    private static final Pattern BIND_PART = Pattern.compile("\\*|(\\d{1,3})(?:-(\\d{1,3}))?");

    private final String clusterName;
    private final List<String> join;
    private final String bindAddress;
    private final int port;
    private final int portCount;
    private final int heartbeatSeconds;
    private final int maxNoHeartbeatSeconds;

    private ClusterMemberConfig(Builder b) {
        this.clusterName = b.clusterName;
        this.join = List.copyOf(b.join);
        this.bindAddress = b.bindAddress;
        this.port = b.port;
        this.portCount = b.portCount;
        this.heartbeatSeconds = b.heartbeatSeconds;
        this.maxNoHeartbeatSeconds = b.maxNoHeartbeatSeconds;
    }

    /**
     * @param clusterName the cluster's name: letters, digits, '.', '_' and '-', at most 100 characters
     * @return a builder with the defaults (join list: this machine's loopback, port 5701)
     * @throws IllegalArgumentException for an invalid name
     */
    public static Builder builder(String clusterName) {
        return new Builder(clusterName);
    }

    /** @return the cluster name */
    public String clusterName() {
        return clusterName;
    }

    /** @return the members to join, as HOST or HOST:PORT */
    public List<String> join() {
        return join;
    }

    /** @return the address of the interface this member binds to */
    public String bindAddress() {
        return bindAddress;
    }

    /** @return the first port tried */
    public int port() {
        return port;
    }

    /**
     * Parses a comma-separated join list.
     *
     * @param list for example {@code "node01,node02:5702"}
     * @return the entries, each validated
     * @throws IllegalArgumentException naming the entry and the rule when one is invalid
     */
    public static List<String> parseJoinList(String list) {
        List<String> out = new ArrayList<>();
        for (String s : list.split(",")) {
            String e = s.strip();
            if (!e.isEmpty()) {
                out.add(checkJoinEntry(e));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the join list is empty: give HOST[:PORT],... , got '" + list + "'");
        }
        return out;
    }

    static String checkJoinEntry(String e) {
        var m = HOST_PORT.matcher(e);
        if (!m.matches()) {
            throw new IllegalArgumentException("join entry '" + e + "' is not HOST or HOST:PORT");
        }
        if (m.group(2) != null) {
            int p = Integer.parseInt(m.group(2));
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException(
                        "join entry '" + e + "': port must be between 1 and 65535, got " + p);
            }
        }
        return e;
    }

    /** Hazelcast's property of how long a member tries to join before it gives up starting. */
    static final String MAX_JOIN_PROPERTY = "hazelcast.max.join.seconds";

    /**
     * Seconds a member tries to join, unless the system property {@value #MAX_JOIN_PROPERTY} says
     * otherwise. Hazelcast's own 300 s are five minutes of silence when an address of the join list
     * is held by a program that accepts connections and never answers; a member joins a cluster
     * that answers within seconds.
     */
    static final int MAX_JOIN_SECONDS = 60;

    /** The member attribute that holds the name of the member's machine. */
    static final String HOST_ATTRIBUTE = "chemfit.host";

    /** The member attribute that holds the id of the member's process. */
    static final String PID_ATTRIBUTE = "chemfit.pid";

    /**
     * @return a Hazelcast configuration with multicast, auto-detection and phone-home off, TCP/IP
     *     join on, bound to {@link #bindAddress()}, Java deserialization refused for every class
     *     outside the JDK and Hazelcast,
     *     responses handled on the I/O threads (no response threads), the name of this machine
     *     and the id of this process as the member's attributes (a refused worker is named by
     *     them; start the member in the process that calls this), and ChemFit's task type
     *     registered (a factory id and a class id; the driver and the workers need it); on a
     *     machine of one or two cores, Hazelcast's callbacks then run on reused threads instead of
     *     a thread started for each (for every member of this JVM)
     */
    public Config toHazelcastConfig() {
        HazelcastCallbacks.pooled();
        Config c = new Config();
        c.setClusterName(clusterName);
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.logging.type", "slf4j");
        c.setProperty("hazelcast.socket.bind.any", "false");
        c.setProperty("hazelcast.wait.seconds.before.join", "0");
        if (System.getProperty(MAX_JOIN_PROPERTY) == null) {
            c.setProperty(MAX_JOIN_PROPERTY, Integer.toString(MAX_JOIN_SECONDS));
        }
        c.setProperty("hazelcast.heartbeat.interval.seconds", Integer.toString(heartbeatSeconds));
        c.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(maxNoHeartbeatSeconds));
        c.setProperty("hazelcast.shutdownhook.enabled", "true");
        // responses are handled on the I/O thread that reads them instead of being handed to a
        // response thread: one thread hand-off less per remote operation (see docs/benchmarks.md)
        c.setProperty(ClusterProperty.RESPONSE_THREAD_COUNT.getName(), "0");
        c.getJetConfig().setEnabled(false);
        // the machine and process of the member, which the driver names a worker by when it refuses it
        c.getMemberAttributeConfig()
                .setAttribute(HOST_ATTRIBUTE, org.chemfit.support.HostName.get())
                .setAttribute(
                        PID_ATTRIBUTE, Long.toString(ProcessHandle.current().pid()));

        NetworkConfig n = c.getNetworkConfig();
        n.setPort(port).setPortAutoIncrement(portCount > 1).setPortCount(Math.max(1, portCount));
        n.getInterfaces().setEnabled(true).setInterfaces(List.of(bindAddress));
        // Hazelcast's REST API is off by default since 4.0, and its setting is deprecated for removal: not touched.
        JoinConfig j = n.getJoin();
        j.getMulticastConfig().setEnabled(false);
        j.getAutoDetectionConfig().setEnabled(false);
        j.getTcpIpConfig().setEnabled(true).setMembers(new ArrayList<>(join));

        // Hazelcast's own types still travel; a Java-serialized object of a class outside the JDK
        // and Hazelcast is refused (Hazelcast's default allow-list of those stays: with it turned
        // off, its own internal messages fail).
        JavaSerializationFilterConfig filter = new JavaSerializationFilterConfig();
        filter.setWhitelist(new ClassFilter().addClasses(NO_JAVA_SERIALIZATION));
        c.getSerializationConfig().setJavaSerializationFilterConfig(filter);
        // the one type of ours that Hazelcast reads: a task frame on its way to a worker
        c.getSerializationConfig().addDataSerializableFactory(RunTask.FACTORY_ID, RunTask.FACTORY);
        c.addExecutorConfig(
                new ExecutorConfig(Channels.RUN).setPoolSize(RUN_POOL).setStatisticsEnabled(false));

        c.addQueueConfig(
                new QueueConfig(Channels.PREFIX + "*").setBackupCount(1).setAsyncBackupCount(0));
        c.addMapConfig(new MapConfig(Channels.PREFIX + "*").setBackupCount(1).setAsyncBackupCount(0));
        return c;
    }

    /**
     * @throws IllegalArgumentException when the member was not configured by {@link #toHazelcastConfig()}
     *     (it could neither send nor run a task)
     */
    static void requireOurs(HazelcastInstance hz) {
        HazelcastCallbacks.pooled(); // a member may have been made from a configuration built earlier
        if (!hz.getConfig()
                .getSerializationConfig()
                .getDataSerializableFactories()
                .containsKey(RunTask.FACTORY_ID)) {
            throw new IllegalArgumentException("this Hazelcast member was not made by ClusterMemberConfig: it cannot"
                    + " carry ChemFit's tasks; start it with ClusterMemberConfig.newMember() or from"
                    + " ClusterMemberConfig.toHazelcastConfig()");
        }
    }

    /**
     * Checks a bind address before Hazelcast sees it: Hazelcast takes a host name or a number out
     * of range and then fails to start, saying only that no interface of the machine matches.
     *
     * @param address the stripped address
     * @return the address
     * @throws IllegalArgumentException naming the address and the rule
     */
    static String checkBindAddress(String address) {
        String[] parts = address.split("\\.", -1);
        boolean shaped = parts.length == 4;
        for (String part : parts) {
            shaped &= BIND_PART.matcher(part).matches();
        }
        if (!shaped) {
            throw new IllegalArgumentException("the bind address must be an IPv4 address such as 10.1.0.7 or a"
                    + " pattern of one such as 10.*.*.* or 10.1.0.4-18, not a host name or an IPv6 address, got '"
                    + address + "'");
        }
        for (String part : parts) {
            java.util.regex.Matcher m = BIND_PART.matcher(part);
            if (!m.matches() || m.group(1) == null) {
                continue; // '*'
            }
            int from = Integer.parseInt(m.group(1));
            String toText = m.group(2);
            int to = toText == null ? from : Integer.parseInt(toText);
            if (from > 255 || to > 255 || to < from) {
                throw new IllegalArgumentException("the bind address '" + address + "' has the part '" + part
                        + "': each part of an IPv4 address or pattern is a number 0-255, '*' or a range of such"
                        + " numbers from the lower to the higher");
            }
        }
        return address;
    }

    /**
     * Starts a member with {@link #toHazelcastConfig()}. Shut it down when done.
     *
     * @return the running member
     * @throws com.hazelcast.core.HazelcastException when it cannot bind or start
     */
    public HazelcastInstance newMember() {
        Config config = toHazelcastConfig();
        try {
            return Hazelcast.newHazelcastInstance(config);
        } catch (IllegalStateException e) {
            if (!String.valueOf(e.getMessage()).startsWith("Node failed to start")) {
                throw e;
            }
            // Hazelcast says only "Node failed to start!" (and logs why: most often that it could not join)
            throw new com.hazelcast.core.HazelcastException(
                    "the member could not join cluster '" + clusterName + "' within "
                            + Objects.requireNonNullElse(
                                    config.getProperty(MAX_JOIN_PROPERTY), System.getProperty(MAX_JOIN_PROPERTY))
                            + " s (" + MAX_JOIN_PROPERTY
                            + "); Hazelcast's log above says why. Most often an address of its join list "
                            + join + " accepted a connection but did not answer as a member of that cluster:"
                            + " another program holds that port, or the member there is stuck. See which program"
                            + " listens there (ss -ltnp on its machine) and give the join list the addresses"
                            + " of the cluster's members",
                    e);
        }
    }

    @Override
    public String toString() {
        // the port is the first one tried: a member takes the next free one of portCount
        return "ClusterMemberConfig[cluster=" + clusterName + ", join=" + join + ", bind=" + bindAddress + ", port="
                + port + (portCount > 1 ? " or one of the " + (portCount - 1) + " after it" : "") + "]";
    }

    /**
     * Collects the settings of a {@link ClusterMemberConfig}.
     *
     * @implNote Not thread-safe.
     */
    public static final class Builder {
        private final String clusterName;
        private List<String> join = List.of("127.0.0.1");
        private String bindAddress = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private int portCount = 20;
        private int heartbeatSeconds = 1;
        private int maxNoHeartbeatSeconds = 15;

        private Builder(String clusterName) {
            Objects.requireNonNull(clusterName, "clusterName");
            if (!NAME.matcher(clusterName).matches()) {
                throw new IllegalArgumentException(
                        "cluster name must be 1-100 letters, digits, '.', '_' or '-' starting"
                                + " with a letter or digit, got '" + clusterName + "'");
            }
            this.clusterName = clusterName;
        }

        /**
         * @param members addresses of members to join, HOST or HOST:PORT (this member's own may be among them)
         * @return this builder
         * @throws IllegalArgumentException when the list is empty or an entry is invalid
         */
        public Builder join(List<String> members) {
            if (members.isEmpty()) {
                throw new IllegalArgumentException("the join list must name at least one member");
            }
            List<String> j = new ArrayList<>();
            for (String m : members) {
                j.add(checkJoinEntry(Objects.requireNonNull(m, "join entry").strip()));
            }
            this.join = j;
            return this;
        }

        /**
         * @param address the IPv4 address of the interface to bind, or a Hazelcast interface pattern
         *     of one such as {@code 10.1.*.*} or {@code 10.1.0.4-18} (each of its four parts a number
         *     0-255, '*' or a range of such numbers); 127.0.0.1 by default. A host name is not
         *     taken: Hazelcast matches the pattern against the addresses of this machine's interfaces.
         * @return this builder
         * @throws IllegalArgumentException naming the address when it is empty or not such an
         *     address or pattern
         */
        public Builder bindAddress(String address) {
            if (address == null || address.isBlank()) {
                throw new IllegalArgumentException("the bind address must not be empty");
            }
            this.bindAddress = checkBindAddress(address.strip());
            return this;
        }

        /**
         * @param first the first port to try
         * @param count how many ports to try upwards when it is busy (1: exactly this port)
         * @return this builder
         * @throws IllegalArgumentException when out of range
         */
        public Builder port(int first, int count) {
            if (first < 1 || first > 65535) {
                throw new IllegalArgumentException("port must be between 1 and 65535, got " + first);
            }
            if (count < 1 || first + count - 1 > 65535) {
                throw new IllegalArgumentException("port count must be at least 1 and stay below 65536, got " + count);
            }
            this.port = first;
            this.portCount = count;
            return this;
        }

        /**
         * @param intervalSeconds seconds between heartbeats (1 by default)
         * @param maxSilentSeconds seconds without a heartbeat before a member is declared dead (15 by default)
         * @return this builder
         * @throws IllegalArgumentException when not positive or the timeout is not above the interval
         */
        public Builder heartbeat(int intervalSeconds, int maxSilentSeconds) {
            if (intervalSeconds < 1 || maxSilentSeconds <= intervalSeconds) {
                throw new IllegalArgumentException("heartbeat interval must be >= 1 s and the timeout above it, got "
                        + intervalSeconds + " s and " + maxSilentSeconds + " s");
            }
            this.heartbeatSeconds = intervalSeconds;
            this.maxNoHeartbeatSeconds = maxSilentSeconds;
            return this;
        }

        /** @return the configuration */
        public ClusterMemberConfig build() {
            return new ClusterMemberConfig(this);
        }
    }
}

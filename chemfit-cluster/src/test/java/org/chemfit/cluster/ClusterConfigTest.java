package org.chemfit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterConfigTest {

    @Test
    void responsesAreHandledOnTheThreadThatReadsThem() {
        Config c = ClusterMemberConfig.builder("fit-1")
                .join(List.of("127.0.0.1:6001"))
                .build()
                .toHazelcastConfig();
        // Hazelcast ignores a property it does not know, so the name is checked here as Hazelcast spells it
        assertEquals("0", c.getProperty("hazelcast.operation.response.thread.count"));
    }

    @Test
    void everyConfigurationIsClosedToTheOutside() {
        Config c = ClusterMemberConfig.builder("fit-1")
                .join(List.of("127.0.0.1:6001", "node02"))
                .build()
                .toHazelcastConfig();
        assertEquals("fit-1", c.getClusterName());
        assertEquals("false", c.getProperty("hazelcast.phone.home.enabled"));
        assertEquals("false", c.getProperty("hazelcast.socket.bind.any"));
        assertFalse(c.getNetworkConfig().getJoin().getMulticastConfig().isEnabled());
        assertFalse(c.getNetworkConfig().getJoin().getAutoDetectionConfig().isEnabled());
        assertTrue(c.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled());
        assertEquals(
                List.of("127.0.0.1:6001", "node02"),
                c.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
        assertTrue(c.getNetworkConfig().getInterfaces().isEnabled());
        assertEquals(
                List.of("127.0.0.1"),
                List.copyOf(c.getNetworkConfig().getInterfaces().getInterfaces()));
        assertEquals(
                Set0.of(ClusterMemberConfig.NO_JAVA_SERIALIZATION),
                c.getSerializationConfig()
                        .getJavaSerializationFilterConfig()
                        .getWhitelist()
                        .getClasses());
    }

    @Test
    void aConfigurationNotMadeHereIsReportedAsOpen() {
        assertEquals(
                List.of(),
                Dispatcher.openSettings(ClusterMemberConfig.builder("x").build().toHazelcastConfig()));
        Config open = new Config();
        open.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(true);
        assertEquals(
                List.of(
                        "multicast discovery is on",
                        "the phone-home call is not switched off",
                        "Java deserialization is not restricted"),
                Dispatcher.openSettings(open));
    }

    /** Avoids a clash with java.util.Set's generic inference in assertEquals. */
    static final class Set0 {
        static java.util.Set<String> of(String s) {
            return java.util.Set.of(s);
        }
    }

    @Test
    void badSettingsAreNamed() {
        assertEquals(
                "cluster name must be 1-100 letters, digits, '.', '_' or '-' starting with a letter or digit, got 'my fit'",
                assertThrows(IllegalArgumentException.class, () -> ClusterMemberConfig.builder("my fit"))
                        .getMessage());
        assertEquals(
                "join entry 'node01:99999': port must be between 1 and 65535, got 99999",
                assertThrows(IllegalArgumentException.class, () -> ClusterMemberConfig.parseJoinList("node01:99999"))
                        .getMessage());
        assertEquals(
                "join entry 'a:b:c' is not HOST or HOST:PORT",
                assertThrows(IllegalArgumentException.class, () -> ClusterMemberConfig.parseJoinList("x,a:b:c"))
                        .getMessage());
        assertEquals(List.of("node01", "node02:5702"), ClusterMemberConfig.parseJoinList(" node01, node02:5702 ,"));
        assertEquals(
                "the join list is empty: give HOST[:PORT],... , got ' , '",
                assertThrows(IllegalArgumentException.class, () -> ClusterMemberConfig.parseJoinList(" , "))
                        .getMessage());
    }

    /**
     * A bind address is an IPv4 address or a Hazelcast pattern of one: a host name or a number out
     * of range is refused when it is given, before Hazelcast would fail to find a matching
     * interface; a value on the edge of the range is taken.
     */
    @Test
    void aBindAddressIsAnIpv4AddressOrAPatternOfOne() {
        String rule = "the bind address must be an IPv4 address such as 10.1.0.7 or a pattern of one such as 10.*.*.*"
                + " or 10.1.0.4-18, not a host name or an IPv6 address, got ";
        for (String bad :
                List.of("localhost", "node01", "::1", "10.1.0", "10.1.0.7.1", "10.1.0.7:5701", "1234.1.1.1")) {
            assertEquals(
                    rule + "'" + bad + "'",
                    assertThrows(
                                    IllegalArgumentException.class,
                                    () -> ClusterMemberConfig.builder("b").bindAddress(bad))
                            .getMessage());
        }
        assertEquals(
                "the bind address '999.1.1.1' has the part '999': each part of an IPv4 address or pattern is a number"
                        + " 0-255, '*' or a range of such numbers from the lower to the higher",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> ClusterMemberConfig.builder("b").bindAddress("999.1.1.1"))
                        .getMessage());
        assertEquals(
                "the bind address '10.1.0.18-4' has the part '18-4': each part of an IPv4 address or pattern is a"
                        + " number 0-255, '*' or a range of such numbers from the lower to the higher",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> ClusterMemberConfig.builder("b").bindAddress("10.1.0.18-4"))
                        .getMessage());
        for (String good :
                List.of("127.0.0.1", "0.0.0.0", "255.255.255.255", "10.*.*.*", "10.1.0.4-18", " 10.1.0.7 ")) {
            Config c =
                    ClusterMemberConfig.builder("b").bindAddress(good).build().toHazelcastConfig();
            assertEquals(
                    List.of(good.strip()),
                    List.copyOf(c.getNetworkConfig().getInterfaces().getInterfaces()));
        }
    }

    @Test
    void theSecretComesFromTheEnvironmentOrAFileAndIsNeverShown(@TempDir Path dir) throws Exception {
        assertEquals(
                "the cluster secret must be at least 16 bytes long, got 5 (make one with: head -c 32 /dev/urandom | base64)",
                assertThrows(IllegalArgumentException.class, () -> ClusterSecret.of("short"))
                        .getMessage());
        IllegalStateException none =
                assertThrows(IllegalStateException.class, () -> ClusterSecret.fromEnvironment(Map.of()));
        assertTrue(none.getMessage().startsWith("no cluster secret: set CHEMFIT_CLUSTER_SECRET"), none.getMessage());
        Path f = dir.resolve("secret");
        Files.writeString(f, "0123456789abcdef0123\nignored\n");
        ClusterSecret fromFile = ClusterSecret.fromEnvironment(Map.of("CHEMFIT_CLUSTER_SECRET_FILE", f.toString()));
        assertEquals(ClusterSecret.of("0123456789abcdef0123"), fromFile);
        assertEquals("ClusterSecret[hidden]", fromFile.toString());
        Files.writeString(f, "\n");
        assertEquals(
                "the cluster secret file " + f + " is empty",
                assertThrows(IllegalArgumentException.class, () -> ClusterSecret.fromFile(f))
                        .getMessage());
        Path missing = dir.resolve("missing");
        assertEquals(
                "cannot read the cluster secret file " + missing + ": no such file or folder",
                assertThrows(IllegalArgumentException.class, () -> ClusterSecret.fromFile(missing))
                        .getMessage());
    }

    @Test
    void workerMainRefusesASecretOnTheCommandLineAndMissingOptions() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = WorkerMain.run(new String[] {"--secret", "abc"}, new PrintStream(out), new PrintStream(err));
        assertEquals(2, code);
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.startsWith("error: the secret is never given on the command line"), e);
        err.reset();
        assertEquals(2, WorkerMain.run(new String[] {"--cluster", "x"}, new PrintStream(out), new PrintStream(err)));
        assertTrue(
                err.toString(StandardCharsets.UTF_8).startsWith("error: --factory, --cluster and --join are required"));
        err.reset();
        assertEquals(2, WorkerMain.run(new String[] {"--threads", "many"}, new PrintStream(out), new PrintStream(err)));
        assertTrue(
                err.toString(StandardCharsets.UTF_8).startsWith("error: --threads takes a whole number, got 'many'"));
        assertEquals(
                "factory class java.lang.String does not implement org.chemfit.cluster.ObjectiveFactory",
                assertThrows(IllegalArgumentException.class, () -> WorkerMain.loadFactory("java.lang.String"))
                        .getMessage());
        // a constructor that throws: its reason, without the wrapper's or the exception's class name
        String name = RefusingFactory.class.getName();
        assertEquals(
                "factory class " + name + " failed to construct: no licence for the reference data",
                assertThrows(IllegalArgumentException.class, () -> WorkerMain.loadFactory(name))
                        .getMessage());
        String abstractName = AbstractFactory.class.getName();
        String message = assertThrows(IllegalArgumentException.class, () -> WorkerMain.loadFactory(abstractName))
                .getMessage();
        assertTrue(message.startsWith("factory class " + abstractName + " cannot be constructed: "), message);
        assertFalse(message.contains("Exception"), message);
    }

    /** A factory that returns no objective: the worker exits with an error naming its class. */
    @Test
    void aFactoryThatReturnsNoObjectiveIsNamed(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "0123456789abcdef0123\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = WorkerMain.run(
                new String[] {
                    "--factory",
                    NullFactory.class.getName(),
                    "--cluster",
                    "b",
                    "--join",
                    "127.0.0.1",
                    "--secret-file",
                    secret.toString()
                },
                new PrintStream(out),
                new PrintStream(err));
        assertEquals(2, code);
        assertEquals(
                "error: factory class " + NullFactory.class.getName()
                        + " returned no objective: its create(options) returned null" + System.lineSeparator(),
                err.toString(StandardCharsets.UTF_8));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    /** A factory that breaks its contract, for {@link WorkerMain#run}. */
    public static final class NullFactory implements ObjectiveFactory {
        @Override
        @SuppressWarnings("NullAway") // the contract broken on purpose
        public org.chemfit.CombinedObjectiveFunction create(Map<String, String> options) {
            return null;
        }
    }

    /** A factory whose constructor refuses, for {@link WorkerMain#loadFactory}. */
    public static final class RefusingFactory implements ObjectiveFactory {
        public RefusingFactory() {
            throw new IllegalStateException("no licence for the reference data");
        }

        @Override
        public org.chemfit.CombinedObjectiveFunction create(Map<String, String> options) {
            throw new UnsupportedOperationException("never constructed");
        }
    }

    /** A factory that cannot be instantiated, for {@link WorkerMain#loadFactory}. */
    public abstract static class AbstractFactory implements ObjectiveFactory {
        public AbstractFactory() {}
    }
}

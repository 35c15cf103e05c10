package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import com.hazelcast.spi.exception.RetryableHazelcastException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class HazelcastLogTest {

    private static final AtomicInteger NAMES = new AtomicInteger();

    /** @return a Hazelcast logger of the command's factory, its SLF4J level set to {@code level} */
    private static ILogger logger(String level) {
        String name = "com.hazelcast.chemfit.test" + NAMES.incrementAndGet();
        System.setProperty("org.slf4j.simpleLogger.log." + name, level);
        return new HazelcastLog().getLogger(name);
    }

    /** @return what {@code logging} printed on standard error */
    private static String stderr(Consumer<PrintStream> logging) {
        PrintStream before = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        System.setErr(capture);
        try {
            logging.accept(capture);
        } finally {
            System.setErr(before);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * @return the lines of {@code s} without the level that SLF4J's simple logger puts first (its
     *     words depend on the command's options: "error:" or "ERROR")
     */
    private static List<String> messages(String s) {
        return s.lines()
                .map(l -> l.replaceFirst("^(error:|ERROR|\\[ERROR\\]|warning:|WARN|\\[WARN\\]|DEBUG|\\[DEBUG\\]) ", ""))
                .toList();
    }

    private static List<String> stackLines(String s) {
        return s.lines().filter(l -> l.startsWith("\tat ")).toList();
    }

    @Test
    void anErrorWithAnExceptionIsOneLineWithoutVerbose() {
        ILogger log = logger("error");
        String s = stderr(e -> log.severe("Error while executing an operation", new IllegalStateException("boom")));
        assertEquals(
                List.of("Error while executing an operation: java.lang.IllegalStateException: boom"), messages(s), s);
    }

    @Test
    void underVerboseTheStackTraceIsPrinted() {
        ILogger log = logger("info");
        String s = stderr(e -> log.severe("Error while executing an operation", new IllegalStateException("boom")));
        assertTrue(s.contains("java.lang.IllegalStateException: boom"), s);
        assertFalse(stackLines(s).isEmpty(), s);
        assertTrue(stackLines(s).get(0).contains("HazelcastLogTest"), s);
    }

    @Test
    void aFailureThatSaysTheMemberIsShutDownIsNotPrinted() {
        ILogger log = logger("error");
        String s = stderr(e -> {
            // as Hazelcast's migration logs it when SIGTERM stops a worker during a migration
            log.severe(
                    "Error while executing replication operations MigrationInfo{partitionId=5}",
                    new RetryableHazelcastException("HazelcastInstance[[127.0.0.1]:36622] is not active!"));
            log.warning("an operation failed", new RuntimeException(new HazelcastInstanceNotActiveException()));
            log.severe(new HazelcastInstanceNotActiveException("Hazelcast instance is not active!"));
        });
        assertEquals("", s);
        // another retryable failure is still an error the user sees
        String other = stderr(e -> log.severe("no", new RetryableHazelcastException("partition is migrating")));
        assertEquals(
                List.of("no: com.hazelcast.spi.exception.RetryableHazelcastException: partition is migrating"),
                messages(other),
                other);
    }

    @Test
    void levelsFollowTheSlf4jLoggersLevel() {
        ILogger warn = logger("warn");
        assertEquals(Level.WARNING, warn.getLevel());
        assertTrue(warn.isLoggable(Level.SEVERE));
        assertTrue(warn.isWarningEnabled());
        assertFalse(warn.isInfoEnabled());
        assertFalse(warn.isFineEnabled());
        assertFalse(warn.isLoggable(Level.OFF));
        ILogger debug = logger("debug");
        assertEquals(Level.FINE, debug.getLevel());
        assertTrue(debug.isFineEnabled());
        assertFalse(debug.isFinestEnabled());
        assertEquals(Level.FINEST, logger("trace").getLevel());
        assertEquals(Level.OFF, logger("off").getLevel());

        String s = stderr(e -> {
            warn.info("not shown");
            warn.warning("shown");
            debug.fine("a detail");
            debug.finest("not shown either");
        });
        assertEquals(List.of("shown", "a detail"), messages(s), s);
    }

    @Test
    void configurationMessagesAreInfoAsUnderHazelcastsOwnSlf4jLogging() {
        ILogger info = logger("info");
        ILogger warn = logger("warn");
        assertTrue(info.isLoggable(Level.CONFIG));
        assertFalse(warn.isLoggable(Level.CONFIG));
        String s = stderr(e -> {
            info.log(Level.CONFIG, "a setting");
            warn.log(Level.CONFIG, "not shown");
        });
        assertEquals(
                List.of("a setting"),
                messages(s).stream()
                        .map(l -> l.replaceFirst("^\\[?INFO\\]? ", ""))
                        .toList(),
                s);
    }

    @Test
    void anExceptionWithoutAMessageAndCausesThatLoopAreStillOneLine() {
        ILogger log = logger("error");
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b); // a cycle: the check for a member shut down ends all the same
        String s = stderr(e -> {
            log.severe(b);
            log.severe("", new IllegalStateException("c"));
        });
        assertEquals(List.of("java.lang.RuntimeException: b", "java.lang.IllegalStateException: c"), messages(s), s);
    }

    @Test
    void hazelcastUsesTheFactoryNamedByTheCommand() {
        String before = System.getProperty("hazelcast.logging.class");
        System.setProperty("hazelcast.logging.class", HazelcastLog.class.getName());
        try {
            // as a member's logging service asks for its factory, its logging type being slf4j
            assertInstanceOf(HazelcastLog.class, Logger.newLoggerFactory("slf4j"));
        } finally {
            if (before == null) {
                System.clearProperty("hazelcast.logging.class");
            } else {
                System.setProperty("hazelcast.logging.class", before);
            }
        }
    }
}

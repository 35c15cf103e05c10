package org.chemfit.cli;

import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.logging.AbstractLogger;
import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.LogEvent;
import com.hazelcast.logging.LoggerFactorySupport;
import java.util.logging.Level;
import org.jspecify.annotations.Nullable;

/**
 * Hazelcast's log as the {@code chemfit} command prints it: through SLF4J, like Hazelcast's own
 * {@code slf4j} logging type, with two differences that keep stack traces from reaching a user who
 * did not ask for them.
 *
 * <ul>
 *   <li>A message with an exception prints the exception's one-line description instead of its
 *       stack trace, unless the logger's info level is on ({@code --verbose}).
 *   <li>A failure caused by a member being shut down (Hazelcast's "instance is not active", as
 *       when SIGTERM stops a worker while a partition is migrating to it, or a worker that goes
 *       away answers the driver so) is logged at debug level: the member is going away on purpose
 *       and Hazelcast recovers on the members that stay.
 * </ul>
 *
 * <p>Hazelcast creates this factory by its class name, from the system property {@code
 * hazelcast.logging.class} that {@link BaseCommand} sets; hence the public no-argument constructor.
 * Written by hand because no logging library rewrites Hazelcast's records this way.
 */
public final class HazelcastLog extends LoggerFactorySupport {

    /** Creates the factory; Hazelcast calls this by reflection. */
    public HazelcastLog() {}

    @Override
    protected ILogger createLogger(String name) {
        return new CommandLogger(org.slf4j.LoggerFactory.getLogger(name));
    }

    /**
     * @param t an exception that Hazelcast logs
     * @return whether it, or one of its causes, says that the member is shut down
     */
    static boolean memberIsDown(@Nullable Throwable t) {
        int depth = 0;
        for (Throwable c = t; c != null && depth < 32; c = c.getCause(), depth++) { // causes may loop
            if (c instanceof HazelcastInstanceNotActiveException) {
                return true;
            }
            // RetryableHazelcastException("HazelcastInstance[...] is not active!"): the same fact,
            // raised by the member's node engine while it shuts down
            String m = c.getMessage();
            if (m != null && m.startsWith("HazelcastInstance[") && m.endsWith("is not active!")) {
                return true;
            }
        }
        return false;
    }

    /** One Hazelcast logger, written to the SLF4J logger of the same name. */
    private static final class CommandLogger extends AbstractLogger {
        private final org.slf4j.Logger log;

        CommandLogger(org.slf4j.Logger log) {
            this.log = log;
        }

        @Override
        public void log(Level level, @Nullable String message) {
            log(level, message, null);
        }

        @Override
        public void log(Level level, @Nullable String message, @Nullable Throwable thrown) {
            int v = level.intValue();
            if (thrown != null && memberIsDown(thrown)) {
                if (log.isDebugEnabled()) {
                    log.debug((message == null ? "" : message + " ") + "(the member is shut down: " + thrown + ")");
                }
                return;
            }
            if (!isLoggable(level)) {
                return;
            }
            if (thrown != null && !log.isInfoEnabled()) {
                // the exception in one line: its stack trace is for --verbose
                // severe(Throwable) gives the exception's own message as the message: said once
                message = message == null || message.isEmpty() || message.equals(thrown.getMessage())
                        ? thrown.toString()
                        : message + ": " + thrown;
                thrown = null;
            }
            if (v >= Level.SEVERE.intValue()) {
                log.error(message, thrown);
            } else if (v >= Level.WARNING.intValue()) {
                log.warn(message, thrown);
            } else if (v >= Level.CONFIG.intValue()) {
                log.info(message, thrown);
            } else if (v >= Level.FINER.intValue()) {
                log.debug(message, thrown);
            } else {
                log.trace(message, thrown);
            }
        }

        @Override
        @SuppressWarnings("removal") // deprecated in ILogger, yet abstract: every logger implements it
        public void log(LogEvent event) {
            java.util.logging.LogRecord r = event.getLogRecord();
            log(r.getLevel(), r.getMessage(), r.getThrown());
        }

        @Override
        public Level getLevel() {
            if (log.isTraceEnabled()) {
                return Level.FINEST;
            } else if (log.isDebugEnabled()) {
                return Level.FINE;
            } else if (log.isInfoEnabled()) {
                return Level.INFO;
            } else if (log.isWarnEnabled()) {
                return Level.WARNING;
            } else if (log.isErrorEnabled()) {
                return Level.SEVERE;
            }
            return Level.OFF;
        }

        @Override
        public boolean isLoggable(Level level) {
            int v = level.intValue();
            if (v == Level.OFF.intValue()) {
                return false;
            } else if (v >= Level.SEVERE.intValue()) {
                return log.isErrorEnabled();
            } else if (v >= Level.WARNING.intValue()) {
                return log.isWarnEnabled();
            } else if (v >= Level.CONFIG.intValue()) {
                return log.isInfoEnabled();
            } else if (v >= Level.FINER.intValue()) {
                return log.isDebugEnabled();
            }
            return log.isTraceEnabled();
        }
    }
}

package org.chemfit.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.chemfit.dashboard.Dashboard;
import org.jspecify.annotations.Nullable;

/**
 * The dashboard that {@code chemfit fit --dashboard} runs beside a fit: started before the first
 * evaluation, stopped when the fit's results are written.
 *
 * <pre>{@code
 * try (LiveDashboard d = LiveDashboard.start(8050, folder, err)) {
 *     fitter.fit();
 * }
 * }</pre>
 *
 * @implNote One per fit; close it once.
 */
final class LiveDashboard implements AutoCloseable {

    /** The port of {@code --dashboard} and of {@code chemfit dashboard} when none is given. */
    static final int DEFAULT_PORT = 8050;

    private final @Nullable Dashboard dashboard;

    private LiveDashboard(@Nullable Dashboard dashboard) {
        this.dashboard = dashboard;
    }

    /**
     * @param port the port, or null for no dashboard
     * @param folder the fit's output folder
     * @param err where the address is printed
     * @return the running dashboard (a no-op when port is null)
     * @throws BaseCommand.UserException when the port is invalid or cannot be bound
     */
    static LiveDashboard start(@Nullable Integer port, Path folder, PrintWriter err) {
        if (port == null) {
            return new LiveDashboard(null);
        }
        Dashboard d = open(Dashboard.builder(folder), port, null, false, "--dashboard=PORT");
        err.println("dashboard: " + d.url());
        err.flush();
        return new LiveDashboard(d);
    }

    /**
     * Starts a dashboard, turning a refused address or port into a user's error.
     *
     * @param portOption how the command's user chooses the port, for the message
     */
    static Dashboard open(
            Dashboard.Builder b, int port, @Nullable String bind, boolean allowRemote, String portOption) {
        try {
            b.port(port).allowRemote(allowRemote);
            if (bind != null) {
                b.bind(bind);
            }
            return b.start();
        } catch (IllegalArgumentException e) {
            throw new BaseCommand.UserException(e.getMessage());
        } catch (UncheckedIOException e) {
            throw new BaseCommand.UserException(e.getMessage()
                    + (port != 0 ? " (choose another with " + portOption + ", or 0 for any free port)" : ""));
        }
    }

    /**
     * Reads {@code --dashboard}'s optional port: the next argument when it is a number, else the
     * default port. (Picocli's own optional value would take the job file after
     * {@code --dashboard JOB} as the port and fail.)
     *
     * @implNote Stateless.
     */
    static final class OptionalPort implements picocli.CommandLine.IParameterConsumer {
        @Override
        public void consumeParameters(
                java.util.Stack<String> args,
                picocli.CommandLine.Model.ArgSpec spec,
                picocli.CommandLine.Model.CommandSpec command) {
            // a number, or what looks like one (a sign), is the port: one out of range is refused
            // as such rather than left for the job file's place
            boolean given = !args.isEmpty() && args.peek().matches("[-+]?\\d{1,9}");
            spec.setValue(given ? Integer.parseInt(args.pop()) : DEFAULT_PORT);
        }
    }

    @Override
    public void close() {
        if (dashboard != null) {
            dashboard.close();
        }
    }
}

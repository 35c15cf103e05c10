package org.chemfit.cli;

import java.nio.file.Path;
import org.chemfit.dashboard.Dashboard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code chemfit dashboard DIR}: serves a local web page that shows the fit of the output folder
 * DIR, live while it runs and after it finished, until Ctrl-C. The page's address, with its access
 * token, is printed.
 *
 * <pre>{@code
 * chemfit dashboard examples/argon/results --port 8050
 * }</pre>
 *
 * @implNote One instance per command line.
 */
@Command(
        name = "dashboard",
        description =
                "Serve a web page showing the fit whose output folder is DIR (running or finished), until Ctrl-C.")
final class DashboardCommand extends BaseCommand {

    @Parameters(paramLabel = "DIR", description = "A fit's output folder (its journal may not exist yet).")
    Path dir;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "" + LiveDashboard.DEFAULT_PORT,
            description = "The port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--bind",
            paramLabel = "HOST",
            defaultValue = "127.0.0.1",
            description =
                    "The address to listen on (default: ${DEFAULT-VALUE}); another than a loopback address needs --allow-remote.")
    String bind = "127.0.0.1"; // picocli sets the default too

    @Option(
            names = "--allow-remote",
            description =
                    "Allow --bind to an address other machines reach (the token then travels unencrypted; prefer an SSH tunnel).")
    boolean allowRemote;

    @Override
    int execute() {
        requireOutputFolder(dir);
        Dashboard d = LiveDashboard.open(Dashboard.builder(dir), port, bind, allowRemote, "--port PORT");
        Thread hook = new Thread(d::close, "chemfit-dashboard-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        out().println("dashboard of " + dir.toAbsolutePath().normalize() + ": " + d.url());
        out().println("(Ctrl-C stops it)");
        out().flush();
        try {
            while (true) {
                Thread.sleep(Long.MAX_VALUE);
            }
        } catch (InterruptedException e) {
            // stopped by the caller (a test, or an embedding program)
            Thread.currentThread().interrupt();
        } finally {
            d.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs (closing twice does no harm)
            }
        }
        return ExitCodes.OK;
    }
}

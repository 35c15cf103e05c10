package org.chemfit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.chemfit.dashboard.Dashboard;
import org.jspecify.annotations.Nullable;
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
        if (allowRemote && loopback(bind)) {
            // as fit refuses its cluster options without --cluster: the dashboard would not be reached
            throw new UserException("--allow-remote lets --bind name an address other machines reach, but the"
                    + " dashboard would listen on " + bind + ", which only this machine reaches; give --bind ADDRESS"
                    + " with it, or leave it out");
        }
        requireOutputFolder(dir);
        String hint = hint(dir);
        if (hint != null) {
            err().println(hint);
        }
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

    /**
     * A hint for a folder given in place of an output folder: when it holds neither a journal nor
     * results.json, the output folders that do, of the job files in it ({@code output.folder},
     * "results" by default) or else its one subfolder that does.
     *
     * @param given the folder given
     * @return "no journal here; did you mean results/ (it holds journal.sqlite)?", or null when
     *     the folder holds a journal or results.json, or no such folder is found
     */
    static @Nullable String hint(Path given) {
        Path dir = given.toAbsolutePath().normalize();
        if (holds(dir) != null) {
            return null;
        }
        List<Path> found = outputFoldersIn(given);
        if (found.isEmpty()) {
            return null;
        }
        List<String> named = new ArrayList<>();
        for (Path f : found) {
            String shown = f.startsWith(dir) ? dir.relativize(f) + "/" : f.toString();
            named.add(shown + " (it holds " + holds(f) + ")");
        }
        return "no journal here; did you mean " + String.join(" or ", named) + "?";
    }

    /**
     * The output folders of fits that a folder given in place of one leads to: those of the job
     * files in it ({@code output.folder}, "results" by default) that hold a journal or results.json,
     * or else its one subfolder that holds one.
     *
     * @param given the folder given
     * @return those folders, absolute and normalised; none when there are none or the folder cannot be listed
     */
    static List<Path> outputFoldersIn(Path given) {
        Path dir = given.toAbsolutePath().normalize();
        List<Path> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (Files.isRegularFile(f) && (name.endsWith(".yaml") || name.endsWith(".yml"))) {
                    Path out = outputFolder(f);
                    if (out != null && holds(out) != null && !found.contains(out)) {
                        found.add(out);
                    }
                }
            }
            if (found.isEmpty()) {
                try (Stream<Path> sub = Files.list(dir)) {
                    List<Path> folders = sub.map(Path::normalize)
                            .filter(Files::isDirectory)
                            .filter(f -> holds(f) != null)
                            .sorted()
                            .toList();
                    if (folders.size() == 1) {
                        found.add(folders.get(0));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return List.of(); // a folder that cannot be listed: no hint
        }
        return found;
    }

    /** @return the journal's or results.json's file name, whichever the folder holds first, else null */
    static @Nullable String holds(Path folder) {
        for (String f : List.of(org.chemfit.journal.Journal.DEFAULT_FILE_NAME, Results.FILE)) {
            if (Files.isRegularFile(folder.resolve(f))) {
                return f;
            }
        }
        return null;
    }

    /** @return the output folder a job file names (normalised), or null when it is not a job file */
    private static @Nullable Path outputFolder(Path job) {
        try {
            Object tree = new ObjectMapper(new YAMLFactory()).readValue(job.toFile(), Object.class);
            if (!(tree instanceof Map<?, ?> m) || !m.containsKey("terms")) {
                return null;
            }
            Object folder = m.get("output") instanceof Map<?, ?> o ? o.get("folder") : null;
            Path base = job.toAbsolutePath().getParent();
            if (base == null) {
                return null;
            }
            return base.resolve(folder instanceof String f ? f : OutputReader.DEFAULT_FOLDER)
                    .normalize();
        } catch (IOException | RuntimeException e) {
            return null; // not YAML, or not a job file
        }
    }

    /** @return whether the address is this machine's loopback (127.0.0.1, ::1, localhost) */
    private static boolean loopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false; // said by the dashboard's own check of the address
        }
    }
}

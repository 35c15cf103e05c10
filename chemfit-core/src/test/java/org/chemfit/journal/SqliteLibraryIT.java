package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;

/**
 * Processes killed while their journal is open leave nothing of SQLite's native library behind in
 * the temporary folder, and later processes load the one kept copy.
 */
class SqliteLibraryIT {

    private static final String USER = System.getProperty("user.name");

    @TempDir
    Path dir;

    private static Process start(Path tmp, Path journal, String mode, String... jvm) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-Djava.io.tmpdir=" + tmp));
        cmd.addAll(List.of(jvm));
        cmd.addAll(List.of("-cp", cp, SqliteLibraryDriver.class.getName(), journal.toString(), mode));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** @return the driver's line saying which library it was told to load, once its journal is open */
    private static String opened(Process p) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line = CompletableFuture.supplyAsync(() -> {
                    try {
                        for (String l = r.readLine(); l != null; l = r.readLine()) {
                            if (l.startsWith("open ")) {
                                return l;
                            }
                            seen.append(l).append('\n');
                        }
                        return null;
                    } catch (IOException e) {
                        return null;
                    }
                })
                .get(120, TimeUnit.SECONDS);
        assertTrue(line != null, () -> "the driver did not open its journal:\n" + seen);
        return line;
    }

    private static List<String> names(Path folder) throws IOException {
        try (var s = Files.list(folder)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static void kill(Process p) throws InterruptedException {
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no deleteOnExit
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue());
    }

    @Test
    void killedProcessesLeaveNoCopyOfTheLibraryBehindAndLaterOnesLoadTheKeptOne() throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        Path kept = tmp.resolve(SqliteLibrary.folderName(USER));
        for (int i = 0; i < 2; i++) {
            Process p = start(tmp, dir.resolve("journal-" + i), "wait");
            String line = opened(p);
            kill(p);
            List<String> lib = names(kept);
            assertEquals(1, lib.size(), lib::toString);
            assertTrue(
                    lib.get(0).startsWith("chemfit-sqlitejdbc-" + SQLiteJDBCLoader.getVersion() + "-"), lib::toString);
            // loaded from the kept copy, and sqlite-jdbc's properties are cleared once it is loaded
            assertEquals("open " + kept.resolve(lib.get(0)) + " properties null null null", line);
            // sqlite-jdbc wrote no copy of its own: the temporary folder holds the kept folder only
            assertEquals(List.of(kept.getFileName().toString()), names(tmp));
        }
        Process p = start(tmp, dir.resolve("journal-0"), "end");
        String line = opened(p);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertEquals("open " + kept.resolve(names(kept).get(0)) + " properties null null null", line);
        assertEquals(1, names(kept).size());
        assertEquals(List.of(kept.getFileName().toString()), names(tmp));
    }

    @Test
    void aKeptCopyThatCannotBeLoadedLeavesTheLoadingToSqliteJdbc() throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("missing"));
        Process p = start(tmp, dir.resolve("journal"), "missing");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        // (sqlite-jdbc logs why the kept copy could not be loaded)
        List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
        assertTrue(lines.contains("loaded from the kept copy: false"), out);
        // sqlite-jdbc's own copy, in the temporary folder: the journal opened all the same
        String open =
                lines.stream().filter(l -> l.startsWith("open ")).findFirst().orElseThrow();
        assertTrue(
                open.startsWith("open " + tmp.resolve("sqlite-" + SQLiteJDBCLoader.getVersion() + "-"))
                        && open.endsWith(" properties null null null"),
                out);
    }

    @Test
    void sqliteJdbcsOwnSettingIsLeftAloneAndThenAKilledProcessLeavesItsCopy() throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("own"));
        Process p = start(tmp, dir.resolve("journal"), "wait", "-Dorg.sqlite.tmpdir=" + tmp);
        String line = opened(p);
        kill(p);
        // what every killed process left before: the library's copy and its lock, for good
        List<String> left = names(tmp);
        assertEquals(2, left.size(), left::toString);
        String prefix = "sqlite-" + SQLiteJDBCLoader.getVersion() + "-";
        assertTrue(left.get(0).startsWith(prefix) && left.get(0).endsWith(".so"), left::toString);
        assertEquals(left.get(0) + ".lck", left.get(1));
        assertEquals("open " + tmp.resolve(left.get(0)) + " properties null null " + tmp, line);
    }
}

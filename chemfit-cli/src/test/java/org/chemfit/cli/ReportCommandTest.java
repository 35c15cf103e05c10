package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.chemfit.Bounds;
import org.chemfit.ObjectiveFunction;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.JournalException;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code chemfit report} on the output folders of real fits, whole or with files missing. */
class ReportCommandTest {

    @TempDir
    Path tmp;

    /** @return the output folder of a real fit of 5 evaluations, without plots */
    private Path fit() throws Exception {
        InterruptIT.writeSlowLatticeJob(tmp, 2);
        Cli.Run r = fitAgain(5);
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        return tmp.resolve("out");
    }

    /** @return the fit of {@link #fit} run in its folder with this budget, without plots */
    private Cli.Run fitAgain(int budget) {
        return Cli.run(
                "fit",
                tmp.resolve("fit.yaml").toString(),
                "--max-evaluations",
                Integer.toString(budget),
                "--progress",
                "none",
                "--no-plots");
    }

    /**
     * A folder whose files only bear a fit's names (an evaluations.csv of someone else's, a text file
     * named journal.sqlite) is no fit's: the report says so, exits 2 and makes no plots folder.
     */
    @Test
    void aFolderOfFilesThatOnlyBearAFitsNamesIsRefused() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Files.writeString(a.resolve("evaluations.csv"), "x,y\n1,2\n3,4\n");
        Cli.Run csv = Cli.run("report", a.toString());
        assertEquals(ExitCodes.USAGE, csv.code(), csv::toString);
        assertTrue(
                csv.err()
                        .equals("error: " + a + " holds nothing of a fit that chemfit can read: evaluations.csv is"
                                + " not one chemfit wrote (its first line is 'x,y', not 'evaluation,loss,best_loss,...');"
                                + " give the output folder of a fit\n"),
                csv::toString);
        assertFalse(Files.exists(a.resolve("plots")), "no plots folder made");

        Path b = Files.createDirectories(tmp.resolve("b"));
        Files.writeString(b.resolve("journal.sqlite"), "hello\n");
        Cli.Run journal = Cli.run("report", b.toString());
        assertEquals(ExitCodes.USAGE, journal.code(), journal::toString);
        assertTrue(
                journal.err()
                        .endsWith("error: " + b + " holds nothing of a fit that chemfit can read: journal.sqlite"
                                + " cannot be read (file " + b.resolve("journal.sqlite") + " is not a ChemFit"
                                + " journal: it is a text file, not an SQLite database (it begins 'hello'); a fit's"
                                + " journal is the file journal.sqlite in its output folder); give the output folder"
                                + " of a fit\n"),
                journal::toString);
        assertFalse(Files.exists(b.resolve("plots")), "no plots folder made");
    }

    /**
     * A fit stopped while it started can leave an empty journal.sqlite and nothing else: the report
     * says what such a file is, and the fit started again in that folder runs there.
     */
    @Test
    void anEmptyJournalLeftByAFitStoppedAtItsStartIsNamedAndTheFitRunsOverIt() throws Exception {
        InterruptIT.writeSlowLatticeJob(tmp, 2);
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.createFile(out.resolve("journal.sqlite"));
        Cli.Run report = Cli.run("report", out.toString());
        assertEquals(ExitCodes.USAGE, report.code(), report::toString);
        assertTrue(
                report.err()
                        .endsWith("error: " + out + " holds nothing of a fit that chemfit can read: journal.sqlite"
                                + " cannot be read (journal " + out.resolve("journal.sqlite") + " is empty: no fit"
                                + " has written to it yet (a fit stopped while it started leaves such a file, and a"
                                + " fit started again on it begins there)); give the output folder of a fit\n"),
                report::toString);
        assertFalse(Files.exists(out.resolve("plots")), "no plots folder made");

        Cli.Run fit = fitAgain(3);
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        try (JournalReader reader = JournalReader.openReadOnly(out.resolve("journal.sqlite"))) {
            assertEquals(1, reader.runs().size(), fit::toString);
            assertEquals(3, reader.evaluations(reader.runs().get(0).id()).size(), fit::toString);
        }
    }

    /** A fit's evaluations.csv saved again by a spreadsheet, which puts a byte-order mark first, is still read. */
    @Test
    void anEvaluationsCsvWithAByteOrderMarkIsRead() throws Exception {
        Path out = fit();
        Path c = Files.createDirectories(tmp.resolve("c"));
        Files.writeString(c.resolve("evaluations.csv"), "\uFEFF" + Files.readString(out.resolve("evaluations.csv")));
        Cli.Run r = Cli.run("report", c.toString(), "--no-plots");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(
                r.out()
                        .startsWith(c + ": no results.json (the fit is running, or stopped before writing it); 5"
                                + " evaluations in evaluations.csv\n"),
                r::toString);
    }

    @Test
    void htmlWithoutAJournalIsRefusedBeforeAnythingIsPrintedOrDrawn() throws Exception {
        Path out = fit();
        Files.delete(out.resolve("journal.sqlite"));
        Files.deleteIfExists(out.resolve("journal.sqlite-wal"));
        Files.deleteIfExists(out.resolve("journal.sqlite-shm"));
        Cli.Run r = Cli.run("report", out.toString(), "--html");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals("", r.out(), r::toString);
        assertEquals(
                "error: " + out + " holds no journal.sqlite; report.html is drawn from the journal (without --html the"
                        + " report prints the tables and draws the plots)",
                r.err().strip(),
                r::toString);
        assertFalse(Files.exists(out.resolve("plots")), r::toString);
        assertFalse(Files.exists(out.resolve("report.html")), r::toString);

        // without --html the same folder is reported
        Cli.Run plain = Cli.run("report", out.toString(), "--no-plots");
        assertEquals(ExitCodes.OK, plain.code(), plain::toString);
        assertTrue(plain.out().startsWith("fit: done (max evaluations) after 5 evaluations, "), plain::toString);
    }

    /** An evaluations.csv whose header names a column twice is refused, naming the file, line 1, the name and both columns. */
    @Test
    void anEvaluationsCsvThatNamesAColumnTwiceIsRefused() throws Exception {
        Path out = tmp.resolve("edited");
        Files.createDirectories(out);
        Files.writeString(
                out.resolve("evaluations.csv"),
                "evaluation,loss,best_loss,seconds,failed_terms,eps,sig,eps,term:a\n1,2.0,2.0,0.1,0,1.0,2.0,3.0,2.0\n");
        Cli.Run r = Cli.run("report", out.toString(), "--no-plots");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals("", r.out(), r::toString);
        assertEquals(
                "error: " + out.resolve("evaluations.csv") + ":1: column 'eps' is named twice in the header, in"
                        + " columns 6 and 8; only the first would be read (chemfit fit names each column once: the file"
                        + " was changed after it was written)",
                r.err().strip(),
                r::toString);
    }

    /**
     * A row of evaluations.csv that was written whole but is not one of numbers is reported with the
     * file, its line and the value, and left out; the report goes on. A last line without its line
     * break (being written, or cut short by a crash) is left out without a word.
     */
    @Test
    void aMalformedRowOfEvaluationsCsvIsReportedWithItsLineAndLeftOut() throws Exception {
        Path out = tmp.resolve("running");
        Files.createDirectories(out);
        Path csv = out.resolve("evaluations.csv");
        Files.writeString(
                csv,
                String.join(
                        "\n",
                        "evaluation,loss,best_loss,seconds,failed_terms,eps,sig,term:a",
                        "1,2.0,2.0,0.1,0,1.0,2.0,2.0",
                        "2,1.5,1.5,0.1,0,1.1,2.0,1.5",
                        "3,1.8,1.5,0.1,0,1.2,2.0,1.8",
                        "4,1.2,1.2,0.1,0,1.3,2.0,1.2",
                        "5,1.3,1.2,0.1,0,1.4,2.0,1.3",
                        "6,abc,1,1,0,1,1,1",
                        "7,0.5,0.5,0.1,0,1.5,2.5,0.5",
                        "8,0.5,0.5,0.1,x",
                        "9,0.4,0.4,0.1,0,1.6,2.5,0.4",
                        "10,0.3e"));
        Cli.Run r = Cli.run("report", out.toString(), "--no-plots");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals(
                List.of(
                        "warning: " + csv + ":7: expected a number in column 'loss', got 'abc'; the row is left out"
                                + " of the report",
                        "warning: " + csv + ":9: expected a whole number in column 'failed_terms', got 'x'; the row"
                                + " is left out of the report"),
                r.err().lines().toList(),
                r::toString);
        List<String> lines = r.out().lines().toList();
        assertEquals(
                out + ": no results.json (the fit is running, or stopped before writing it); 7 evaluations in"
                        + " evaluations.csv",
                lines.get(0),
                r::toString);
        assertTrue(
                lines.get(1).startsWith("best loss so far: ") && lines.get(1).endsWith(" at evaluation 9"),
                r::toString);
        assertEquals(List.of("  eps = 1.6", "  sig = 2.5"), lines.subList(2, 4), r::toString);
    }

    /**
     * A header name in quotes may hold a line break (a term named so): a row's line in a warning is
     * the physical line it starts on, counting the header's two. A quote opened in a row (the fit
     * writes none there) and never closed takes the rest of the file into one field: it is warned
     * of at its line, and the rows before it are read.
     */
    @Test
    void aRowsLineIsItsPhysicalLineAfterAHeaderOfTwoAndALineOfSpacesAndAnUnclosedQuoteIsWarnedOf() throws Exception {
        Path out = tmp.resolve("quoted");
        Files.createDirectories(out);
        Path csv = out.resolve("evaluations.csv");
        Files.writeString(
                csv,
                String.join(
                        "\n",
                        "evaluation,loss,best_loss,seconds,failed_terms,eps,\"term:a",
                        "b\",\"term:c,d\"",
                        "1,2.0,2.0,0.1,0,1.0,1.5,0.5",
                        "   ",
                        "2,abc,2.0,0.1,0,1.1,1.5,0.5",
                        "3,1.5,1.5,0.1,0,1.2,1.0,0.5",
                        "4,\"1.0,1.0,0.1,0,1.3,0.5,0.5",
                        "5,0.5,0.5,0.1,0,1.4,0.2,0.3",
                        ""));
        Cli.Run r = Cli.run("report", out.toString(), "--no-plots");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals(
                List.of(
                        "warning: " + csv + ":5: expected a number in column 'loss', got 'abc'; the row is left out"
                                + " of the report",
                        "warning: " + csv + ":7: a quote opened in this line is not closed by the end of the file;"
                                + " the lines from there on are left out of the report"),
                r.err().lines().toList(),
                r::toString);
        assertEquals(
                List.of(
                        out + ": no results.json (the fit is running, or stopped before writing it); 2 evaluations in"
                                + " evaluations.csv",
                        "best loss so far: 1.5 at evaluation 3",
                        "  eps = 1.2"),
                r.out().lines().toList(),
                r::toString);
    }

    /**
     * A program using the library: fits one parameter, every evaluation 0.3 s, with a journal in
     * the folder given, until it is killed.
     */
    static final class LibraryFit {

        private LibraryFit() {}

        public static void main(String[] args) {
            ObjectiveFunction slow = p -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                double x = p.get("x");
                return (x - 1) * (x - 1);
            };
            try (JournalReader j = JournalReader.open(Path.of(args[0]))) {
                new Fitter(slow, Map.of("x", 0.2))
                        .bounds(Bounds.of(Map.of("x", List.of(-3.0, 3.0))))
                        .maxEvaluations(100000)
                        .journal(j)
                        .fit("Nelder-Mead");
            }
        }
    }

    /** @return the finished evaluations of the journal's latest run, -1 while there is none to read */
    private static int finished(Path dir) {
        if (!Files.exists(dir.resolve("journal.sqlite"))) {
            return -1;
        }
        try (JournalReader j = JournalReader.openReadOnly(dir)) {
            return j.latestRun().map(r -> FitRun.finished(j, r.id())).orElse(-1);
        } catch (JournalException e) {
            return -1; // the program has not created the schema yet
        }
    }

    @Test
    void aKilledLibraryFitIsNotSaidToBeResumedByChemfitFit() throws Exception {
        Path dir = tmp.resolve("library");
        Files.createDirectories(dir);
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        LibraryFit.class.getName(),
                        dir.toString())
                .redirectOutput(tmp.resolve("stdout.txt").toFile())
                .redirectError(tmp.resolve("stderr.txt").toFile())
                .start();
        try {
            Awaitility.await()
                    .atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(50))
                    .failFast(() -> assertTrue(p.isAlive(), () -> "the program ended\n" + InterruptIT.output(tmp)))
                    .until(() -> finished(dir) >= 2);
        } finally {
            // SIGKILL: the run stays RUNNING in the journal, as after a crash
            p.destroyForcibly();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        }
        int recorded = finished(dir);
        Cli.Run r = Cli.run("report", dir.toString(), "--no-plots");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        String first = r.out().lines().findFirst().orElse("");
        assertTrue(
                first.startsWith(dir + ": stopped without finishing: its fit (pid " + p.pid() + " on "), r::toString);
        assertTrue(
                first.endsWith(") has ended, killed or out of time; its program resumes it, run again with the same"
                        + " objective and JournalMode.resumeLatest() (`chemfit fit` did not write it: its settings name"
                        + " no job file) (no results.json); " + recorded + " evaluations so far"),
                r::toString);
        // its objective is the program's own: no external term of a job file is known to have left programs
        assertEquals(
                "stopped: the fit was killed (or ran out of time) without ending its run; what it recorded in the"
                        + " journal (" + recorded + " evaluations) is intact, and a resume takes those results rather"
                        + " than computing them again",
                r.out().lines().toList().get(1),
                r::toString);
    }

    /**
     * Takes the journal's lock as a fit does (an exclusive lock on {@code journal.sqlite.lock}, held by
     * the process), says "locked" and holds it until its standard input ends: a fit whose process id
     * cannot be seen from here, as one in another PID namespace.
     */
    static final class LockHolder {

        private LockHolder() {}

        public static void main(String[] args) throws Exception {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(
                    Path.of(args[0]),
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.READ,
                    java.nio.file.StandardOpenOption.WRITE)) {
                java.nio.channels.FileLock lock = ch.tryLock();
                System.out.println(lock == null ? "not locked" : "locked");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // held until the test closes its input
                }
            }
        }
    }

    /**
     * A run whose recorded process is gone while another process holds the journal's lock (a fit in
     * another PID namespace, whose process id is not this one's) is running: report and eval say so,
     * and call it stopped once the lock is let go.
     */
    @Test
    void aRunWhoseJournalIsLockedIsRunningThoughItsProcessIsNotSeen() throws Exception {
        Path dir = tmp.resolve("locked");
        Files.createDirectories(dir);
        Process fit = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        LibraryFit.class.getName(),
                        dir.toString())
                .redirectOutput(tmp.resolve("stdout.txt").toFile())
                .redirectError(tmp.resolve("stderr.txt").toFile())
                .start();
        try {
            Awaitility.await()
                    .atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(50))
                    .failFast(() -> assertTrue(fit.isAlive(), () -> "the program ended\n" + InterruptIT.output(tmp)))
                    .until(() -> finished(dir) >= 2);
        } finally {
            fit.destroyForcibly(); // the run stays RUNNING, its pid gone
            assertTrue(fit.waitFor(60, TimeUnit.SECONDS));
        }
        int recorded = finished(dir);
        Path lockOut = tmp.resolve("lock.txt");
        Process holder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        LockHolder.class.getName(),
                        dir.resolve("journal.sqlite.lock").toString())
                .redirectOutput(lockOut.toFile())
                .redirectError(tmp.resolve("lock-stderr.txt").toFile())
                .start();
        Path job = tmp.resolve("x.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters: {x: {initial: 0.2, bounds: [-3, 3]}}",
                        "terms:",
                        "  - name: sim",
                        "    kind: external",
                        "    templates: {in.json: in.json}",
                        "    command: [sh, -c, 'cp in.json out.json']",
                        "    outputs: {energy: {parser: json, file: out.json, path: /energy}}",
                        "    reference: {energy: 1.0}",
                        ""));
        Files.writeString(tmp.resolve("in.json"), "{\"energy\": {{ x }}}\n");
        String journal = dir.resolve("journal.sqlite").toString();
        try {
            Awaitility.await()
                    .atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(20))
                    .failFast(() -> assertTrue(holder.isAlive(), () -> "the lock holder ended"))
                    .until(() ->
                            Files.exists(lockOut) && !Files.readString(lockOut).isEmpty());
            assertEquals("locked\n", Files.readString(lockOut));
            Cli.Run r = Cli.run("report", dir.toString(), "--no-plots");
            assertEquals(ExitCodes.OK, r.code(), r::toString);
            assertEquals(
                    dir + ": running (no results.json yet); " + recorded + " evaluations so far",
                    r.out().lines().findFirst().orElse(""),
                    r::toString);
            assertFalse(r.out().contains("stopped"), r::toString);
            Cli.Run eval = Cli.run("eval", job.toString(), "--params", dir.toString());
            assertEquals(ExitCodes.OK, eval.code(), eval::toString);
            String w = eval.err().lines().findFirst().orElse("");
            assertTrue(
                    w.startsWith("warning: --params " + dir + ": holds no results.json; evaluating at the best point"
                            + " that run 1 of the journal " + journal + " (running) recorded so far, as chemfit report"
                            + " shows it: evaluation "),
                    eval::toString);
        } finally {
            holder.getOutputStream().close(); // the holder ends, and the lock with it
            assertTrue(holder.waitFor(60, TimeUnit.SECONDS));
        }
        // nobody holds it now: the fit was killed
        Cli.Run after = Cli.run("report", dir.toString(), "--no-plots");
        assertTrue(
                after.out().startsWith(dir + ": stopped without finishing: its fit (pid " + fit.pid() + " on "),
                after::toString);
        Cli.Run eval = Cli.run("eval", job.toString(), "--params", dir.toString());
        assertTrue(
                eval.err()
                        .startsWith("warning: --params " + dir + ": holds no results.json; evaluating at the best point"
                                + " that run 1 of the journal " + journal + " (stopped without finishing (pid "
                                + fit.pid() + " on "),
                eval::toString);
    }

    /**
     * A fit killed with SIGKILL whose parent does not collect it at once (as after {@code timeout -s KILL}, which
     * kills itself with it and leaves it to init): it stays in the process table as a zombie, which
     * {@link ProcessHandle#isAlive} still calls alive, yet it holds no lock and writes nothing. The report right
     * after the kill says the fit stopped without finishing, not that it is running.
     */
    @Test
    void aKilledFitNotYetCollectedByItsParentIsReportedStoppedAtOnce() throws Exception {
        org.chemfit.testfixtures.MachineRequirement.require(
                Files.isDirectory(Path.of("/proc/self")), "a zombie is told by /proc, which this system lacks");
        Path dir = tmp.resolve("zombie");
        Files.createDirectories(dir);
        // the shell starts the fit and becomes a sleep that never waits for it
        Process parent = new ProcessBuilder(
                        "sh",
                        "-c",
                        "\"$0\" \"$@\" & exec sleep 600",
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        LibraryFit.class.getName(),
                        dir.toString())
                .redirectOutput(tmp.resolve("stdout.txt").toFile())
                .redirectError(tmp.resolve("stderr.txt").toFile())
                .start();
        try {
            Awaitility.await()
                    .atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(50))
                    .failFast(() -> assertTrue(parent.isAlive(), () -> "the shell ended\n" + InterruptIT.output(tmp)))
                    .until(() -> finished(dir) >= 2);
            ProcessHandle fit = parent.toHandle()
                    .children()
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no fit process\n" + InterruptIT.output(tmp)));
            assertTrue(fit.destroyForcibly(), "SIGKILL sent");
            // killed and not collected: a zombie, which ProcessHandle still calls alive. Its main
            // thread shows Z while the JVM's other threads are still exiting, and their files, the
            // journal's lock among them, are let go only when the last has gone: the test waits for
            // that too, as a report a moment later sees it
            Path stat = Path.of("/proc", Long.toString(fit.pid()), "stat");
            Path tasks = Path.of("/proc", Long.toString(fit.pid()), "task");
            Awaitility.await()
                    .atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        String s = Files.readString(stat);
                        try (java.util.stream.Stream<Path> threads = Files.list(tasks)) {
                            return s.substring(s.lastIndexOf(')') + 1).strip().startsWith("Z") && threads.count() == 1;
                        }
                    });
            assertTrue(fit.isAlive(), "the zombie is alive to ProcessHandle: the case the report must see through");
            int recorded = finished(dir);
            Cli.Run r = Cli.run("report", dir.toString(), "--no-plots");
            assertEquals(ExitCodes.OK, r.code(), r::toString);
            String first = r.out().lines().findFirst().orElse("");
            assertTrue(
                    first.startsWith(dir + ": stopped without finishing: its fit (pid " + fit.pid() + " on "),
                    r::toString);
            assertTrue(first.endsWith(" (no results.json); " + recorded + " evaluations so far"), r::toString);
            assertTrue(r.out().contains(", run 1 of 1: STOPPED (pid " + fit.pid() + " on "), r::toString);
            assertFalse(r.out().contains("RUNNING"), r::toString);
        } finally {
            parent.destroyForcibly(); // the sleep; init collects the zombie then
            assertTrue(parent.waitFor(60, TimeUnit.SECONDS));
        }
    }

    /**
     * A folder whose journal lost its last commits (copied without journal.sqlite-wal): the report
     * says that evaluations.csv, written after each commit, lists more evaluations than the journal,
     * and what to copy.
     */
    @Test
    void aJournalWithFewerEvaluationsThanEvaluationsCsvIsWarnedOf() throws Exception {
        Path out = fit();
        Files.delete(out.resolve("results.json"));
        try (java.sql.Connection c =
                        java.sql.DriverManager.getConnection("jdbc:sqlite:" + out.resolve("journal.sqlite"));
                java.sql.Statement st = c.createStatement()) {
            // the last two evaluations' commits, lost as a copy without the log loses them
            st.executeUpdate("DELETE FROM evaluations WHERE number >= 3");
        }
        Cli.Run r = Cli.run("report", out.toString(), "--no-plots");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains("warning: evaluations.csv lists 5 evaluations and the journal 3: the journal misses"
                                + " its last commits, as a copy of the folder made without journal.sqlite-wal and"
                                + " journal.sqlite-pending beside it does; copy those files with it and report again"),
                r::toString);
        // whole, the folder gives no such warning
        Path whole = fit();
        assertFalse(Cli.run("report", whole.toString(), "--no-plots").err().contains("misses"));
    }

    /**
     * A finished fit whose command was stopped before it wrote its results, read from a folder this
     * user may not write in: the hint to write them says to do so in a copy, where the command it
     * gives would not be refused.
     */
    @Test
    @SuppressWarnings("try") // the folder is read-only while the resource is open
    void theHintToWriteTheResultsOfAReadOnlyFolderSaysToUseACopy() throws Exception {
        Path out = fit();
        Files.delete(out.resolve("results.json"));
        try (org.chemfit.testfixtures.ReadOnlyFolder unused = org.chemfit.testfixtures.ReadOnlyFolder.of(out)) {
            Cli.Run r = Cli.run("report", out.toString(), "--no-plots");
            assertEquals(ExitCodes.OK, r.code(), r::toString);
            assertTrue(
                    r.out()
                            .contains("its held-out terms evaluated (in a copy of the folder that this user may"
                                    + " write in: " + out + " may not be written here)"),
                    r::toString);
        }
        Cli.Run writable = Cli.run("report", out.toString(), "--no-plots");
        assertFalse(writable.out().contains("in a copy of the folder"), writable::toString);
    }

    /** The folder in the resume hint is a word a shell takes as it is. */
    @Test
    void theResumeHintsFolderIsQuotedForTheShellWhenItMustBe() {
        assertEquals("runs/k9", ReportCommand.shellWord("runs/k9"));
        assertEquals("'my runs/k9'", ReportCommand.shellWord("my runs/k9"));
        assertEquals("'it'\\''s'", ReportCommand.shellWord("it's"));
    }

    @Test
    void aFailedFitsReportSaysWhyItFailed() throws Exception {
        Path job = tmp.resolve("failing.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "name: failing",
                        "parameters:",
                        "  p:",
                        "    a: {initial: 1.0, bounds: [0.1, 10.0]}",
                        "terms:",
                        "  - name: t",
                        "    kind: external",
                        "    command: [sh, -c, 'echo \"ValueError: bad things\" >&2; exit 3']",
                        "    outputs: {energy: {parser: regex, file: out.txt, pattern: 'energy (\\S+)'}}",
                        "    reference: {energy: 1.0}",
                        "combination: {on_failure: raise}",
                        "execution: {retries: 0}",
                        "output: {folder: failed-out}",
                        ""));
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.FIT_FAILED, fit.code(), fit::toString);
        Cli.Run r = Cli.run("report", tmp.resolve("failed-out").toString(), "--no-plots");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(r.out().startsWith("failing: failed before any evaluation completed, "), r::toString);
        String why = r.out()
                .lines()
                .filter(l -> l.startsWith("failed: "))
                .findFirst()
                .orElseThrow(() -> new AssertionError(r.toString()));
        assertTrue(
                why.startsWith(
                                "failed: the fit stopped in its first evaluation because it failed (e0, at {p.a=1.0}): term 0 't'"
                                        + " failed: external term 't' failed at step run: command 'sh -c ")
                        && why.contains("exited with code 3"),
                why);
        assertTrue(r.out().contains("ValueError: bad things"), r::toString);
    }

    /** A job whose term blocks while {@code flags/block} exists, so that a fit can be stopped midway. */
    private Path blockingJob(String name, double weight, int budget) throws Exception {
        Files.writeString(tmp.resolve("x.txt"), "{{ x }}\n");
        Files.writeString(
                tmp.resolve("quad.sh"),
                "while [ -e \"$FLAGS/block\" ]; do sleep 0.05; done\n"
                        + "x=$(cat x.txt)\n"
                        + "awk -v x=\"$x\" 'BEGIN { printf \"{\\\"y\\\": %.12g}\\n\", (x - 1) * (x - 1) }' > out.json\n");
        Path job = tmp.resolve(name);
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters: {x: {initial: 0.2, bounds: [-3.0, 3.0]}}",
                        "terms:",
                        "  - {name: quad, kind: external, weight: " + weight
                                + ", templates: [x.txt], files: [quad.sh],",
                        "     command: [sh, quad.sh], env: {FLAGS: " + tmp.resolve("flags") + "},",
                        "     outputs: {y: {parser: json, file: out.json, path: /y}}, reference: {y: 0.0}}",
                        "optimizer: {method: Nelder-Mead, max_evaluations: " + budget + "}",
                        "output: {folder: out}",
                        ""));
        return job;
    }

    @Test
    void anEarlierRunResumedAfterALaterOneIsReportedAloneNotMixedWithIt() throws Exception {
        Path flags = Files.createDirectories(tmp.resolve("flags"));
        Path a = blockingJob("a.yaml", 1.0, 12);
        Path b = blockingJob("b.yaml", 2.0, 6);
        // run 1 stopped midway
        Process p = InterruptIT.start(tmp, "fit", a.toString(), "--no-plots", "--progress", "none");
        try {
            InterruptIT.awaitEvaluations(p, tmp.resolve("out/evaluations.csv"), 3, tmp);
            Files.writeString(flags.resolve("block"), "");
            InterruptIT.sigterm(p);
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), InterruptIT.output(tmp));
        } finally {
            p.destroyForcibly();
        }
        assertEquals(ExitCodes.TERMINATED, p.exitValue(), InterruptIT.output(tmp));
        Files.delete(flags.resolve("block"));
        // run 2, of another job, begun and finished in the same folder
        Cli.Run two = Cli.run("fit", b.toString(), "--restart", "--no-plots", "--progress", "none");
        assertEquals(ExitCodes.OK, two.code(), two::toString);
        // run 1 resumed and finished after it
        Cli.Run one = Cli.run("fit", a.toString(), "--no-plots", "--progress", "none");
        assertEquals(ExitCodes.OK, one.code(), one::toString);
        assertTrue(one.out().contains("journal: "), one::toString);
        Path out = tmp.resolve("out");
        try (JournalReader j = JournalReader.openReadOnly(out.resolve("journal.sqlite"))) {
            assertEquals(2, j.runs().size());
            // the latest run is the one whose attempt began last: run 1, resumed after run 2
            assertEquals(1L, j.latestRun().orElseThrow().id());
            assertEquals("FINISHED", j.run(1).orElseThrow().status());
        }
        Cli.Run r = Cli.run("report", out.toString(), "--no-plots");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        // the folder's files and the journal's lines are all run 1's
        assertTrue(r.out().contains(", run 1 of 2: FINISHED, 2 attempts;"), r::toString);
        assertFalse(r.out().contains("are from run"), r::toString);
        assertFalse(r.out().contains("best loss so far"), r::toString);
        assertTrue(r.out().contains("quad  external  1 "), r::toString);
        // report.html (the dashboard's page as a file) shows the same run, with its results
        Cli.Run html = Cli.run("report", out.toString(), "--no-plots", "--html");
        assertEquals(ExitCodes.OK, html.code(), html::toString);
        String page = Files.readString(out.resolve("report.html"));
        java.util.regex.Matcher shown = java.util.regex.Pattern.compile("\"run\":(\\d+),\"status\":\"([a-z]+)\"")
                .matcher(page);
        assertTrue(shown.find(), "report.html embeds the summary");
        assertEquals("1", shown.group(1), shown.group());
        assertEquals("done", shown.group(2), shown.group());
        double best = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(out.resolve("results.json").toFile())
                .at("/loss/best")
                .asDouble();
        java.util.regex.Matcher loss =
                java.util.regex.Pattern.compile("\"best_loss\":([^,]+),").matcher(page);
        assertTrue(loss.find(), "report.html names the best loss");
        assertEquals(best, Double.parseDouble(loss.group(1)), 0.0, loss.group());
    }

    /**
     * A predictions.csv an earlier run of the same job left (kept aside here and put back: what a fit killed between
     * writing results.json and predictions.csv after {@code --restart} leaves) has the same reference values as the
     * results beside it, but other model values at the best point: report.html draws no parity chart of it and says
     * why, and the report's plots draw nothing of it: they are drawn from results.json's own values (the very parity
     * plot the fit drew; the scan without the model at the start), and one warning names the file. The fits, which draw their plots from the predictions.csv they just wrote, warn of
     * nothing and draw them.
     */
    @Test
    void aPredictionsFileOfAnEarlierRunOfTheSameJobIsNeitherChartedNorPlotted() throws Exception {
        Path src = ExamplesIT.examples().resolve("argon");
        Path dir = tmp.resolve("argon");
        Files.createDirectories(dir.resolve("data/dimers"));
        Files.copy(src.resolve("data/ar2-energies.csv"), dir.resolve("data/ar2-energies.csv"));
        try (var files = Files.list(src.resolve("data/dimers"))) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve("data/dimers").resolve(f.getFileName()));
            }
        }
        String job = Files.readString(src.resolve("fit.yaml"));
        assertTrue(job.contains("max_evaluations: 400"), job);
        Path yaml = dir.resolve("fit.yaml");
        Path out = dir.resolve("results");
        Files.writeString(yaml, job.replace("max_evaluations: 400", "max_evaluations: 20"));
        Cli.Run first = Cli.run("fit", "-q", yaml.toString());
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        assertFalse(first.err().contains("another fit's"), first::toString);
        String earlier = Files.readString(out.resolve(Judgement.FILE));

        Files.writeString(yaml, job.replace("max_evaluations: 400", "max_evaluations: 150"));
        Cli.Run second = Cli.run("fit", "-q", "--restart", yaml.toString());
        assertEquals(ExitCodes.OK, second.code(), second::toString);
        assertFalse(second.err().contains("another fit's"), second::toString);
        String ours = Files.readString(out.resolve(Judgement.FILE));
        assertEquals(
                earlier.lines().map(l -> l.split(",")[4]).toList(),
                ours.lines().map(l -> l.split(",")[4]).toList(),
                "the same reference values");
        assertFalse(earlier.equals(ours), "other model values");
        Path parity = out.resolve("plots/parity-energy.svg");
        String drawn = Files.readString(parity);

        // its own predictions.csv: charted and plotted, without a warning
        Cli.Run report = Cli.run("report", out.toString(), "--html");
        assertEquals(ExitCodes.OK, report.code(), report::toString);
        assertEquals("", report.err(), report::toString);
        assertTrue(predictions(out).get("of_results").asBoolean());
        assertEquals(1, predictions(out).get("charts").size());

        // the earlier run's, put back
        Files.writeString(out.resolve(Judgement.FILE), earlier);
        Files.delete(parity);
        report = Cli.run("report", out.toString(), "--html");
        assertEquals(ExitCodes.OK, report.code(), report::toString);
        assertEquals(
                "warning: " + out.resolve(Judgement.FILE) + " is another fit's (its model values at the best point are"
                        + " not the computed values of the terms in this run's results.json): its values are not drawn;"
                        + " the plots are drawn from results.json's (a scan without the model at the start)\n",
                report.err().replace(System.lineSeparator(), "\n"),
                report::toString);
        com.fasterxml.jackson.databind.JsonNode p = predictions(out);
        assertFalse(p.get("of_results").asBoolean(), p::toString);
        assertEquals(
                "its model values at the best point are not the computed values of the terms in this run's"
                        + " results.json",
                p.get("not_of_results").asText());
        assertEquals(0, p.get("charts").size(), p::toString);
        assertEquals(drawn, Files.readString(parity), "the parity plot of results.json's values, as the fit drew it");
        // drawn now, each as SVG and PNG: the loss, the parameters, the correlation (the restarted fit estimated
        // the uncertainty), the parity, the residuals and the scan: all 12 files of the folder
        assertTrue(
                report.out().contains("plots: 12 files in " + out.resolve("plots") + System.lineSeparator()),
                report::toString);
        assertTrue(Files.isRegularFile(out.resolve("plots/term-ar2-curve.svg")));
        assertTrue(Files.isRegularFile(out.resolve("plots/residuals-energy.svg")));

        // its own again: drawn again
        Files.writeString(out.resolve(Judgement.FILE), ours);
        report = Cli.run("report", out.toString(), "--html");
        assertEquals("", report.err(), report::toString);
        assertEquals(drawn, Files.readString(parity));
        assertTrue(predictions(out).get("of_results").asBoolean());
    }

    /** @return the predictions report.html embeds */
    private static com.fasterxml.jackson.databind.JsonNode predictions(Path out) throws Exception {
        return pageData(out).get("predictions");
    }

    /** @return the data report.html in the folder shows */
    private static com.fasterxml.jackson.databind.JsonNode pageData(Path out) throws Exception {
        String page = Files.readString(out.resolve("report.html"));
        String open = "<script type=\"application/json\" id=\"chemfit-data\">";
        int start = page.indexOf(open) + open.length();
        return new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(page.substring(start, page.indexOf("</script>", start)));
    }

    /**
     * A report.html drawn of a fit of 5 evaluations is drawn again by the fit that goes on to 8 in
     * the same folder: it shows the fit's last state, not the one it was drawn of.
     */
    @Test
    void aReportHtmlOfAnEarlierStateIsDrawnAgainByTheFit() throws Exception {
        Path out = fit();
        Cli.Run html = Cli.run("report", out.toString(), "--no-plots", "--html");
        assertEquals(ExitCodes.OK, html.code(), html::toString);
        assertEquals(5, pageData(out).at("/summary/budget").asInt());
        Cli.Run more = fitAgain(8);
        assertEquals(ExitCodes.OK, more.code(), more::toString);
        assertTrue(
                more.out()
                        .contains("html: " + out.resolve("report.html")
                                + " (drawn again: it showed an earlier state of this folder)\n"),
                more::toString);
        assertEquals(8, pageData(out).at("/summary/budget").asInt());
        assertEquals("done", pageData(out).at("/summary/status").asText());
        // a folder without one gets none
        Files.delete(out.resolve("report.html"));
        Cli.Run again = fitAgain(9);
        assertEquals(ExitCodes.OK, again.code(), again::toString);
        assertFalse(Files.exists(out.resolve("report.html")));
        assertFalse(again.out().contains("html: "), again::toString);
    }
}

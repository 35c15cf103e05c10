package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.support.DecimalText;
import org.chemfit.testfixtures.ReadOnlyFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chemfit eval JOB --json FILE} writes the evaluation's numbers at full precision: each
 * reads back to the very double the library computes for the same parameters; a file that cannot
 * be written is refused before anything is evaluated.
 */
class EvalJsonTest {

    @TempDir
    Path dir;

    private static final String EPSILON = "123.456789012345";
    private static final String SIGMA = "3.41234567";

    /** The argon dimers as a fit term and as a held-out term. */
    private Path job() throws IOException {
        TestData.copyTree(ExamplesIT.examples().resolve("argon/data"), dir.resolve("data"));
        Path job = dir.resolve("fit.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters: {lj: {epsilon: {initial: 120.0, bounds: [50.0, 200.0], unit: K},"
                                + " sigma: {initial: 3.4, bounds: [3.0, 4.0], unit: Å}}}",
                        "terms:",
                        "  - {name: curve, kind: atoms, weight: 0.7, reference: data/ar2-energies.csv,",
                        "     potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}}",
                        "  - {name: again, kind: atoms, weight: 3, loss: absolute_error, reference: data/ar2-energies.csv,",
                        "     potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}}",
                        "validation:",
                        "  - {name: held, kind: atoms, reference: data/ar2-energies.csv,",
                        "     potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}}",
                        ""));
        return job;
    }

    @Test
    void theFileHoldsTheLibrarysDoublesBitForBit() throws IOException {
        Path job = job();
        Path file = dir.resolve("results/eval.json"); // its folder is made
        Cli.Run r = Cli.run(
                "eval",
                job.toString(),
                "--set",
                "lj.epsilon=" + EPSILON,
                "--set",
                "lj.sigma=" + SIGMA,
                "--json",
                file.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals("", r.err(), r::toString);
        // the table is printed as without --json
        Cli.Run table = Cli.run("eval", job.toString(), "--set", "lj.epsilon=" + EPSILON, "--set", "lj.sigma=" + SIGMA);
        assertEquals(
                table.out().lines().limit(2).toList(), r.out().lines().limit(2).toList(), r::toString);
        // the metrics table (the breakdown before it has the seconds each term took)
        assertEquals(
                table.out().substring(table.out().indexOf("\nset ")),
                r.out().substring(r.out().indexOf("\nset ")),
                r::toString);
        assertFalse(Files.exists(Path.of(file + ".tmp")));

        JsonNode json = new ObjectMapper().readTree(file.toFile());
        JobFile jf = JobFile.readToEvaluate(job);
        try (FitPlan plan = FitPlan.build(jf, 1, dir.resolve("out"))) {
            Parameters p = plan.initial()
                    .withAll(Map.of("lj.epsilon", DecimalText.parse(EPSILON), "lj.sigma", DecimalText.parse(SIGMA)));
            EvaluationContext ctx = plan.evaluateOnce(p);
            EvaluationContext v = plan.evaluateValidation(p);
            assertTrue(v != null);
            List<Judgement.Row> rows = Judgement.of(plan, ctx, ctx, v, v).rows();

            assertEquals("lj.epsilon", json.at("/parameters/0/name").asText());
            assertEquals(p.get("lj.epsilon"), json.at("/parameters/0/value").doubleValue());
            assertEquals("K", json.at("/parameters/0/unit").asText());
            assertEquals(p.get("lj.sigma"), json.at("/parameters/1/value").doubleValue());
            assertEquals(ctx.loss(), json.at("/loss/value").doubleValue());
            assertEquals(Results.lossUnit(plan), json.at("/loss/unit").asText());
            // six significant digits, as the table shows it, are not the loss
            assertNotEquals(ctx.loss(), Double.parseDouble(Tables.fmt(ctx.loss())));

            int values = 0;
            for (int i = 0; i < 2; i++) {
                JsonNode t = json.at("/terms/" + i);
                EvaluationContext c = ctx.child(i);
                assertEquals(c.name(), t.get("name").asText());
                assertEquals(c.weight(), t.get("weight").doubleValue());
                assertEquals(c.value(), t.get("value").doubleValue());
                assertEquals(
                        jf.units().quantity(c.name(), "energy"),
                        t.at("/units/energy").asText());
                values += sameValues(rows, "fit", c.name(), t);
            }
            JsonNode held = json.at("/validation/0");
            assertEquals("held", held.get("name").asText());
            assertEquals(v.child(0).value(), held.at("/loss/best").doubleValue());
            values += sameValues(rows, "validation", "held", held);
            assertEquals(rows.size(), values, "every value of the evaluation is in the file");
        }
    }

    /**
     * Asserts that a term's computed and reference values in the file are the rows' model and
     * reference values, bit for bit.
     *
     * @return how many values were compared
     */
    private static int sameValues(List<Judgement.Row> rows, String set, String term, JsonNode t) {
        List<Judgement.Row> mine = rows.stream()
                .filter(r -> r.set().equals(set) && r.term().equals(term))
                .toList();
        assertTrue(mine.size() > 10, mine::toString);
        JsonNode model = t.at("/computed/energy");
        JsonNode reference = t.at("/reference/energy");
        assertEquals(mine.size(), model.size(), t::toString);
        assertEquals(mine.size(), reference.size(), t::toString);
        for (int k = 0; k < mine.size(); k++) {
            assertEquals(mine.get(k).best(), model.get(k).doubleValue(), set + " " + term + " " + k);
            assertEquals(mine.get(k).reference(), reference.get(k).doubleValue(), set + " " + term + " " + k);
        }
        return mine.size();
    }

    @Test
    void theValidationTableNamesTheLossUnitAsTheFitTermsTableDoes() throws IOException {
        TestData.copyTree(ExamplesIT.examples().resolve("argon/data"), dir.resolve("data"));
        Path job = dir.resolve("fit.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters: {lj: {epsilon: {initial: 120.0, bounds: [50.0, 200.0], unit: K},"
                                + " sigma: {initial: 3.4, bounds: [3.0, 4.0], unit: Å}}}",
                        "terms:",
                        "  - {name: curve, kind: atoms, reference: data/ar2-energies.csv, unit: K,",
                        "     potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}}",
                        "validation:",
                        "  - {name: held, kind: atoms, reference: data/ar2-energies.csv, unit: K,",
                        "     potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}}",
                        ""));
        Path file = dir.resolve("eval.json");
        Cli.Run r = Cli.run("eval", job.toString(), "--json", file.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertEquals("K^2", json.at("/validation/0/loss_unit").asText(), json.toString());
        assertTrue(r.out().contains("\nterm   kind   weight  loss (K^2)  "), r::toString);
        assertTrue(
                r.out()
                        .matches("(?s).*\nvalidation term  kind   loss \\(K\\^2\\)  status\nheld  +atoms  "
                                + Tables.fmt(json.at("/validation/0/loss/best").doubleValue())
                                        .replace(".", "\\.")
                                + "  +ok\n.*"),
                r::toString);
    }

    @Test
    void anErrorWhoseSquareOverflowsHasItsRmseInTheFileAndTheTable() throws IOException {
        Path job = dir.resolve("fit.yaml");
        Files.writeString(job, """
                parameters:
                  a: {initial: 1.0, bounds: [0, 2]}
                terms:
                  - name: t
                    kind: external
                    command: [sh, -c, 'printf "1e200\\n3\\n" > out.txt']
                    outputs:
                      e: {parser: regex, file: out.txt, pattern: '(\\S+)', select: all}
                    reference: {e: [1.1, 3]}
                """);
        Path file = dir.resolve("eval.json");
        Cli.Run r = Cli.run("eval", job.toString(), "--json", file.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        // errors 1e200 and 0: the RMSE is 1e200 / sqrt(2), though 1e200 squared is beyond a double
        double rmse = 1e200 * Math.sqrt(0.5);
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        for (String at : List.of("/terms/0/metrics/e/best", "/metrics/fit/e/best")) {
            assertEquals(rmse, json.at(at + "/rmse").doubleValue(), at);
            assertEquals(5e199, json.at(at + "/mae").doubleValue(), at);
            assertEquals(1e200, json.at(at + "/max_abs_error").doubleValue(), at);
        }
        assertTrue(
                r.out().contains("\nfit  t     e         -     2  7.071e+199  5.000e+199  1.000e+200  -\n"),
                r::toString);
    }

    @Test
    @SuppressWarnings("try") // the folder is read-only while the resource is open
    void aFileThatCannotBeWrittenIsRefusedBeforeTheEvaluationNamingIt() throws Exception {
        Path job = job();
        Path folder = Files.createDirectories(dir.resolve("a-folder"));
        Cli.Run r = Cli.run("eval", job.toString(), "--json", folder.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                "error: --json " + folder + ": is a folder; give the file to write the evaluation to, such as "
                        + folder.resolve("eval.json") + "\n",
                r.err(),
                r::toString);
        assertEquals("", r.out(), "refused before anything is evaluated");

        Path note = Files.writeString(dir.resolve("note.txt"), "mine\n");
        Cli.Run underFile = Cli.run(
                "eval", job.toString(), "--json", note.resolve("eval.json").toString());
        assertEquals(ExitCodes.USAGE, underFile.code(), underFile::toString);
        assertEquals(
                "error: --json " + note.resolve("eval.json") + ": cannot be written: " + note
                        + " is a file, not a folder\n",
                underFile.err(),
                underFile::toString);

        Path ro = Files.createDirectories(dir.resolve("ro"));
        try (ReadOnlyFolder unused = ReadOnlyFolder.of(ro)) {
            Cli.Run denied = Cli.run(
                    "eval", job.toString(), "--json", ro.resolve("eval.json").toString());
            assertEquals(ExitCodes.USAGE, denied.code(), denied::toString);
            assertEquals(
                    "error: --json " + ro.resolve("eval.json") + ": cannot be written: permission denied: " + ro
                            + " is not writable by this user\n",
                    denied.err(),
                    denied::toString);
            assertEquals("", denied.out(), denied::toString);
        }
        for (Cli.Run run : List.of(r, underFile)) {
            for (String s : List.of("Exception", "java.", "\tat ")) {
                assertFalse((run.out() + run.err()).contains(s), run::toString);
            }
        }
    }

    /**
     * A symbolic link is written through and stays a link; a named pipe (as {@code /dev/stdout}
     * may be) is written into, read by a real process at its other end, and stays a pipe.
     */
    @Test
    void aLinkIsWrittenThroughAndAPipeIsWrittenInto() throws Exception {
        Path job = job();
        Path target = Files.createDirectories(dir.resolve("kept")).resolve("eval.json");
        Files.writeString(target, "old\n");
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), target);
        Cli.Run r = Cli.run("eval", job.toString(), "--json", link.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(Files.isSymbolicLink(link), "the link stays a link");
        JsonNode written = new ObjectMapper().readTree(target.toFile());
        assertEquals(120.0, written.at("/parameters/0/value").asDouble(), written::toString);
        try (var left = Files.list(target.getParent())) {
            assertEquals(List.of(target), left.toList(), "nothing is left aside");
        }
        // a link that leads to no file yet is refused as the file it would write: one the fit writes
        Files.createDirectories(dir.resolve("results"));
        Path dangling = Files.createSymbolicLink(dir.resolve("f.json"), dir.resolve("results/failure.json"));
        Cli.Run fits = Cli.run("eval", job.toString(), "--json", dangling.toString());
        assertEquals(ExitCodes.USAGE, fits.code(), fits::toString);
        assertTrue(fits.err().contains(": is a file chemfit fit writes in its output folder "), fits::toString);
        assertFalse(Files.exists(dir.resolve("results/failure.json")), fits::toString);
        // a descriptor other than standard output or error is refused before anything is evaluated
        Cli.Run fd3 = Cli.run("eval", job.toString(), "--json", "/dev/fd/3");
        assertEquals(ExitCodes.USAGE, fd3.code(), fd3::toString);
        assertEquals(
                "error: --json /dev/fd/3: names a descriptor other than this process's standard output or error;"
                        + " give a file, /dev/stdout or /dev/stderr\n",
                fd3.err(),
                fd3::toString);
        assertEquals("", fd3.out(), fd3::toString);
        // a loop of links is refused as the system would refuse it, and stays as it was
        Path loop = Files.createSymbolicLink(dir.resolve("loop1.json"), dir.resolve("loop2.json"));
        Files.createSymbolicLink(dir.resolve("loop2.json"), loop);
        Cli.Run looped = Cli.run("eval", job.toString(), "--json", loop.toString());
        assertEquals(ExitCodes.USAGE, looped.code(), looped::toString);
        assertTrue(looped.err().contains("too many levels of symbolic links"), looped::toString);
        assertTrue(Files.isSymbolicLink(loop), "the loop stays");
        Path pipe = dir.resolve("pipe.json");
        Process mkfifo =
                new ProcessBuilder("mkfifo", pipe.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        Process cat = new ProcessBuilder("cat", pipe.toString()).start();
        try {
            Cli.Run p = Cli.run("eval", job.toString(), "--json", pipe.toString());
            assertEquals(ExitCodes.OK, p.code(), p::toString);
            String read = new String(cat.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(0, cat.waitFor());
            assertEquals(
                    120.0,
                    new ObjectMapper().readTree(read).at("/parameters/0/value").asDouble(),
                    read);
            assertFalse(Files.isRegularFile(pipe), "the pipe stays a pipe");
            assertTrue(Files.exists(pipe), "the pipe stays a pipe");
        } finally {
            cat.destroyForcibly();
        }
    }

    /**
     * {@code --json /dev/stdout} in a real {@code chemfit} process whose standard output a shell's
     * {@code >>} sent to a log file: the JSON is appended after the tables, and the log keeps what
     * it held before (it was replaced by a new file of the JSON alone).
     */
    @Test
    void devStdoutRedirectedToALogFileIsAppendedTo() throws Exception {
        Path job = job();
        Path log = dir.resolve("run.log");
        Files.writeString(log, "before\n");
        Object inode = Files.getAttribute(log, "unix:ino");
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "eval",
                        job.toString(),
                        "-q",
                        "--json",
                        "/dev/stdout")
                .directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectError(dir.resolve("err.txt").toFile())
                .start();
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
        String said = Files.readString(log);
        assertEquals(0, p.exitValue(), said + Files.readString(dir.resolve("err.txt")));
        assertEquals(inode, Files.getAttribute(log, "unix:ino"), "the same file, not one put in its place");
        assertTrue(said.startsWith("before\n"), said);
        int json = said.indexOf("\n{");
        assertTrue(json > said.indexOf("loss: "), "the tables, then the JSON: " + said);
        JsonNode written = new ObjectMapper().readTree(said.substring(json + 1));
        assertEquals(120.0, written.at("/parameters/0/value").asDouble(), said);
    }

    @Test
    void theJobsOwnFilesAndWhatFitWritesAreNotOverwritten() throws Exception {
        Path job = job();
        String before = Files.readString(job);
        Path data = dir.resolve("data/ar2-energies.csv");
        String dataBefore = Files.readString(data);
        Path results = Files.createDirectories(dir.resolve("results")).resolve("results.json");
        Files.writeString(results, "{}\n");
        for (Path f : List.of(job, data)) {
            Cli.Run r = Cli.run("eval", job.toString(), "--json", f.toString());
            assertEquals(ExitCodes.USAGE, r.code(), r::toString);
            assertEquals(
                    "error: --json " + f + ": is a file the job reads (" + f
                            + "); give another file to write the evaluation to, such as eval.json\n",
                    r.err(),
                    r::toString);
            assertEquals("", r.out(), "refused before anything is evaluated");
        }
        for (Path f : List.of(results, dir.resolve("results/journal.sqlite"), dir.resolve("results/plots/x.json"))) {
            Cli.Run r = Cli.run("eval", job.toString(), "--json", f.toString());
            assertEquals(ExitCodes.USAGE, r.code(), r::toString);
            assertEquals(
                    "error: --json " + f + ": is a file chemfit fit writes in its output folder "
                            + dir.resolve("results")
                            + "; give another file to write the evaluation to, such as "
                            + dir.resolve("results/eval.json") + "\n",
                    r.err(),
                    r::toString);
        }
        assertEquals(before, Files.readString(job));
        assertEquals(dataBefore, Files.readString(data));
        assertEquals("{}\n", Files.readString(results));
        // a file of its own in the output folder is written
        Cli.Run own = Cli.run(
                "eval",
                job.toString(),
                "--json",
                dir.resolve("results/eval.json").toString());
        assertEquals(ExitCodes.OK, own.code(), own::toString);
        assertTrue(Files.readString(dir.resolve("results/eval.json")).contains("\"chemfit_version\""));

        // another fit's output folder (fit --output elsewhere): the folder holding a journal
        Path other = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(other.resolve("journal.sqlite"), "");
        Files.writeString(other.resolve("results.json"), "{}\n");
        for (Path f : List.of(
                other.resolve("results.json"),
                other.resolve("runs/x.json"),
                other.resolve("earlier-runs/run-1/results.json"),
                other.resolve("plots/sub/x.json"))) {
            Cli.Run r = Cli.run("eval", job.toString(), "--json", f.toString());
            assertEquals(ExitCodes.USAGE, r.code(), r::toString);
            assertEquals(
                    "error: --json " + f + ": is a file chemfit fit writes in a fit's output folder " + other
                            + "; give another file to write the evaluation to, such as " + other.resolve("eval.json")
                            + "\n",
                    r.err(),
                    r::toString);
        }
        assertEquals("{}\n", Files.readString(other.resolve("results.json")));
        assertEquals(
                ExitCodes.OK,
                Cli.run(
                                "eval",
                                job.toString(),
                                "--json",
                                other.resolve("eval.json").toString())
                        .code());
    }

    @Test
    void aValueThatIsNotFiniteIsWrittenAlikeForFitAndHeldOutTerms() throws IOException {
        Path job = job();
        Path file = dir.resolve("far.json");
        // sigma 1e20 Å: every energy is +Infinity (sigma^12 overflows), held out or fitted
        Cli.Run r = Cli.run(
                "eval",
                job.toString(),
                "--set",
                "lj.epsilon=1e100",
                "--set",
                "lj.sigma=1e20",
                "--json",
                file.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        // the values given, in the one form the warning and the parameters' line share
        assertTrue(r.err().contains("warning: lj.sigma = 1e+20 is outside its bounds"), r::toString);
        assertTrue(r.out().startsWith("parameters: lj.epsilon = 1e+100"), r::toString);
        assertTrue(r.out().lines().findFirst().orElseThrow().contains(", lj.sigma = 1e+20"), r::toString);
        assertEquals("loss: inf", r.out().lines().skip(1).findFirst().orElseThrow(), r::toString);
        JsonNode tree = new ObjectMapper().readTree(file.toFile());
        JsonNode fit = tree.at("/terms/0/computed");
        JsonNode held = tree.at("/validation/0/computed");
        assertEquals(46, fit.at("/energy").size(), fit::toString);
        assertEquals(fit, held, "the held-out term has the fit term's data and so its values");
        for (JsonNode v : held.at("/energy")) {
            assertEquals("Infinity", v.asText(), held::toString);
        }
    }
}

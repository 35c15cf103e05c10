package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Black-box tests of each subcommand: exit codes, printed text and the files written. */
@org.junit.jupiter.api.Timeout(value = 180, unit = java.util.concurrent.TimeUnit.SECONDS)
class CliIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static Path job(String name) {
        return Cli.resource("jobs/" + name);
    }

    // ------------------------------------------------------------------ top level

    @Test
    void helpListsSubcommandsAndExitCodes() {
        Cli.Run r = Cli.run("--help");
        assertEquals(0, r.code(), r::toString);
        for (String s : List.of(
                "fit", "eval", "validate", "report", "Exit codes:", "130", "invalid job file", "docs/job-file.md")) {
            assertTrue(r.out().contains(s), () -> "help lacks '" + s + "'\n" + r);
        }
    }

    @Test
    void versionPrintsTheSoftwareVersion() {
        Cli.Run r = Cli.run("--version");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("chemfit " + Version.get()), r::toString);
        assertFalse(Version.get().contains("${"), "version was not filtered by Maven: " + Version.get());
    }

    @Test
    void noCommandIsAUsageError() {
        Cli.Run r = Cli.run();
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains("missing a command"), r::toString);
    }

    @Test
    void unknownCommandIsAUsageError() {
        Cli.Run r = Cli.run("fitt", "x.yaml");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err().contains("unknown command 'fitt'; commands: fit, worker, eval, validate, report, dashboard"),
                r::toString);
        assertTrue(r.err().contains("Did you mean: chemfit fit?"), r::toString);
        // a word near no command gets no guess
        Cli.Run far = Cli.run("frobnicate");
        assertEquals(ExitCodes.USAGE, far.code(), far::toString);
        assertTrue(far.err().contains("unknown command 'frobnicate'"), far::toString);
        assertTrue(!far.err().contains("Did you mean"), far::toString);
    }

    @Test
    void subcommandHelpDescribesItsOptions() {
        Cli.Run r = Cli.run("fit", "--help");
        assertEquals(0, r.code(), r::toString);
        assertTrue(
                r.out().contains("--max-evaluations")
                        && r.out().contains("--workers")
                        && r.out().contains("--quiet"),
                r::toString);
    }

    // ------------------------------------------------------------------ fit

    @Test
    void fitRecoversKnownParametersAndWritesEverything() throws IOException {
        Path out = tmp.resolve("out");
        Cli.Run r = Cli.run("fit", job("lj.yaml").toString(), "--output", out.toString(), "--progress", "log");
        assertEquals(0, r.code(), r::toString);

        JsonNode res = JSON.readTree(out.resolve("results.json").toFile());
        assertEquals("done", res.get("status").asText());
        assertEquals(1.5, res.at("/best_parameters/lj/epsilon").asDouble(), 1e-4, r::toString);
        assertEquals(2.0, res.at("/best_parameters/lj/sigma").asDouble(), 1e-5, r::toString);
        assertTrue(res.at("/loss/best").asDouble() < 1e-8, r::toString);
        // lj.yaml starts at epsilon 1.0, sigma 2.2
        double initial = ljLossByHand(job("lj.yaml").getParent(), 1.0, 2.2);
        assertEquals(initial, res.at("/loss/initial").asDouble(), 1e-12 * initial, r::toString);
        assertEquals(Version.get(), res.get("chemfit_version").asText());
        assertJobHashes(job("lj.yaml"), res.at("/job"));
        assertEquals("curve", res.at("/terms/0/name").asText());
        assertEquals(1.0, res.at("/terms/0/share").asDouble(), 1e-12);
        assertEquals(8, res.at("/terms/0/computed/energy").size(), res.toString());
        assertEquals(
                res.at("/terms/0/reference/energy/0").asDouble(),
                res.at("/terms/0/computed/energy/0").asDouble(),
                1e-4);
        int total = res.at("/evaluations/total").asInt();
        assertTrue(total > 10 && total <= 400, "evaluations: " + total);
        assertTrue(res.at("/timing/wall_seconds").asDouble() > 0);

        List<String> csv = Files.readAllLines(out.resolve("evaluations.csv"));
        assertEquals(
                "evaluation,loss,best_loss,seconds,degraded,failed_terms,lj.epsilon,lj.sigma,term:curve", csv.get(0));
        assertEquals(total + 1, csv.size(), "one line per evaluation plus the header");
        assertTrue(csv.get(1).startsWith("0,"), csv.get(1));

        // One term without a coordinate column: no scan plot and no share plot.
        assertFalse(Files.exists(out.resolve("plots/loss-shares.svg")));
        assertFalse(Files.exists(out.resolve("plots/term-curve.svg")));
        for (String p : List.of("loss", "parity-energy", "residuals-energy", "parameters")) {
            for (String ext : List.of(".png", ".svg")) {
                Path f = out.resolve("plots").resolve(p + ext);
                assertTrue(Files.size(f) > 1000, f + " is missing or empty");
            }
        }
        assertTrue(Files.readString(out.resolve("plots/loss.svg")).contains("<svg"), "not an SVG");
        byte[] png = Files.readAllBytes(out.resolve("plots/loss.png"));
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);

        assertTrue(r.out().contains("lj-known: done (converged)"), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("lj.epsilon") && l.contains("1.5")), r::toString);
        assertTrue(r.out().contains("results: " + out.resolve("results.json")), r::toString);
        assertTrue(
                r.err()
                        .lines()
                        .anyMatch(l -> l.startsWith("progress of lj-known: " + total + "/400 evaluations, best loss")),
                r::toString);
    }

    /**
     * The loss of the Lennard-Jones job of {@code jobs/} at the given parameters, computed from its
     * data files alone: the sum over the structures its CSV lists of (E - E_ref)^2, E the energy
     * {@code 4 epsilon ((sigma/r)^12 - (sigma/r)^6)} summed over each structure's pairs (the job has
     * no cutoff and its structures no cell). The default loss, squared_error, summed.
     */
    private static double ljLossByHand(Path folder, double epsilon, double sigma) throws IOException {
        List<String> rows = Files.readAllLines(folder.resolve("data/energies.csv"));
        assertEquals("file,reference_energy,tag", rows.get(0));
        double loss = 0;
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",");
            List<String> xyz = Files.readAllLines(folder.resolve("data").resolve(f[0]));
            int n = Integer.parseInt(xyz.get(0).strip());
            double[][] at = new double[n][3];
            for (int i = 0; i < n; i++) {
                String[] t = xyz.get(2 + i).strip().split("\\s+");
                for (int c = 0; c < 3; c++) {
                    at[i][c] = Double.parseDouble(t[1 + c]);
                }
            }
            double e = 0;
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    double r = Math.sqrt(Math.pow(at[i][0] - at[j][0], 2)
                            + Math.pow(at[i][1] - at[j][1], 2)
                            + Math.pow(at[i][2] - at[j][2], 2));
                    double s6 = Math.pow(sigma / r, 6);
                    e += 4 * epsilon * (s6 * s6 - s6);
                }
            }
            double d = e - Double.parseDouble(f[1]);
            loss += d * d;
        }
        return loss;
    }

    /**
     * The job's hashes in results.json: under {@code files}, the job file and then the files it
     * names (the CSV, then the structures in the CSV's order), each as {@code sha256sum} gives it;
     * {@code sha256}, one SHA-256 over them in that order, each as its path relative to the job's
     * folder, a zero byte and its bytes (docs/job-file.md).
     */
    private static void assertJobHashes(Path jobFile, JsonNode job) throws IOException {
        Path folder = jobFile.getParent();
        List<String> expected =
                new java.util.ArrayList<>(List.of(jobFile.getFileName().toString(), "data/energies.csv"));
        List<String> rows = Files.readAllLines(folder.resolve("data/energies.csv"));
        for (String row : rows.subList(1, rows.size())) {
            expected.add("data/" + row.split(",")[0]);
        }
        List<String> listed = new java.util.ArrayList<>();
        job.get("files").fieldNames().forEachRemaining(listed::add);
        assertEquals(expected, listed);
        java.security.MessageDigest all = sha256();
        for (String name : expected) {
            byte[] bytes = Files.readAllBytes(folder.resolve(name));
            assertEquals(
                    java.util.HexFormat.of().formatHex(sha256().digest(bytes)),
                    job.at("/files/" + name.replace("/", "~1")).asText(),
                    name);
            all.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            all.update((byte) 0);
            all.update(bytes);
        }
        assertEquals(
                java.util.HexFormat.of().formatHex(all.digest()),
                job.get("sha256").asText());
    }

    private static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Test
    void fitStopsAtTheBudgetGivenOnTheCommandLine() throws IOException {
        Path out = tmp.resolve("out");
        Cli.Run r = Cli.run(
                "fit",
                job("lj.yaml").toString(),
                "-o",
                out.toString(),
                "--max-evaluations",
                "7",
                "--quiet",
                "--no-plots");
        assertEquals(0, r.code(), r::toString);
        JsonNode res = JSON.readTree(out.resolve("results.json").toFile());
        assertEquals("MAX_EVALUATIONS", res.get("stop_reason").asText());
        assertEquals(7, res.at("/evaluations/total").asInt());
        assertEquals(8, Files.readAllLines(out.resolve("evaluations.csv")).size());
        assertFalse(Files.exists(out.resolve("plots")), "--no-plots drew plots");
        assertEquals("", r.err(), "--quiet printed on stderr");
    }

    @Test
    void concurrentTermsGiveTheSameFitBitForBitAsSerialOnes() throws IOException {
        Cli.Run serial = Cli.run(
                "fit",
                job("two-terms.yaml").toString(),
                "-o",
                tmp.resolve("w1").toString(),
                "-q",
                "--no-plots",
                "--workers",
                "1");
        Cli.Run pooled = Cli.run(
                "fit",
                job("two-terms.yaml").toString(),
                "-o",
                tmp.resolve("w3").toString(),
                "-q",
                "--no-plots",
                "--workers",
                "3");
        assertEquals(0, serial.code(), serial::toString);
        assertEquals(0, pooled.code(), pooled::toString);
        JsonNode a = JSON.readTree(tmp.resolve("w1/results.json").toFile());
        JsonNode b = JSON.readTree(tmp.resolve("w3/results.json").toFile());
        assertEquals(a.at("/loss/best").asDouble(), b.at("/loss/best").asDouble(), 0.0);
        assertEquals(a.get("best_parameters"), b.get("best_parameters"));
        for (JsonNode t : a.get("terms")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) t).remove("seconds");
        }
        for (JsonNode t : b.get("terms")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) t).remove("seconds");
        }
        assertEquals(a.get("terms"), b.get("terms"), "the per-term breakdown, timings aside");
        assertEquals(
                Files.readAllLines(tmp.resolve("w1/evaluations.csv")).stream()
                        .map(CliIT::withoutSeconds)
                        .toList(),
                Files.readAllLines(tmp.resolve("w3/evaluations.csv")).stream()
                        .map(CliIT::withoutSeconds)
                        .toList());
    }

    /** Drops the seconds column (the 4th) of an evaluations.csv line. */
    private static String withoutSeconds(String line) {
        String[] f = line.split(",", -1);
        f[3] = "";
        return String.join(",", f);
    }

    @Test
    void populationMethodRunsItsGenerationsOnTheWorkersAndIsReproducible() throws IOException {
        Path base = Cli.resource("jobs");
        Path job = base.resolve("cmaes-tmp.yaml");
        try {
            Files.writeString(
                    job,
                    Files.readString(job("lj.yaml"))
                            .replace(
                                    "  method: Nelder-Mead\n  max_evaluations: 400\n  tolerance: {relative: 1.0e-14, absolute: 1.0e-16}",
                                    "  method: CMA-ES\n  max_evaluations: 61\n  batch_size: 6\n  seed: 7\nexecution:\n  workers: 3"));
            Cli.Run r1 = Cli.run("fit", job.toString(), "-o", tmp.resolve("c1").toString(), "-q", "--no-plots");
            Cli.Run r2 = Cli.run("fit", job.toString(), "-o", tmp.resolve("c2").toString(), "-q", "--no-plots");
            assertEquals(0, r1.code(), r1::toString);
            assertEquals(0, r2.code(), r2::toString);
            JsonNode a = JSON.readTree(tmp.resolve("c1/results.json").toFile());
            JsonNode b = JSON.readTree(tmp.resolve("c2/results.json").toFile());
            assertEquals("CMA-ES", a.get("method").asText());
            assertEquals(61, a.at("/evaluations/total").asInt(), "1 initial evaluation + 10 generations of 6");
            assertEquals(10, a.at("/evaluations/steps").asInt(), "10 generations: " + a);
            assertTrue(a.at("/loss/best").asDouble() < a.at("/loss/initial").asDouble(), a.toString());
            assertEquals(a.at("/loss/best").asDouble(), b.at("/loss/best").asDouble(), 0.0, "same seed, same fit");
            assertEquals(a.get("best_parameters"), b.get("best_parameters"));
        } finally {
            Files.deleteIfExists(job);
        }
    }

    @Test
    void fitReadsJsonJobFiles() throws IOException {
        Path out = tmp.resolve("json");
        Cli.Run r = Cli.run("fit", job("lj.json").toString(), "-o", out.toString(), "-q", "--no-plots");
        assertEquals(0, r.code(), r::toString);
        JsonNode res = JSON.readTree(out.resolve("results.json").toFile());
        assertEquals("lj-json", res.at("/job/name").asText());
        assertEquals(50, res.at("/evaluations/total").asInt());
    }

    @Test
    void fitWithWeightsAndAFixedParameterReportsEachTermsShare() throws IOException {
        Path out = tmp.resolve("two");
        Cli.Run r = Cli.run("fit", job("two-terms.yaml").toString(), "-o", out.toString(), "-q");
        assertEquals(0, r.code(), r::toString);
        JsonNode res = JSON.readTree(out.resolve("results.json").toFile());
        assertEquals(2.0, res.at("/best_parameters/lj/sigma").asDouble(), 0.0, "a fixed parameter moved");
        assertEquals(1.5, res.at("/best_parameters/lj/epsilon").asDouble(), 1e-3);
        JsonNode light = res.at("/terms/0");
        JsonNode heavy = res.at("/terms/1");
        assertEquals(
                3.0 * heavy.get("value").asDouble(), heavy.get("contribution").asDouble(), 1e-12);
        assertEquals(light.get("value").asDouble(), light.get("contribution").asDouble(), 1e-12);
        double sum =
                light.get("contribution").asDouble() + heavy.get("contribution").asDouble();
        assertEquals(sum, res.at("/loss/best").asDouble(), 1e-12);
        assertEquals(1.0, light.get("share").asDouble() + heavy.get("share").asDouble(), 1e-12);
        assertTrue(Files.exists(out.resolve("plots/loss-shares.png"))
                && Files.exists(out.resolve("plots/parity-energy.svg")));
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("lj.sigma") && l.endsWith("fixed")), r::toString);
    }

    @Test
    void aTermThatFailsEndsTheFitWithExitCodeThreeAndItsFacts() throws IOException {
        Path dir = tmp.resolve("fails");
        Files.createDirectories(dir);
        Path job = dir.resolve("fails-tmp.yaml");
        try {
            // The term's program exits with 3 and writes no output: the term fails when evaluated. (Two
            // atoms at one place, which once failed an atoms term here, are refused by validate now.)
            Files.writeString(
                    job,
                    String.join(
                            "\n",
                            "name: lj-known",
                            "parameters: {x: {initial: 1.0, bounds: [0.0, 2.0]}}",
                            "terms:",
                            "  - name: curve",
                            "    kind: external",
                            "    command: [sh, -c, 'echo \"no energy here\" >&2; exit 3']",
                            "    outputs: {energy: {parser: json, file: out.json, path: /energy}}",
                            "    reference: {energy: 1.0}",
                            "execution: {retries: 0}",
                            ""));
            Path out = tmp.resolve("failed");
            Cli.Run r = Cli.run("fit", job.toString(), "-o", out.toString(), "-q");
            assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
            assertTrue(
                    r.err()
                            .startsWith(
                                    "error: the fit stopped in its first evaluation because it failed (e0, at {x=1.0}): term 0 'curve' failed"),
                    r::toString);
            assertTrue(
                    r.err()
                            .contains(
                                    "term 0 'curve' failed: external term 'curve' failed at step run: command 'sh -c "),
                    "the message names the term and the step that failed\n" + r);
            assertFalse(r.err().contains("\tat "), r::toString);
            JsonNode res = JSON.readTree(out.resolve("results.json").toFile());
            assertEquals("failed", res.get("status").asText());
            assertTrue(res.get("message").asText().contains("term 0 'curve' failed"), res.toString());
            assertTrue(r.out().contains("lj-known: failed"), r::toString);
        } finally {
            Files.deleteIfExists(job);
        }
    }

    /** ChemFit gives bounds as a dict nested like the parameters; a job file may too, beside dotted names. */
    @Test
    void aBoundsSectionNestedLikeTheParameters() throws IOException {
        Path data = Cli.resource("jobs").resolve("data/energies.csv").toAbsolutePath();
        Path job = tmp.resolve("nested-bounds.yaml");
        Files.writeString(job, """
                parameters:
                  lj:
                    epsilon: 1.0
                    sigma: 2.2
                  shift: {initial: 0.0, bounds: [-1.0, 1.0]}
                bounds:
                  lj:
                    epsilon: [0.1, 10.0]
                  lj.sigma: [1.0, null]
                terms:
                  - name: curve
                    kind: atoms
                    reference: %s
                    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}
                """.formatted(data));
        Map<String, JobFile.ParameterSpec> byName = new java.util.HashMap<>();
        for (JobFile.ParameterSpec p : JobFile.read(job).parameters()) {
            byName.put(p.name(), p);
        }
        assertEquals(new JobFile.ParameterSpec("lj.epsilon", 1.0, 0.1, 10.0, false), byName.get("lj.epsilon"));
        assertEquals(
                new JobFile.ParameterSpec("lj.sigma", 2.2, 1.0, Double.POSITIVE_INFINITY, false),
                byName.get("lj.sigma"));
        assertEquals(new JobFile.ParameterSpec("shift", 0.0, -1.0, 1.0, false), byName.get("shift"));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(0, r.code(), r::toString);
    }

    @Test
    void theJobHashCoversTheStructureFiles() throws IOException {
        Path src = Cli.resource("jobs");
        Path copy = tmp.resolve("jobs");
        try (java.util.stream.Stream<Path> files = Files.walk(src)) {
            for (Path p : files.toList()) {
                Path t = copy.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        String before = JobFile.read(copy.resolve("lj.yaml")).hash();
        assertEquals(before, JobFile.read(copy.resolve("lj.yaml")).hash(), "the hash is a function of the files");
        Path xyz = copy.resolve("data/dimers/lj_2.400.xyz");
        Files.writeString(xyz, Files.readString(xyz).replace("2.4 0 0", "2.41 0 0"));
        assertFalse(
                before.equals(JobFile.read(copy.resolve("lj.yaml")).hash()), "a changed structure changes the hash");
    }

    @Test
    void fitOfAnInvalidJobExitsWithTwoAndWritesNothing() throws IOException {
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, "parameters:\n  x: 1\nterms: []\n");
        Path out = tmp.resolve("never");
        Cli.Run r = Cli.run("fit", bad.toString(), "-o", out.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains(bad + ":3:8: terms must hold at least one term"), r::toString);
        assertFalse(Files.exists(out));
    }

    @Test
    void fitOfAMissingFileExitsWithTwo() {
        Path missing = tmp.resolve("nope.yaml");
        Cli.Run r = Cli.run("fit", missing.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        // a file that is not there has no format to read about
        assertEquals(missing + ": no such file\n1 problem found\n", r.err(), r::toString);
    }

    @Test
    void badOptionValuesAreUsageErrors() {
        Cli.Run r = Cli.run("fit", job("lj.yaml").toString(), "--workers", "0");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains("--workers must be at least 1, got 0"), r::toString);
        Cli.Run r2 = Cli.run("fit", job("lj.yaml").toString(), "--max-evaluations", "many");
        assertEquals(ExitCodes.USAGE, r2.code(), r2::toString);
        assertTrue(
                r2.err().contains("Invalid value for option '--max-evaluations': 'many' is not an int"), r2::toString);
    }

    @Test
    void dataFileProblemsNameTheFileAndLine() throws IOException {
        Path dir = Cli.resource("jobs");
        Path mismatch = dir.resolve("mismatch-tmp.yaml");
        String base = Files.readString(job("lj.yaml"));
        try {
            Files.writeString(mismatch, base.replace("data/energies.csv", "data/short.csv"));
            Cli.Run r = Cli.run("validate", mismatch.toString());
            assertEquals(ExitCodes.USAGE, r.code(), r::toString);
            assertTrue(
                    r.err()
                            .contains(
                                    "short.csv:1: expected a header row with the columns 'file' (or 'path') and 'reference_energy'"),
                    r::toString);

            Files.writeString(mismatch, base.replace("data/energies.csv", "data/bad-value.csv"));
            Cli.Run r2 = Cli.run("fit", mismatch.toString());
            assertEquals(ExitCodes.USAGE, r2.code(), r2::toString);
            assertTrue(
                    r2.err()
                            .contains(
                                    "bad-value.csv:3: expected a finite number in column 'reference_energy', got 'oops'"),
                    r2::toString);

            Files.writeString(mismatch, base.replace("data/energies.csv", "data/bad.csv"));
            Cli.Run r3 = Cli.run("eval", mismatch.toString());
            assertEquals(ExitCodes.USAGE, r3.code(), r3::toString);
            assertTrue(
                    r3.err().contains("bad.xyz:4: expected a finite number for coordinate y of atom 2, got 'zero'"),
                    r3::toString);
        } finally {
            Files.deleteIfExists(mismatch);
        }
    }

    // ------------------------------------------------------------------ eval

    @Test
    void evalPrintsThePerTermBreakdown() {
        Cli.Run r = Cli.run("eval", job("two-terms.yaml").toString());
        assertEquals(0, r.code(), r::toString);
        // each parameter with its unit when the job gives one, every digit kept
        assertTrue(r.out().startsWith("parameters: lj.epsilon = 1, lj.sigma = 2\n"), r::toString);
        Cli.Run argon = Cli.run(
                "eval",
                ExamplesIT.examples().resolve("argon/fit.yaml").toString(),
                "--set",
                "lj.sigma=3.3491812345678");
        assertTrue(
                argon.out().startsWith("parameters: lj.epsilon = 100 K, lj.sigma = 3.3491812345678 A\n"),
                argon::toString);
        assertTrue(
                r.out()
                        .lines()
                        .anyMatch(l -> l.startsWith("term ") && l.contains("contribution") && l.contains("share")),
                r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("light ") && l.contains("atoms")), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("heavy ") && l.contains(" 3 ")), r::toString);
    }

    @Test
    void evalAtTheTrueParametersGivesZeroLoss() {
        Cli.Run r = Cli.run("eval", job("lj.yaml").toString(), "--set", "lj.epsilon=1.5", "--set", "lj.sigma=2.0");
        assertEquals(0, r.code(), r::toString);
        String loss = r.out()
                .lines()
                .filter(l -> l.startsWith("loss: "))
                .findFirst()
                .orElseThrow()
                .substring(6);
        assertTrue(Double.parseDouble(loss) < 1e-20, r::toString);
    }

    @Test
    void evalSumsThePairTermsOfAPotentialWithParameterExpressions() throws IOException {
        Path dir = Cli.resource("jobs");
        Path job = dir.resolve("forms-tmp.yaml");
        Path csv = dir.resolve("forms-tmp.csv");
        try {
            Files.writeString(csv, "file,reference_energy,tag\ndata/dimers/lj_2.400.xyz,0.0,d24\n");
            Files.writeString(
                    job,
                    String.join(
                            "\n",
                            "parameters: {a: 1.2, q: 0.5}",
                            "terms:",
                            "  - kind: atoms",
                            "    reference: forms-tmp.csv",
                            "    potential:",
                            "      - {form: morse, species: [Ar, Ar], D: 0.5, alpha: a, r0: 2.0}",
                            "      - {form: coulomb, charges: {Ar: -2*q}}",
                            ""));
            Cli.Run r = Cli.run("eval", job.toString(), "--set", "a=1.5");
            assertEquals(0, r.code(), r::toString);
            double x = 1.5 * (2.4 - 2.0);
            double morse = 0.5 * (Math.exp(-2 * x) - 2 * Math.exp(-x));
            double coulomb = 14.3996454784 * (-1.0) * (-1.0) / 2.4;
            double e = morse + coulomb;
            String loss = r.out()
                    .lines()
                    .filter(l -> l.startsWith("loss: "))
                    .findFirst()
                    .orElseThrow()
                    .substring(6);
            assertEquals(e * e, Double.parseDouble(loss), 1e-5 * e * e, r::toString);
        } finally {
            Files.deleteIfExists(job);
            Files.deleteIfExists(csv);
        }
    }

    @Test
    void atomsTermsRelaxEachStructureWithTheModelWhenAsked() throws IOException {
        Path dir = Cli.resource("jobs");
        Path job = dir.resolve("relax-tmp.yaml");
        Path csv = dir.resolve("relax-tmp.csv");
        Path xyz = dir.resolve("relax-tmp.xyz");
        try {
            // Three atoms far from their minimum; relaxed, they form a triangle of side 2^(1/6) sigma
            // with the energy -3 epsilon.
            Files.writeString(xyz, "3\ndistorted trimer\nAr 0 0 0\nAr 2.5 0.1 0\nAr 1.0 1.9 0.2\n");
            Files.writeString(csv, "file,reference_energy,tag\nrelax-tmp.xyz,0.0,trimer\n");
            Files.writeString(
                    job,
                    String.join(
                            "\n",
                            "parameters: {eps: 1.5, sigma: 2.0}",
                            "terms:",
                            "  - kind: atoms",
                            "    reference: relax-tmp.csv",
                            "    potential: {form: lennard_jones, epsilon: eps, sigma: sigma}",
                            "    relax: {method: lbfgs, fmax: 1.0e-7, steps: 5000}",
                            ""));
            Cli.Run r = Cli.run("eval", job.toString());
            assertEquals(0, r.code(), r::toString);
            String loss = r.out()
                    .lines()
                    .filter(l -> l.startsWith("loss: "))
                    .findFirst()
                    .orElseThrow()
                    .substring(6);
            assertEquals(4.5 * 4.5, Double.parseDouble(loss), 1e-4, r::toString);
        } finally {
            Files.deleteIfExists(job);
            Files.deleteIfExists(csv);
            Files.deleteIfExists(xyz);
        }
    }

    @Test
    void evalRejectsUnknownAndNonNumericSettings() {
        Cli.Run r = Cli.run("eval", job("lj.yaml").toString(), "--set", "lj.epsilom=1.5");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err().contains("--set names unknown parameter 'lj.epsilom' (did you mean 'lj.epsilon'?)"),
                r::toString);
        Cli.Run r2 = Cli.run("eval", job("lj.yaml").toString(), "--set", "lj.sigma=wide");
        assertEquals(ExitCodes.USAGE, r2.code(), r2::toString);
        assertTrue(r2.err().contains("--set lj.sigma must be a finite number, got 'wide'"), r2::toString);
    }

    // ------------------------------------------------------------------ validate

    @Test
    void validateSummarisesAValidJob() {
        Cli.Run r = Cli.run("validate", job("two-terms.yaml").toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(
                r.out().contains("is valid: 2 parameters (1 free), 2 terms, method Nelder-Mead, budget 60 evaluations"),
                r::toString);
        assertTrue(r.out().contains("term 'heavy' (atoms), weight 3, loss absolute_error"), r::toString);
        assertEquals("", r.err());
    }

    // ------------------------------------------------------------------ report

    @Test
    void reportPrintsTheTablesOfAFinishedFitAndRedrawsItsPlots() throws IOException {
        Path out = tmp.resolve("rep");
        Cli.Run fit = Cli.run("fit", job("lj.yaml").toString(), "-o", out.toString(), "-q", "--no-plots");
        assertEquals(0, fit.code(), fit::toString);
        Cli.Run r = Cli.run("report", out.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("lj-known: done (converged)"), r::toString);
        // loss, parity-energy, residuals-energy, parameters and correlation, each as PNG and SVG
        assertTrue(r.out().contains("plots: 10 files"), r::toString);
        assertTrue(Files.exists(out.resolve("plots/parity-energy.svg")));
        assertTrue(Files.exists(out.resolve("plots/correlation.svg")));
        assertTrue(r.out().contains("RMSE best"), r::toString);
        String fitTable =
                fit.out().substring(fit.out().indexOf("parameter"), fit.out().indexOf("results:"));
        assertTrue(r.out().contains(fitTable.strip()), "report and fit print different tables\n" + fit + "\n" + r);
    }

    @Test
    void reportOfARunningFitUsesTheEvaluationsSoFar() throws IOException {
        Path out = tmp.resolve("running");
        Files.createDirectories(out);
        Files.writeString(
                out.resolve("evaluations.csv"),
                String.join(
                        "\n",
                        "evaluation,loss,best_loss,seconds,failed_terms,a,b,term:t",
                        "0,5.0,5.0,0.1,0,1.0,2.0,5.0",
                        "1,2.5,2.5,0.1,0,1.1,2.0,2.5",
                        "2,3.0,2.5,0.1,0,1.2,2.0,3.0",
                        "3,1.",
                        ""));
        Cli.Run r = Cli.run("report", out.toString());
        assertEquals(0, r.code(), r::toString);
        // nothing but evaluations.csv: whether its fit runs is not known
        assertEquals(
                out + ": no results.json (the fit is running, or stopped before writing it);"
                        + " 3 evaluations in evaluations.csv",
                r.out().lines().findFirst().orElse(""),
                r::toString);
        assertTrue(r.out().contains("best loss so far: 2.5 at evaluation 1"), r::toString);
        assertTrue(r.out().contains("  a = 1.1"), r::toString);
        assertTrue(Files.exists(out.resolve("plots/loss.png")));
    }

    @Test
    void reportOfAFolderWithoutResultsIsAUsageError() {
        Cli.Run r = Cli.run("report", tmp.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains("holds neither results.json nor evaluations.csv"), r::toString);
    }

    // ------------------------------------------------------------------ progress

    @Test
    void progressBarIsRedrawnInPlace() throws IOException {
        Cli.Run r = Cli.run(
                "fit",
                job("lj.yaml").toString(),
                "-o",
                tmp.resolve("bar").toString(),
                "--progress",
                "bar",
                "--no-plots");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.err().contains("\r["), r::toString);
        assertTrue(
                r.err()
                        .matches(
                                "(?s).*\\r\\[#*-*\\] \\d+/400 evaluations \\| best [0-9.e+-]+ \\| running 0 \\| 0:\\d\\d elapsed.*"),
                r::toString);
        Map<?, ?> res = JSON.readValue(tmp.resolve("bar/results.json").toFile(), Map.class);
        assertEquals("done", res.get("status"));
    }
}

package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chemfit eval JOB --params results.json} of a results file another job wrote, whose
 * parameters have the same names: evaluated at its best parameters, with a warning that names
 * both jobs and each change, as a refused resume names it (an older results file: the files whose
 * hashes differ); the job's own results give no such warning, nor do they after an edit that a
 * resume takes as the same job.
 */
class EvalParamsOfAnotherJobTest {

    @TempDir
    Path tmp;

    /**
     * jobs/two-terms.yaml in tmp/folder, its reference CSV as data/NAME there (naming the
     * structures of the test resources by their absolute paths), with the first energy given.
     */
    private Path job(String folder, String csv, String firstEnergy) throws IOException {
        Path jobs = Cli.resource("jobs");
        Path dir = Files.createDirectories(tmp.resolve(folder).resolve("data")).getParent();
        String data = Files.readString(jobs.resolve("data/energies.csv"))
                .replace("dimers/", jobs.resolve("data/dimers") + "/")
                .replace("2.941461985331414", firstEnergy);
        Files.writeString(dir.resolve("data").resolve(csv), data);
        Path job = dir.resolve("fit.yaml");
        Files.writeString(
                job,
                Files.readString(jobs.resolve("two-terms.yaml"))
                                .replace("reference: data/energies.csv", "reference: data/" + csv)
                                .replace("max_evaluations: 60", "max_evaluations: 20")
                        + "output: {plots: false}\n");
        return job;
    }

    @Test
    void resultsOfAnotherJobAreUsedWithAWarningNamingBothJobs() throws IOException {
        Path a = job("a", "energies.csv", "2.941461985331414");
        Path out = tmp.resolve("a/out");
        Cli.Run fit = Cli.run("fit", a.toString(), "--output", out.toString(), "-q");
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        Path results = out.resolve("results.json");
        JsonNode written = new ObjectMapper().readTree(results.toFile());
        String hashA = written.at("/job/sha256").asText();
        double best = written.at("/best_parameters/lj/epsilon").asDouble();

        // the job's own results: no word of another job
        Cli.Run same = Cli.run("eval", a.toString(), "--params", results.toString());
        assertEquals(ExitCodes.OK, same.code(), same::toString);
        assertFalse(same.err().contains("another job"), same::toString);

        // the same job file, one energy of its data changed
        Path b = job("b", "energies.csv", "2.5");
        String hashB = JobFile.read(b).hash();
        Cli.Run edited = Cli.run("eval", b.toString(), "--params", results.toString());
        assertEquals(ExitCodes.OK, edited.code(), edited::toString);
        assertEquals(
                "warning: --params " + results + " was written by another job: 'two-terms' (" + a + ", sha256 "
                        + hashA.substring(0, 12) + "...), not the job evaluated, 'two-terms' (" + b + ", sha256 "
                        + hashB.substring(0, 12) + "...): changed job.data.data/energies.csv: "
                        + shown(a.resolveSibling("data/energies.csv")) + " -> "
                        + shown(b.resolveSibling("data/energies.csv")) + "; its best parameters are used all the"
                        + " same\n",
                edited.err(),
                edited::toString);
        // a results file without the job's settings (written before they were recorded): file by file
        Path older = Files.createDirectories(tmp.resolve("older")).resolve("results.json");
        ObjectMapper json = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode tree =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(results.toFile());
        tree.remove("job_settings");
        json.writeValue(older.toFile(), tree);
        Cli.Run fileByFile = Cli.run("eval", b.toString(), "--params", older.toString());
        assertEquals(ExitCodes.OK, fileByFile.code(), fileByFile::toString);
        assertEquals(
                "warning: --params " + older + " was written by another job: 'two-terms' (" + a + ", sha256 "
                        + hashA.substring(0, 12) + "...), not the job evaluated, 'two-terms' (" + b + ", sha256 "
                        + hashB.substring(0, 12) + "...): files that differ: data/energies.csv; its best"
                        + " parameters are used all the same\n",
                fileByFile.err(),
                fileByFile::toString);
        // evaluated at the other job's best epsilon all the same
        assertTrue(
                edited.out().startsWith("parameters: lj.epsilon = " + EvalCommand.digits(best) + ", lj.sigma = 2\n"),
                edited::toString);

        // a job file that names another file: it differs, and each side has a file the other has not
        Path c = job("c", "other.csv", "2.941461985331414");
        String hashC = JobFile.read(c).hash();
        Cli.Run other = Cli.run("eval", c.toString(), "--params", out.toString());
        assertEquals(ExitCodes.OK, other.code(), other::toString);
        assertEquals(
                "warning: --params " + results + " was written by another job: 'two-terms' (" + a + ", sha256 "
                        + hashA.substring(0, 12) + "...), not the job evaluated, 'two-terms' (" + c + ", sha256 "
                        + hashC.substring(0, 12) + "...): removed job.data.data/energies.csv (was "
                        + shown(a.resolveSibling("data/energies.csv")) + "); added job.data.data/other.csv = "
                        + shown(c.resolveSibling("data/other.csv"))
                        + "; changed job.file.terms[0].reference: \"data/energies.csv\" -> \"data/other.csv\";"
                        + " changed job.file.terms[1].reference: \"data/energies.csv\" -> \"data/other.csv\"; its"
                        + " best parameters are used all the same\n",
                other.err(),
                other::toString);

        // the optimizer's settings take no part in an evaluation: no warning
        Files.writeString(a, Files.readString(a).replace("max_evaluations: 20", "max_evaluations: 21"));
        Cli.Run budget = Cli.run("eval", a.toString(), "--params", results.toString());
        assertEquals(ExitCodes.OK, budget.code(), budget::toString);
        assertFalse(budget.err().contains("warning"), budget::toString);

        // the job file that wrote the results, edited since: said as such, not as another job
        Files.writeString(a, Files.readString(a).replace("weight: 3.0", "weight: 2.0"));
        String hashNow = JobFile.read(a).hash();
        Cli.Run later = Cli.run("eval", a.toString(), "--params", results.toString());
        assertEquals(ExitCodes.OK, later.code(), later::toString);
        assertEquals(
                "warning: --params " + results + " was written by this job file (" + a
                        + ") when it or the files it names held other contents (sha256 " + hashA.substring(0, 12)
                        + "... then, " + hashNow.substring(0, 12) + "... now): changed"
                        + " job.file.terms[1].weight: 3.0 -> 2.0; its best parameters are used all the same\n",
                later.err(),
                later::toString);
    }

    /** @return a file's SHA-256 as a change names it: quoted, its first 60 digits and "..." */
    private static String shown(Path file) throws IOException {
        try {
            String hex = java.util.HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
            return "\"" + hex.substring(0, 60) + "...\"";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anEditThatTakesNoPartInTheFitGivesNoWarningAndARealEditIsNamed() throws IOException {
        Path a = job("a", "energies.csv", "2.941461985331414");
        Path out = tmp.resolve("a/out");
        Cli.Run fit = Cli.run("fit", a.toString(), "--output", out.toString(), "-q");
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        Path results = out.resolve("results.json");
        String hashThen =
                new ObjectMapper().readTree(results.toFile()).at("/job/sha256").asText();

        // what a resume takes as the same job: another name, a description, a parameter's unit, the
        // default weight and loss written out or left out, a seed written with its default, a held-out term
        String text = Files.readString(a);
        String neutral = text.replace("name: two-terms", "name: renamed\ndescription: the same fit, renamed")
                        .replace(
                                "epsilon: {initial: 1.0, bounds: [0.1, 10.0]}",
                                "epsilon: {initial: 1.0, bounds: [0.1, 10.0], unit: eV}")
                        .replace("    weight: 1.0\n", "    loss: squared_error\n")
                        .replace("  max_evaluations: 20", "  max_evaluations: 20\n  seed: 42")
                + "validation:\n  - {name: held, kind: atoms, reference: data/energies.csv,\n"
                + "     potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}}\n";
        assertTrue(!neutral.contains("weight: 1.0") && neutral.contains("seed: 42") && neutral.contains("unit: eV"));
        Files.writeString(a, neutral);
        Cli.Run same = Cli.run("eval", a.toString(), "--params", results.toString());
        assertEquals(ExitCodes.OK, same.code(), same::toString);
        assertEquals("", same.err(), same::toString);

        // a weight changed: the change is named, the neutral edits are not
        Files.writeString(a, neutral.replace("weight: 3.0", "weight: 2.0"));
        String hashNow = JobFile.read(a).hash();
        Cli.Run weight = Cli.run("eval", a.toString(), "--params", results.toString());
        assertEquals(ExitCodes.OK, weight.code(), weight::toString);
        assertEquals(
                "warning: --params " + results + " was written by this job file (" + a
                        + ") when it or the files it names held other contents (sha256 " + hashThen.substring(0, 12)
                        + "... then, " + hashNow.substring(0, 12) + "... now): changed job.file.terms[1].weight:"
                        + " 3.0 -> 2.0; its best parameters are used all the same\n",
                weight.err(),
                weight::toString);
    }

    @Test
    void resultsNamingNoneOfTheJobsParametersGiveTheErrorAloneNotTheWarningOfAnotherJob() throws IOException {
        Path a = job("a", "energies.csv", "2.941461985331414");
        Path out = tmp.resolve("a/out");
        Cli.Run fit = Cli.run("fit", a.toString(), "--output", out.toString(), "-q");
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        // the results of a job whose parameters have other names, and another data file
        ObjectMapper json = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode tree = (com.fasterxml.jackson.databind.node.ObjectNode)
                json.readTree(out.resolve("results.json").toFile());
        for (JsonNode p : tree.get("parameters")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) p)
                    .put("name", p.get("name").asText().replace("lj.", "morse."));
        }
        Path renamed = Files.createDirectories(tmp.resolve("renamed")).resolve("results.json");
        json.writeValue(renamed.toFile(), tree);
        Path b = job("b", "energies.csv", "2.5");

        Cli.Run eval = Cli.run("eval", b.toString(), "--params", renamed.toString());
        assertEquals(ExitCodes.USAGE, eval.code(), eval::toString);
        assertEquals(
                "error: --params " + renamed + ": names none of the job's parameters (lj.epsilon, lj.sigma); it"
                        + " names morse.epsilon, morse.sigma\n",
                eval.err(),
                eval::toString);
    }
}

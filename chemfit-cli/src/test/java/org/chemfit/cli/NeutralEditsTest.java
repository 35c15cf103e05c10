package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Edits of a job file that take no part in the fit (its name and description, a parameter's unit,
 * the held-out terms) keep the output folder's run: the same command replays every evaluation,
 * runs none again and takes the edits into its results; an edit of the fit itself is refused,
 * naming that edit alone.
 */
class NeutralEditsTest {

    @TempDir
    Path dir;

    private Path job(String name, String description, String unit, String weight, boolean heldOut) throws IOException {
        return TestData.write(
                dir,
                "fit.yaml",
                "name: " + name,
                "description: " + description,
                "parameters: {lj: {epsilon: {initial: 100.0, bounds: [10.0, 400.0], unit: " + unit + "},"
                        + " sigma: {initial: 3.2, bounds: [2.5, 4.5]}}}",
                "terms:",
                "  - {name: curve, kind: atoms, reference: data/ar2-energies.csv, weight: " + weight + ",",
                "     potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}}",
                heldOut
                        ? "validation: [{name: again, kind: atoms, reference: data/ar2-energies.csv,"
                                + " potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}}]"
                        : "",
                "optimizer: {method: Nelder-Mead, max_evaluations: 40}",
                "output: {folder: out, plots: false}");
    }

    /**
     * A top-level x- block, which the job reader does not read, is part of the job: the anchors in it give
     * values where their aliases stand, and a changed anchor is refused as the changed value it gives. A note
     * added there is refused too, saying why and where a note belongs.
     */
    @Test
    void anXBlockIsPartOfTheJobSinceItsAnchorsGiveValues() throws IOException {
        TestData.copyTree(ExamplesIT.examples().resolve("argon/data"), dir.resolve("data"));
        Path job = job("argon", "first", "K", "1", false);
        String text = java.nio.file.Files.readString(job).replace("weight: 1,", "weight: *w,");
        java.nio.file.Files.writeString(job, "x-common: {w: &w 1}\n" + text);
        Cli.Run first = Cli.run("fit", job.toString(), "--max-evaluations", "10");
        assertTrue(first.out().contains("after 10 evaluations"), first.toString());

        java.nio.file.Files.writeString(job, "x-common: {w: &w 2}\n" + text);
        Cli.Run changed = Cli.run("fit", job.toString(), "--max-evaluations", "30");
        assertEquals(ExitCodes.USAGE, changed.code(), changed.toString());
        assertTrue(changed.err().contains("changed job.file.x-common.w: 1 -> 2"), changed.toString());

        java.nio.file.Files.writeString(job, "x-common: {w: &w 1}\n" + text + "x-notes: {tried: sigma 3.3}\n");
        Cli.Run note = Cli.run("fit", job.toString(), "--max-evaluations", "30");
        assertEquals(ExitCodes.USAGE, note.code(), note.toString());
        assertTrue(note.err().contains("added job.file.x-notes.tried = \"sigma 3.3\""), note.toString());
        assertTrue(
                note.err()
                        .endsWith(" A top-level x- block is part of the job, since its anchors give values where their"
                                + " aliases stand; a note that takes no part in the fit belongs in description.\n"),
                note.toString());
        Cli.Run validate = Cli.run("validate", job.toString());
        assertTrue(
                validate.err()
                        .contains(" A top-level x- block is part of the job, since its anchors give values where their"
                                + " aliases stand; a note that takes no part in the fit belongs in description.\n"),
                validate.toString());

        // a note beside a real change: the refusal names both, says the larger budget apart, and nothing of x- blocks
        java.nio.file.Files.writeString(
                job,
                "x-common: {w: &w 1}\n" + text.replace("sigma: {initial: 3.2,", "sigma: {initial: 3.3,")
                        + "x-notes: {tried: sigma 3.3}\n");
        Cli.Run both = Cli.run("fit", job.toString(), "--max-evaluations", "30");
        assertEquals(ExitCodes.USAGE, both.code(), both.toString());
        assertTrue(
                both.err()
                        .contains("so it cannot be resumed: changed job.file.parameters.lj.sigma.initial: 3.2 -> 3.3;"
                                + " added job.file.x-notes.tried = \"sigma 3.3\". The larger budget (10 -> 30) alone"
                                + " would go on with run 1; the changes above would not. Restart"),
                both.toString());
        assertTrue(
                both.err()
                        .endsWith(" (chemfit fit --restart; the earlier runs are kept), or write to another output"
                                + " folder.\n"),
                both.toString());
    }

    /**
     * A JSON job file has no anchors: a note added to its top-level x- block is refused, saying only that the
     * block is part of the job and where a note belongs.
     */
    @Test
    void anXBlockOfAJsonJobIsPartOfTheJobWithoutAnchors() throws IOException {
        TestData.copyTree(ExamplesIT.examples().resolve("argon/data"), dir.resolve("data"));
        String fit = "\"name\": \"argon\", \"parameters\": {\"lj\": {\"epsilon\": {\"initial\": 100.0, \"bounds\":"
                + " [10.0, 400.0]}, \"sigma\": {\"initial\": 3.2, \"bounds\": [2.5, 4.5]}}}, \"terms\": [{\"name\":"
                + " \"curve\", \"kind\": \"atoms\", \"reference\": \"data/ar2-energies.csv\", \"potential\": {\"form\":"
                + " \"lennard_jones\", \"epsilon\": \"lj.epsilon\", \"sigma\": \"lj.sigma\"}}], \"optimizer\":"
                + " {\"method\": \"Nelder-Mead\", \"max_evaluations\": 10}, \"output\": {\"folder\": \"out\","
                + " \"plots\": false}";
        Path job = dir.resolve("fit.json");
        java.nio.file.Files.writeString(job, "{" + fit + "}\n");
        Cli.Run first = Cli.run("fit", job.toString());
        assertEquals(0, first.code(), first.toString());

        java.nio.file.Files.writeString(job, "{" + fit + ", \"x-notes\": {\"tried\": \"sigma 3.3\"}}\n");
        Cli.Run note = Cli.run("fit", job.toString(), "--max-evaluations", "30");
        assertEquals(ExitCodes.USAGE, note.code(), note.toString());
        assertTrue(note.err().contains("added job.file.x-notes.tried = \"sigma 3.3\""), note.toString());
        assertTrue(
                note.err()
                        .endsWith(" or write to another output folder. A top-level x- block is part of the job; a note"
                                + " that takes no part in the fit belongs in description.\n"),
                note.toString());
    }

    @Test
    void aNewDescriptionUnitOrHeldOutTermKeepsTheRunAndAChangedWeightDoesNot() throws IOException {
        TestData.copyTree(ExamplesIT.examples().resolve("argon/data"), dir.resolve("data"));
        Cli.Run first = Cli.run("fit", job("argon", "first", "K", "1", false).toString());
        assertEquals(0, first.code(), first.toString());
        ObjectMapper json = new ObjectMapper();
        JsonNode before = json.readTree(dir.resolve("out/results.json").toFile());
        int evaluations = before.get("evaluations").get("total").asInt();

        Cli.Run again = Cli.run(
                "fit",
                job("argon-lj", "second, units shown", "kelvin", "1", true).toString());
        assertEquals(0, again.code(), again.toString());
        JsonNode after = json.readTree(dir.resolve("out/results.json").toFile());
        assertEquals(evaluations, after.get("evaluations").get("replayed").asInt(), again.toString());
        assertEquals(
                before.get("loss").get("best").asDouble(),
                after.get("loss").get("best").asDouble(),
                0.0);
        assertEquals("argon-lj", after.get("job").get("name").asText());
        // the atoms term's structures at the best point came from the journal: the term says so
        JsonNode term = after.get("terms").get(0);
        assertEquals("OK", term.get("status").asText(), term.toString());
        assertTrue(term.path("replayed").asBoolean(false), term.toString());
        assertTrue(
                !before.get("terms").get(0).has("replayed"), before.get("terms").toString());
        assertTrue(again.out().contains("(" + evaluations + " replayed from the journal)"), again.toString());
        assertEquals(
                "kelvin",
                after.get("parameters").get(0).get("unit").asText(),
                after.get("parameters").toString());
        assertTrue(after.get("validation").size() > 0, "the held-out term added is evaluated: " + after);
        assertTrue(
                again.err().contains("evaluating the validation terms at the initial and the best parameters"),
                again.toString());
        assertTrue(
                after.get("timing").get("validation_seconds").isNumber(),
                after.get("timing").toString());
        assertTrue(
                !before.get("timing").has("validation_seconds"),
                before.get("timing").toString());
        assertTrue(!first.out().contains("of validation"), first.toString());

        Cli.Run refused =
                Cli.run("fit", job("argon-lj", "third", "K", "2", true).toString());
        assertEquals(ExitCodes.USAGE, refused.code(), refused.toString());
        assertTrue(
                refused.err().contains("cannot be resumed: changed job.file.terms[0].weight: 1 -> 2. Restart"),
                refused.toString());
        // another job altogether: its name comes first
        Cli.Run other = Cli.run("fit", job("neon", "third", "K", "2", true).toString());
        assertEquals(ExitCodes.USAGE, other.code(), other.toString());
        assertTrue(
                other.err().contains(" holds run 1 of a different job ('argon-lj', settings hash "), other.toString());
    }
}

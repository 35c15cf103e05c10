package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job file whose words chosen from a list are spelt otherwise (capitals, dashes; a loss written as
 * a map of its type) is the job a finished fit was: run again, it goes on with that run, every
 * evaluation replayed from the journal; another loss is refused, named once.
 */
class SpelledWordsResumeTest {

    @TempDir
    Path tmp;

    private Path job(String name, String heavyLoss, String form) throws IOException {
        Path jobs = Cli.resource("jobs");
        String text = Files.readString(jobs.resolve("two-terms.yaml"))
                .replace("reference: data/energies.csv", "reference: " + jobs.resolve("data/energies.csv"))
                .replace("loss: absolute_error", "loss: " + heavyLoss)
                .replace("form: lennard_jones", "form: " + form)
                .replace("max_evaluations: 60", "max_evaluations: 12");
        return Files.writeString(
                tmp.resolve(name), text + "output: {folder: " + tmp.resolve("out") + ", plots: false}\n");
    }

    @Test
    void wordsSpeltOtherwiseAreTheFinishedFit() throws IOException {
        Cli.Run first =
                Cli.run("fit", job("a.yaml", "absolute_error", "lennard_jones").toString(), "-q");
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        String csv = Files.readString(tmp.resolve("out/evaluations.csv"));
        for (String[] spelt : new String[][] {
            {"Absolute-Error", "Lennard-Jones"},
            {"ABSOLUTE_ERROR", "LENNARD_JONES"},
            {"{type: absolute-error}", "lennard_jones"}
        }) {
            Cli.Run again = Cli.run("fit", job("a.yaml", spelt[0], spelt[1]).toString());
            assertEquals(ExitCodes.OK, again.code(), again::toString);
            // the same run, every evaluation taken from the journal (its results written again of this file)
            assertTrue(again.out().contains("after 12 evaluations (12 replayed from the journal)"), again::toString);
            assertEquals(withoutSeconds(csv), withoutSeconds(Files.readString(tmp.resolve("out/evaluations.csv"))));
        }
        Cli.Run other =
                Cli.run("fit", job("a.yaml", "Squared-Error", "lennard_jones").toString());
        assertEquals(ExitCodes.USAGE, other.code(), other::toString);
        // the run was last recorded with the loss as a map: its type is named as removed, the word as added
        assertTrue(
                other.err()
                        .contains("cannot be resumed: added job.file.terms[1].loss = \"Squared-Error\"; removed"
                                + " job.file.terms[1].loss.type (was \"absolute-error\")."),
                other::toString);
        assertFalse(other.err().contains("potential"), other::toString);
    }

    /** @return evaluations.csv without its seconds column, which a replay writes as the journal recorded it */
    private static String withoutSeconds(String csv) {
        return csv.replaceAll("(?m)^([^,]*,[^,]*,[^,]*),[^,]*,", "$1,");
    }
}

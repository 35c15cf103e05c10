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
 * A path of a job file written with Windows' backslashes is one name with backslashes in it on
 * other systems: when it names nothing, the message says that paths use '/' and gives the path
 * with '/'; a path without a backslash, or one that names a file, has no such hint.
 */
class BackslashPathsTest {

    @TempDir
    Path tmp;

    /**
     * two-terms.yaml with its terms' reference CSV given as written, and the CSV in data/ of tmp
     * (naming the structures of the test resources by their absolute paths).
     */
    private Path job(String reference) throws IOException {
        Path jobs = Cli.resource("jobs");
        Files.createDirectories(tmp.resolve("data"));
        Files.writeString(
                tmp.resolve("data/energies.csv"),
                Files.readString(jobs.resolve("data/energies.csv"))
                        .replace("dimers/", jobs.resolve("data/dimers") + "/"));
        Path job = tmp.resolve("fit.yaml");
        Files.writeString(
                job,
                Files.readString(jobs.resolve("two-terms.yaml"))
                        .replace("reference: data/energies.csv", "reference: " + reference));
        return job;
    }

    @Test
    void aMissingPathWithBackslashesIsToldThatPathsUseSlashes() throws IOException {
        Path job = job("data\\energies.csv");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains(job + ":11:16: term 'light' reference names a file that does not exist: "
                                + tmp.resolve("data\\energies.csv")
                                + "; paths in a job file use '/' as separator: data/energies.csv\n"),
                r::toString);
    }

    @Test
    void aMissingPathWithSlashesHasNoSeparatorHint() throws IOException {
        Path job = job("data/missing.csv");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains(job + ":11:16: term 'light' reference names a file that does not exist: "
                                + tmp.resolve("data/missing.csv") + "; paths in a job file are relative to its"
                                + " folder " + tmp + "\n"),
                r::toString);
        assertFalse(r.err().contains("separator"), r::toString);
    }

    @Test
    void aFileWhoseNameHasABackslashIsFound() throws IOException {
        Path job = job("data\\energies.csv");
        Files.copy(tmp.resolve("data/energies.csv"), tmp.resolve("data\\energies.csv"));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertFalse(r.err().contains("separator"), r::toString);
    }

    @Test
    void theHintGivesThePathWithSlashes() {
        assertEquals(
                "; paths in a job file use '/' as separator: ../data/ref.csv",
                JobReading.separatorHint("..\\data\\ref.csv"));
        assertEquals("", JobReading.separatorHint("data/ref.csv"));
    }

    @Test
    void aWindowsDriveIsToldToBeGivenAsThisMachineKnowsIt() {
        String drive = "; paths use '/' as separator, and a Windows drive such as C: names nothing here: give the"
                + " file's path on this machine";
        assertEquals(drive, JobReading.separatorHint("C:\\data\\ref.csv"));
        // as resolved against the job's folder
        assertEquals(drive, JobReading.separatorHint("/home/me/job/d:\\data\\ref.csv"));
    }

    @Test
    void aStructureOfTheReferenceCsvWithBackslashesIsToldThatPathsUseSlashes() throws IOException {
        Path job = job("data/energies.csv");
        Path csv = tmp.resolve("data/energies.csv");
        String dimers = Cli.resource("jobs").resolve("data/dimers").toString();
        // the CSV's first structure named relative to the CSV's folder, Windows style
        Files.createDirectories(tmp.resolve("data/dimers"));
        String text = Files.readString(csv);
        String first = text.lines().skip(1).findFirst().orElseThrow();
        String file = first.substring(first.indexOf(dimers), first.indexOf(".xyz") + 4);
        String name = file.substring(dimers.length() + 1);
        Files.copy(Path.of(file), tmp.resolve("data/dimers").resolve(name));
        Files.writeString(csv, text.replace(file, "dimers\\" + name));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err()
                        // the path as the CSV writes it, with '/'
                        .contains(" does not exist; paths in a job file use '/' as separator: dimers/" + name + "\n"),
                r::toString);
    }
}

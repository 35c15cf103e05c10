package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A symbolic link planted in an output folder, where the fit writes one of its files, is replaced
 * by the file, not written through: one who can write in a shared folder cannot have a fit write
 * over a file of its user's elsewhere. The lock file, whose link would take the holder's pid
 * elsewhere, is refused instead.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OutputFolderLinksTest {

    @TempDir
    Path tmp;

    @Test
    void linksWhereTheFitWritesItsFilesAreReplacedAndTheirTargetsLeftAlone() throws IOException {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Path kept = Files.writeString(elsewhere.resolve("notes.txt"), "mine\n");
        Path out = Files.createDirectories(tmp.resolve("out"));
        // in a new folder, a link to a file that is not there yet: the write would create it
        Files.createSymbolicLink(out.resolve("results.json"), elsewhere.resolve("created.json"));
        Cli.Run first = fit(out, 10);
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        assertFalse(Files.exists(elsewhere.resolve("created.json")), "nothing was created where a link led");

        // the folder of a fit, its files replaced by links to a file that is there; the fit goes on
        // with a larger budget and writes them all again
        Path[] written = {
            out.resolve("results.json"),
            out.resolve(EvaluationLog.FILE),
            out.resolve("plots").resolve("loss.svg")
        };
        for (Path f : written) {
            Files.delete(f);
            Files.createSymbolicLink(f, kept);
        }
        // and links where files are written aside before they are moved into place
        for (String aside : new String[] {"results.json.tmp", "predictions.csv.tmp"}) {
            Files.createSymbolicLink(out.resolve(aside), kept);
        }
        Cli.Run more = fit(out, 20);
        assertEquals(ExitCodes.OK, more.code(), more::toString);
        assertEquals("mine\n", Files.readString(kept), "the file the links led to is unchanged");
        for (Path f : written) {
            assertFalse(Files.isSymbolicLink(f), f + " is still a link");
            assertTrue(Files.isRegularFile(f) && Files.size(f) > 0, f + " was not written");
        }
        assertTrue(Files.readString(out.resolve("results.json")).contains("\"journal_run\""));
        assertFalse(Files.exists(out.resolve("results.json.tmp"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertEquals(21, Files.readAllLines(out.resolve(EvaluationLog.FILE)).size(), "a header and 20 evaluations");
    }

    private static Cli.Run fit(Path out, int budget, String... more) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
                "fit",
                Cli.resource("jobs/lj.yaml").toString(),
                "-o",
                out.toString(),
                "--max-evaluations",
                Integer.toString(budget),
                "--progress",
                "none"));
        args.addAll(java.util.List.of(more));
        return Cli.run(args.toArray(new String[0]));
    }

    @Test
    void aLinkInThePlaceOfTheJournalsLockFileIsRefusedAndItsTargetLeftAlone() throws IOException {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Path kept = Files.writeString(elsewhere.resolve("notes.txt"), "mine\n");
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path lock = out.resolve("journal.sqlite.lock");
        Files.createSymbolicLink(lock, kept);

        Cli.Run r = fit(out, 10);

        assertTrue(r.code() != ExitCodes.OK, r::toString);
        assertTrue(
                r.err()
                        .contains("cannot lock journal " + out.resolve("journal.sqlite") + " through " + lock
                                + ": it is a symbolic link, where the lock file must be a file of its own; remove it"),
                r::toString);
        assertFalse(r.err().contains("Exception"), r::toString);
        assertEquals("mine\n", Files.readString(kept), "the file the link led to is unchanged");
    }

    @Test
    void aLinkInThePlaceOfTheEarlierRunsFolderIsRefusedByRestartAndNothingMoves() throws IOException {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Path out = Files.createDirectories(tmp.resolve("out"));
        Cli.Run first = fit(out, 10);
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        String results = Files.readString(out.resolve("results.json"));
        Path earlier = out.resolve(FitRun.EARLIER_RUNS);
        Files.createSymbolicLink(earlier, elsewhere);

        Cli.Run restart = fit(out, 10, "--restart");

        assertEquals(ExitCodes.USAGE, restart.code(), restart::toString);
        assertTrue(
                restart.err()
                        .contains(earlier + " is a symbolic link, where the kept files need a folder of the"
                                + " output folder's own (remove the link); nothing was moved"),
                restart::toString);
        assertEquals(results, Files.readString(out.resolve("results.json")), "the earlier results stay");
        try (java.util.stream.Stream<Path> moved = Files.list(elsewhere)) {
            assertEquals(0, moved.count(), "nothing went where the link leads");
        }
    }
}

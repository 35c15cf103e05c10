package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code chemfit report} on the output folders of real fits, whole or with files missing. */
class ReportCommandTest {

    @TempDir
    Path tmp;

    /** @return the output folder of a real fit of 5 evaluations, without plots */
    private Path fit() throws Exception {
        InterruptIT.writeSlowLatticeJob(tmp, 2);
        Cli.Run r = Cli.run(
                "fit",
                tmp.resolve("fit.yaml").toString(),
                "--max-evaluations",
                "5",
                "--progress",
                "none",
                "--no-plots");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        return tmp.resolve("out");
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
}

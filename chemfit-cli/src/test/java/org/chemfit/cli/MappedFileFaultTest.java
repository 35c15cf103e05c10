package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.chemfit.journal.Journal;
import org.chemfit.journal.JournalException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM reports a SIGBUS in a memory-mapped file (a page the file system has no room for) as an
 * InternalError thrown later, anywhere; the command says what failed instead of calling it a bug.
 */
class MappedFileFaultTest {

    private static final String JVM_WORDS =
            "a fault occurred in a recent unsafe memory access operation in compiled Java code";

    @TempDir
    Path tmp;

    @Test
    void theJournalsOwnFailureThatCameAlongIsToldWithHowToResume() throws Exception {
        // a real failure of the journal: a file that is not one
        Path file = Files.writeString(tmp.resolve("journal.sqlite"), "not a journal");
        JournalException failure = assertThrows(JournalException.class, () -> Journal.open(file));
        InternalError fault = new InternalError(JVM_WORDS);
        fault.addSuppressed(new IllegalStateException("unrelated"));
        fault.addSuppressed(new RuntimeException("wrapped", failure));
        assertEquals(Messages.clean(String.valueOf(failure.getMessage())), BaseCommand.mappedFileFault(fault));
    }

    /** A command whose work fails with what the JVM throws after a SIGBUS, wrapped. */
    @picocli.CommandLine.Command(name = "faulty")
    static final class Faulty extends BaseCommand {
        @Override
        int execute() {
            throw new IllegalStateException("evaluation e3 failed", new InternalError(JVM_WORDS));
        }
    }

    @Test
    void theCommandSaysItAsAnErrorOfTheUsersNotAsAnInternalOne() {
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = new picocli.CommandLine(new Faulty());
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setOut(new java.io.PrintWriter(new java.io.StringWriter(), true));
        int code = cl.execute();
        assertEquals(ExitCodes.USAGE, code, err::toString);
        assertEquals(
                "error: a write into a memory-mapped file failed: its file system had no room left for a page of it"
                        + " (free some room, then run the same command to resume: what the journal committed is kept),"
                        + " or the file was cut short by another program\n",
                err.toString());
    }

    @Test
    void withoutOneTheFaultIsSaidInWords() {
        assertEquals(
                "a write into a memory-mapped file failed: its file system had no room left for a page of it (free"
                        + " some room, then run the same command to resume: what the journal committed is kept), or"
                        + " the file was cut short by another program",
                BaseCommand.mappedFileFault(new InternalError(JVM_WORDS)));
    }
}

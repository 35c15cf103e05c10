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
        assertEquals(
                Messages.clean(String.valueOf(failure.getMessage())) + "; to resume, run the same command",
                BaseCommand.mappedFileFault(fault));
    }

    @Test
    void withoutOneTheFaultIsSaidInWords() {
        assertEquals(
                "a write into a memory-mapped file failed (the file system holding the output folder is probably"
                        + " full, or a file was cut short by another program); once there is room, run the same"
                        + " command to resume: nothing recorded is lost",
                BaseCommand.mappedFileFault(new InternalError(JVM_WORDS)));
    }
}

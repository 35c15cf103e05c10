package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program's escape sequences and the bytes of a binary output file are shown in a failure
 * message in caret notation ({@code ^[} for ESC), not sent to the terminal: real shell scripts
 * write the real bytes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ControlCharactersInMessagesTest {

    @TempDir
    Path tmp;

    private Cli.Run fit(String script) throws Exception {
        Path job = ShellScriptJob.write(
                tmp, script, "energy: {parser: column, file: out.dat, column: energy}", "{energy: 1.0}", 5, "");
        return Cli.run("fit", job.toString(), "--progress", "none");
    }

    /** @return whether the text holds a control character other than a tab or a line break */
    private static boolean hasControl(String s) {
        return s.chars().anyMatch(c -> (c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7f && c <= 0x9f));
    }

    @Test
    void escapeSequencesOnStderrAreShownNotSent() throws Exception {
        Cli.Run r = fit("printf 'stderr \\033[31mred\\033[0m\\r\\n' >&2\nexit 3\n");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        assertTrue(r.err().contains("program.stderr (last 1 lines):\nstderr ^[[31mred^[[0m\n"), r::toString);
        assertFalse(hasControl(r.err()), r::toString);
    }

    @Test
    void aBinaryOutputFileIsExcerptedWithItsBytesWrittenOut() throws Exception {
        Cli.Run r = fit("printf 'step energy\\n0 1.0\\000\\010\\033]0;TITLE\\007x\\tz\\n' > out.dat\n");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        assertTrue(r.err().contains("2: 0 1.0^@^H^[]0;TITLE^Gx\tz"), r::toString);
        assertFalse(hasControl(r.err()), r::toString);
    }
}

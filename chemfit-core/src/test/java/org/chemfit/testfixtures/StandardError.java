package org.chemfit.testfixtures;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.function.Executable;

/**
 * What is written to standard error, where the library's log goes in tests, while an action
 * runs. Shared with the tests of the other modules through core's test jar.
 */
public final class StandardError {

    private StandardError() {}

    /**
     * Runs the action with standard error captured; the stream is put back whatever the action
     * does.
     *
     * @param action what to run
     * @return what was written to standard error while it ran
     * @throws Throwable what the action threw
     */
    public static String capturedWhile(Executable action) throws Throwable {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.execute();
        } finally {
            System.setErr(err);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}

package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A job too large for the Java heap the run was given: the command says how to give it more, as
 * an error of the user's, instead of calling it a bug; the JVM's heap running out in a term's
 * thread reaches the command wrapped, and is found so.
 */
class OutOfMemoryMessageTest {

    /** A command whose work fails with the JVM's error for a full heap, wrapped as a term's thread wraps it. */
    @picocli.CommandLine.Command(name = "large")
    static final class Large extends BaseCommand {
        @Override
        int execute() {
            throw new IllegalStateException(
                    "evaluation e3 failed",
                    new OutOfMemoryError("Java heap space: failed reallocation of scalar replaced objects"));
        }
    }

    @Test
    void theCommandSaysHowToGiveTheJobMoreHeapAsAnErrorOfTheUsers() {
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = new picocli.CommandLine(new Large());
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setOut(new java.io.PrintWriter(new java.io.StringWriter(), true));
        int code = cl.execute();
        assertEquals(ExitCodes.USAGE, code, err::toString);
        long mib = Runtime.getRuntime().maxMemory() / (1024 * 1024);
        assertEquals(
                "error: out of memory: the job needs more than the " + mib + " MiB of Java heap this run was given;"
                        + " give it more with CHEMFIT_JAVA_OPTS=-Xmx8g (or another size)\n",
                err.toString());
        assertTrue(!err.toString().contains("internal error"), err::toString);
    }

    @Test
    void anotherErrorIsStillAnInternalOne() {
        assertTrue(BaseCommand.outOfMemory(new RuntimeException(new OutOfMemoryError("Java heap space"))));
        assertTrue(BaseCommand.outOfMemory(new OutOfMemoryError("GC overhead limit exceeded")));
        // no more heap cures these
        assertTrue(!BaseCommand.outOfMemory(new OutOfMemoryError(
                "unable to create native thread: possibly out of memory or process/resource" + " limits reached")));
        assertTrue(!BaseCommand.outOfMemory(new OutOfMemoryError("Metaspace")));
        assertTrue(!BaseCommand.outOfMemory(new RuntimeException(new StackOverflowError())));
        // a refused thread is the machine's limit, said as such
        assertTrue(BaseCommand.noThread(new RuntimeException(new OutOfMemoryError(
                "unable to create native thread: possibly out of memory or process/resource limits reached"))));
        assertTrue(!BaseCommand.noThread(new OutOfMemoryError("Java heap space")));
    }
}

package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A log line written while the progress bar is shown goes on a line of its own, never onto the bar's line. */
class ProgressBarTest {

    @Test
    void aLogLineErasesTheBarAndTheBarIsRedrawnBelowIt(@TempDir Path dir) throws IOException {
        StringWriter out = new StringWriter();
        PrintStream before = System.err;
        try (EvaluationLog log = new EvaluationLog(dir, List.of("x"), List.of("t"))) {
            Progress p = new Progress(new PrintWriter(out, true), "job", Progress.Mode.BAR, 10, 5, log, () -> 0);
            p.tick();
            String bar = p.bar();
            System.err.print("WARN a library ");
            System.err.println("message");
            p.tick();
            p.close();
            assertSame(before, System.err, "System.err is put back when the bar closes");
            String s = out.toString();
            String erase = "\r" + " ".repeat(bar.length()) + "\r";
            int at = s.indexOf(erase + "WARN a library message" + System.lineSeparator());
            assertTrue(at > 0, () -> "the log line does not follow an erased bar: " + s.replace("\r", "\\r"));
            assertTrue(s.startsWith("\r" + bar), () -> s.replace("\r", "\\r"));
            assertTrue(s.indexOf("\r[", at + erase.length()) > at, "the bar is drawn again after the log line");
            // every line that holds a log message holds nothing of the bar
            for (String line : s.split("\n")) {
                if (line.contains("WARN")) {
                    String shown = line.substring(line.lastIndexOf('\r') + 1);
                    assertEquals("WARN a library message", shown.strip(), () -> s.replace("\r", "\\r"));
                }
            }
        } finally {
            System.setErr(before);
        }
    }

    /** What the fit waits for (a cluster's first worker) ends the progress line while it waits. */
    @Test
    void whatTheFitWaitsForEndsTheLine(@TempDir Path dir) throws IOException {
        try (EvaluationLog log = new EvaluationLog(dir, List.of("x"), List.of("t"))) {
            java.util.concurrent.atomic.AtomicBoolean joined = new java.util.concurrent.atomic.AtomicBoolean();
            Progress p = new Progress(
                            new PrintWriter(new StringWriter(), true),
                            "argon-lj",
                            Progress.Mode.NONE,
                            10,
                            5,
                            log,
                            () -> 0)
                    .waiting(() -> joined.get() ? "" : ", waiting for a worker to join");
            assertTrue(
                    p.logLine()
                            .matches(
                                    "progress of argon-lj: 0/5 evaluations, best loss -, 0 terms running, 0:\\d\\d elapsed,"
                                            + " waiting for a worker to join"),
                    p.logLine());
            assertTrue(p.bar().endsWith(" elapsed, waiting for a worker to join"), p.bar());
            joined.set(true);
            assertTrue(p.logLine().endsWith(" elapsed"), p.logLine());
            p.close();
        }
    }
}

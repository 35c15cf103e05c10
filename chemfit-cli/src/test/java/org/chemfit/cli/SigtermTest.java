package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sends SIGTERM (what SLURM sends at the end of an allocation) to a real {@code chemfit fit} in
 * its own JVM: it stops like Ctrl-C, writes what was finished, and exits with 143 (128 + 15); and
 * SIGHUP likewise, with 129.
 */
@org.junit.jupiter.api.Timeout(value = 240, unit = java.util.concurrent.TimeUnit.SECONDS)
class SigtermTest {

    @TempDir
    Path tmp;

    @Test
    void sigtermDuringAFitWritesResultsAndExits143() throws Exception {
        // 2744 argon atoms: each evaluation sums millions of pairs, slow enough to stop midway.
        InterruptIT.writeSlowLatticeJob(tmp, 14);
        Process p = InterruptIT.start(tmp, "fit", "fit.yaml", "--progress", "log", "--progress-interval", "0.2");
        try {
            InterruptIT.awaitEvaluations(p, tmp.resolve("out/evaluations.csv"), 3, tmp);
            InterruptIT.sigterm(p);
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chemfit did not stop within 90 s of SIGTERM");
        } finally {
            p.destroyForcibly();
        }
        String out = InterruptIT.output(tmp);
        assertEquals(ExitCodes.TERMINATED, p.exitValue(), out);
        JsonNode res =
                new ObjectMapper().readTree(tmp.resolve("out/results.json").toFile());
        assertEquals("interrupted", res.get("status").asText(), out);
        int total = res.at("/evaluations/total").asInt();
        assertTrue(total >= 3, out);
        assertEquals(
                total + 1,
                Files.readAllLines(tmp.resolve("out/evaluations.csv")).size(),
                out);
        assertTrue(out.contains("stopped by SIGTERM: stopping the running terms and writing what is finished"), out);
        assertFalse(out.contains("interrupted: stopping"), out);
        // the fit's log line "fit interrupted after N evaluations" is not shown: the command says it once
        assertFalse(out.contains("[WARN]") || out.contains("Fitter"), out);
        assertFalse(out.contains("interrupted (interrupted)"), out);
        assertTrue(out.contains("fit: interrupted after " + total + " evaluations, "), out);
        InterruptIT.assertPlotsAndPredictionsAtTheBest(tmp.resolve("out"), res, out);
    }

    /** SIGHUP, sent when the terminal closes: the same stop, said as such, and 129 (128 + 1). */
    @Test
    void sighupDuringAFitWritesResultsAndExits129() throws Exception {
        InterruptIT.writeSlowLatticeJob(tmp, 14);
        Process p = InterruptIT.start(tmp, "fit", "fit.yaml", "--progress", "log", "--progress-interval", "0.2");
        try {
            InterruptIT.awaitEvaluations(p, tmp.resolve("out/evaluations.csv"), 3, tmp);
            InterruptIT.sighup(p);
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chemfit did not stop within 90 s of SIGHUP");
        } finally {
            p.destroyForcibly();
        }
        String out = InterruptIT.output(tmp);
        assertEquals(Interrupts.HUNG_UP, p.exitValue(), out);
        assertEquals(129, Interrupts.HUNG_UP);
        JsonNode res =
                new ObjectMapper().readTree(tmp.resolve("out/results.json").toFile());
        assertEquals("interrupted", res.get("status").asText(), out);
        int total = res.at("/evaluations/total").asInt();
        assertEquals(
                total + 1,
                Files.readAllLines(tmp.resolve("out/evaluations.csv")).size(),
                out);
        assertTrue(out.contains("stopped by SIGHUP: stopping the running terms and writing what is finished"), out);
        assertFalse(out.contains("interrupted: stopping"), out);
        assertTrue(out.contains("fit: interrupted after " + total + " evaluations, "), out);
    }
}

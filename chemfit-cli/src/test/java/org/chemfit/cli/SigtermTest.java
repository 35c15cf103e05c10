package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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

    /**
     * SIGTERM (what SLURM sends) and SIGHUP (sent when the terminal closes) stop a fit alike: what
     * was finished is written, the message names the signal, and the exit code is 128 + its number.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "SIG{0}")
    @org.junit.jupiter.params.provider.CsvSource({"TERM, 143", "HUP, 129"})
    void aSignalDuringAFitWritesResultsAndExitsWithItsCode(String signal, int code) throws Exception {
        assertEquals(code, signal.equals("TERM") ? ExitCodes.TERMINATED : Interrupts.HUNG_UP);
        // 2744 argon atoms: each evaluation sums millions of pairs, slow enough to stop midway.
        InterruptIT.writeSlowLatticeJob(tmp, 14);
        Process p = InterruptIT.start(tmp, "fit", "fit.yaml", "--progress", "log", "--progress-interval", "0.2");
        try {
            InterruptIT.awaitEvaluations(p, tmp.resolve("out/evaluations.csv"), 3, tmp);
            InterruptIT.signal(p, signal);
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chemfit did not stop within 90 s of SIG" + signal);
        } finally {
            p.destroyForcibly();
        }
        String out = InterruptIT.output(tmp);
        assertEquals(code, p.exitValue(), out);
        JsonNode res =
                new ObjectMapper().readTree(tmp.resolve("out/results.json").toFile());
        assertEquals("interrupted", res.get("status").asText(), out);
        int total = res.at("/evaluations/total").asInt();
        assertTrue(total >= 3, out);
        assertEquals(
                total + 1,
                Files.readAllLines(tmp.resolve("out/evaluations.csv")).size(),
                out);
        assertTrue(
                out.contains("stopped by SIG" + signal + ": stopping the running terms and writing what is finished"),
                out);
        assertFalse(out.contains("interrupted: stopping"), out);
        // the fit's log line "fit interrupted after N evaluations" is not shown: the command says it once
        assertFalse(out.contains("[WARN]") || out.contains("Fitter"), out);
        assertFalse(out.contains("interrupted (interrupted)"), out);
        assertTrue(out.contains("fit: interrupted after " + total + " evaluations, "), out);
        InterruptIT.assertPlotsAndPredictionsAtTheBest(tmp.resolve("out"), res, out);
    }
}

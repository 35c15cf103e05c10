package org.chemfit.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chemfit fit} of a real GROMACS job whose {@code mdrun} never ends by itself, stopped by a
 * SIGINT: sent to mdrun alone, mdrun catches it and exits with code 1, and the fit reports a term
 * stopped from outside (which fails the fit under {@code on_failure: raise}); sent to mdrun and to
 * chemfit at once, as a Ctrl-C at the terminal sends it to both, the fit is interrupted and the
 * run is cancelled, not failed.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class GromacsSignalIT {

    @TempDir
    Path tmp;

    /** Writes the static crystal's job, its mdrun made endless, and starts {@code chemfit fit} on it. */
    private Process startEndlessFit() throws Exception {
        GromacsJobs.assumeMdrunRunsHere();
        GromacsJobs.staticJob(tmp, -8.0, 100.0, 5);
        Path mdp = tmp.resolve("static.mdp");
        String endless = Files.readString(mdp)
                .replace("nsteps                  = 0", "nsteps                  = -1")
                .replace("nstenergy               = 1", "nstenergy               = 1000");
        Files.writeString(mdp, endless);
        return InterruptIT.start(tmp, "fit", "fit.yaml", "--progress", "none");
    }

    /** @return the stderr file of the running mdrun, once it has started its steps */
    private Path mdrunStarted(Process p) {
        Path[] found = new Path[1];
        await().atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(50))
                .failFast(() -> assertTrue(p.isAlive(), () -> "chemfit ended\n" + InterruptIT.output(tmp)))
                .until(() -> {
                    try (Stream<Path> files = Files.walk(tmp)) {
                        for (Path f : files.filter(
                                        f -> f.getFileName().toString().equals("program2.stderr"))
                                .toList()) {
                            if (Files.readString(f).contains("starting mdrun")) {
                                found[0] = f;
                                return true;
                            }
                        }
                    }
                    return false;
                });
        return found[0];
    }

    /** @return the one mdrun that the chemfit process started */
    private static ProcessHandle mdrun(Process p) {
        List<ProcessHandle> m = p.descendants()
                .filter(h -> h.info().commandLine().orElse("").contains(" mdrun "))
                .toList();
        assertEquals(1, m.size(), m::toString);
        return m.get(0);
    }

    /** Sends SIGINT to these processes with one kill command. */
    private static void sigint(long... pids) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("kill", "-INT"));
        for (long pid : pids) {
            cmd.add(Long.toString(pid));
        }
        Process k = new ProcessBuilder(cmd).inheritIO().start();
        assertTrue(k.waitFor(10, TimeUnit.SECONDS) && k.exitValue() == 0, "kill -INT failed");
    }

    @Test
    void aSigintToMdrunAloneFailsTheTermAsStoppedFromOutside() throws Exception {
        Process p = startEndlessFit();
        try {
            Path stderr = mdrunStarted(p);
            sigint(mdrun(p).pid());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chemfit did not end\n" + InterruptIT.output(tmp));
            String out = InterruptIT.output(tmp);
            assertEquals(ExitCodes.FIT_FAILED, p.exitValue(), out);
            String said = Files.readString(stderr)
                    .lines()
                    .filter(l -> l.startsWith("Received the "))
                    .findFirst()
                    .orElseThrow();
            assertTrue(said.matches("Received the INT signal, stopping within \\d+ steps"), said);
            assertTrue(
                    out.contains(
                            " mdrun -s run.tpr -deffnm run -ntmpi 1 -ntomp 1 -pin off -reprod' was stopped by SIGINT"
                                    + " from outside the fit (the program said '" + said + "' and exited with code 1)"),
                    out);
            JsonNode f = new ObjectMapper()
                    .readTree(stderr.resolveSibling("failure.json").toFile());
            assertFalse(f.get("cancelled").asBoolean(), out);
            assertEquals(1, f.get("exit_code").asInt(), out);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aSigintToMdrunAndChemfitTogetherInterruptsTheFitAndCancelsTheRun() throws Exception {
        Process p = startEndlessFit();
        try {
            Path stderr = mdrunStarted(p);
            sigint(p.pid(), mdrun(p).pid());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chemfit did not end\n" + InterruptIT.output(tmp));
            String out = InterruptIT.output(tmp);
            assertEquals(ExitCodes.INTERRUPTED, p.exitValue(), out);
            assertFalse(out.contains("was stopped by SIGINT from outside the fit"), out);
            assertTrue(out.contains("interrupted: stopping the running terms and writing what is finished"), out);
            JsonNode f = new ObjectMapper()
                    .readTree(stderr.resolveSibling("failure.json").toFile());
            assertTrue(f.get("cancelled").asBoolean(), out);
        } finally {
            p.destroyForcibly();
        }
    }
}

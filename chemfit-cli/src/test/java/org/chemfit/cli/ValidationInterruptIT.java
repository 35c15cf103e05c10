package org.chemfit.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a real {@code chemfit fit} whose optimizer has ended while its held-out terms run, as
 * the end of an allocation may come: the results say interrupted (exit 143) with the way to
 * resume, and the same command then evaluates the held-out terms, the fit replayed from its
 * journal.
 */
@org.junit.jupiter.api.Timeout(value = 240, unit = TimeUnit.SECONDS)
class ValidationInterruptIT {

    @TempDir
    Path tmp;

    @Test
    void sigtermWhileTheValidationTermsRunLeavesThemForTheSameCommand() throws Exception {
        Process p = startUntilTheValidationRuns();
        InterruptIT.sigterm(p);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = InterruptIT.output(tmp);
        assertEquals(143, p.exitValue(), out);
        assertTrue(out.contains("the fit had ended; its validation terms were interrupted and are not evaluated"), out);
        assertTrue(out.contains("evaluating the validation terms at the initial and the best parameters"), out);
        ObjectMapper json = new ObjectMapper();
        JsonNode cut = json.readTree(tmp.resolve("out/results.json").toFile());
        assertEquals("interrupted", cut.get("status").asText(), out);
        assertTrue(cut.get("validation").get(0).get("loss").get("best").isNull(), cut.toString());

        Process again = start("0");
        assertTrue(again.waitFor(120, TimeUnit.SECONDS));
        String out2 = InterruptIT.output(tmp);
        assertEquals(0, again.exitValue(), out2);
        JsonNode done = json.readTree(tmp.resolve("out/results.json").toFile());
        assertEquals("done", done.get("status").asText(), out2);
        assertEquals(6, done.get("evaluations").get("replayed").asInt(), out2);
        // the held-out terms' time is said apart from the fit's
        double held = done.get("timing").get("validation_seconds").asDouble();
        assertTrue(held > 0, done.get("timing").toString());
        assertTrue(
                out2.contains(String.format(java.util.Locale.ROOT, " + %.2f s of validation (Nelder-Mead)", held)),
                out2);
        double best = done.get("best_parameters").get("x").asDouble();
        assertEquals(
                Math.pow(best - 2.0, 2),
                done.get("validation").get(0).get("loss").get("best").asDouble(),
                1e-9,
                out2);
        assertEquals(
                cut.get("loss").get("best").asDouble(),
                done.get("loss").get("best").asDouble(),
                0.0);
        // the best point was replayed: its term says how it ran, and the seconds it took then
        JsonNode term = done.get("terms").get(0);
        assertEquals("OK", term.get("status").asText(), term.toString());
        assertTrue(term.get("replayed").asBoolean(), term.toString());
        assertEquals(
                cut.get("terms").get(0).get("seconds").asDouble(),
                term.get("seconds").asDouble(),
                1e-6);
        assertTrue(term.get("seconds").asDouble() > 1e-3, term.toString());
    }

    /**
     * SIGTERM while the fit itself runs: the held-out terms, which would run when it ends, are
     * said not to be evaluated, and why.
     */
    @Test
    void sigtermDuringTheFitSaysTheValidationTermsAreNotEvaluated() throws Exception {
        Path fitting = tmp.resolve("fit-started");
        writeJob("sh, -c, 'touch " + fitting + "; sleep ${SLEEP:-0}; cp in.json out.json'");
        Process p = start("60");
        await().atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> Files.exists(fitting) || !p.isAlive());
        assertTrue(p.isAlive(), InterruptIT.output(tmp));
        InterruptIT.sigterm(p);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = InterruptIT.output(tmp);
        assertEquals(143, p.exitValue(), out);
        assertTrue(
                out.contains("the validation terms are not evaluated: the fit was interrupted (they are when it ends:"
                        + " run the same command to resume)"),
                out);
        assertTrue(!out.contains("evaluating the validation terms"), out);
        assertTrue(!tmp.resolve("validation-started").toFile().exists(), "the held-out program never ran");
        // and chemfit report, which did not see the fit stop, says it under the same table
        Cli.Run report = Cli.run("report", tmp.resolve("out").toString(), "--no-plots");
        assertEquals(ExitCodes.OK, report.code(), report::toString);
        assertTrue(
                report.out()
                        .contains("the validation terms are not evaluated: the fit was interrupted (they are when it"
                                + " ends: run the same command to resume)\n"),
                report::toString);
    }

    /** Writes the job: a fast fit term, and a held-out term whose program sleeps as SLEEP says. */
    private Path writeJob() throws java.io.IOException {
        return writeJob("cp, in.json, out.json");
    }

    /** @param fitCommand the fit term's command, as the items of a YAML flow list */
    private Path writeJob(String fitCommand) throws java.io.IOException {
        Path marker = tmp.resolve("validation-started");
        Files.writeString(tmp.resolve("in.json"), "{\"energy\": {{ x }}}\n");
        Files.writeString(
                tmp.resolve("fit.yaml"),
                String.join(
                        "\n",
                        "parameters: {x: {initial: 3.0, bounds: [0, 5]}}",
                        "terms:",
                        "  - name: fast",
                        "    kind: external",
                        "    templates: {in.json: in.json}",
                        "    command: [" + fitCommand + "]",
                        "    outputs: {energy: {parser: json, file: out.json, path: /energy}}",
                        "    reference: {energy: 1.0}",
                        "validation:",
                        "  - name: held",
                        "    kind: external",
                        "    templates: {in.json: in.json}",
                        "    command: [sh, -c, 'touch " + marker + "; sleep ${SLEEP:-0}; cp in.json out.json']",
                        "    outputs: {energy: {parser: json, file: out.json, path: /energy}}",
                        "    reference: {energy: 2.0}",
                        "optimizer: {method: Nelder-Mead, max_evaluations: 6}",
                        "output: {folder: out, plots: false}",
                        ""));
        return marker;
    }

    /**
     * The same, killed with SIGKILL: {@code report} says that the fit had finished and how its
     * results are written, and the same command writes them.
     */
    @Test
    void aKillWhileTheValidationTermsRunIsReportedWithTheWayToWriteTheResults() throws Exception {
        Process p = startUntilTheValidationRuns();
        InterruptIT.killWithPrograms(p);
        Cli.Run report = Cli.run("report", tmp.resolve("out").toString(), "--no-plots");
        assertEquals(0, report.code(), report.toString());
        assertTrue(
                report.out()
                        .contains("finished, but its command was stopped before it wrote its results; `chemfit fit"
                                + " JOB --output " + tmp.resolve("out") + "` writes them"),
                report.toString());
        Process again = start("0");
        assertTrue(again.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, again.exitValue(), InterruptIT.output(tmp));
        JsonNode done =
                new ObjectMapper().readTree(tmp.resolve("out/results.json").toFile());
        assertTrue(done.get("validation").get(0).get("loss").get("best").isNumber(), done.toString());
    }

    /** @return the fit of the job, started, once its held-out term's program runs (and sleeps) */
    private Process startUntilTheValidationRuns() throws Exception {
        Path marker = writeJob();
        Process p = start("60");
        await().atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> Files.exists(marker) || !p.isAlive());
        assertTrue(p.isAlive(), InterruptIT.output(tmp));
        return p;
    }

    private Process start(String sleep) throws Exception {
        // the validation program sleeps as long as SLEEP says; the environment is the child's
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                "env",
                "SLEEP=" + sleep,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "fit",
                "fit.yaml"));
        return new ProcessBuilder(cmd)
                .directory(tmp.toFile())
                .redirectOutput(tmp.resolve("stdout.txt").toFile())
                .redirectError(tmp.resolve("stderr.txt").toFile())
                .start();
    }
}

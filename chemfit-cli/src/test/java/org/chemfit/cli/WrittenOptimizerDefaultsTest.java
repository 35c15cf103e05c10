package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An optimizer's default written out in the job file is the same job as the default left out: a
 * fit of one resumes the journal of the other, replaying every evaluation, whichever was first;
 * another value is another job. Most of all the finite-difference step of a job with crystal
 * terms, whose default (1e-5) is not the method's own.
 */
class WrittenOptimizerDefaultsTest {

    @TempDir
    Path dir;

    /**
     * Periclase with a Buckingham Mg-O repulsion (the model of examples/mgo-buckingham), its A
     * free, fitted with the method and the optimizer keys given.
     */
    private Path job(String file, String method, String more) throws IOException {
        return job(file, method, more, true);
    }

    private Path job(String file, String method, String more, boolean rhoFixed) throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/mgo.xyz"), TestData.MGO);
        return TestData.write(
                dir,
                file,
                "parameters:",
                "  A: {initial: 1100.0, bounds: [800.0, 1600.0]}",
                "  rho: {initial: 0.3, " + (rhoFixed ? "fixed: true" : "bounds: [0.25, 0.35]") + "}",
                "  q: {initial: 2.0, fixed: true}",
                "terms:",
                "  - name: periclase",
                "    kind: crystal",
                "    structure: data/mgo.xyz",
                "    formula_units: 4",
                "    potential:",
                "      - {form: coulomb, charges: {Mg: q, O: -1*q}, method: ewald, tolerance: 1.0e-10}",
                "      - {form: buckingham, species: [Mg, O], A: A, rho: rho, C: 0.0, cutoff: 12.0}",
                "      - {form: buckingham, species: [O, O], A: 22764.0, rho: 0.149, C: 27.8, cutoff: 12.0}",
                "    reference: {lattice_constant: 4.212, C11: 297.0, C12: 95.0, C44: 155.0}",
                "optimizer: {method: " + method + ", max_evaluations: 6" + more + "}",
                "output: {folder: out, plots: false}");
    }

    private Cli.Run fit(Path job) {
        return fit(job, "out");
    }

    private Cli.Run fit(Path job, String out) {
        return Cli.run(
                "fit",
                job.toString(),
                "--progress",
                "none",
                "-o",
                dir.resolve(out).toString());
    }

    private JsonNode results(String out) throws IOException {
        return new ObjectMapper()
                .readTree(dir.resolve(out).resolve(Results.FILE).toFile());
    }

    private JsonNode results() throws IOException {
        return results("out");
    }

    private void replays(Path job, JsonNode first) throws IOException {
        replays(job, first, "out");
    }

    /** Runs the job: it must go on with run 1 of the journal, replaying every one of its evaluations. */
    private void replays(Path job, JsonNode first, String out) throws IOException {
        Cli.Run again = fit(job, out);
        assertEquals(ExitCodes.OK, again.code(), again::toString);
        JsonNode after = results(out);
        int evaluations = first.get("evaluations").get("total").asInt();
        assertEquals(evaluations, after.get("evaluations").get("total").asInt(), again::toString);
        assertEquals(evaluations, after.get("evaluations").get("replayed").asInt(), again::toString);
        assertEquals(1, after.get("journal_run").asInt(), again::toString);
        assertEquals(
                first.get("loss").get("best").asDouble(),
                after.get("loss").get("best").asDouble(),
                0.0,
                again::toString);
        assertEquals(first.get("best_parameters"), after.get("best_parameters"), again::toString);
        assertTrue(again.out().contains("(" + evaluations + " replayed from the journal)"), again::toString);
        // the results are written again, of the job file run now
        assertEquals(job.toString(), after.get("job").get("file").asText(), after.get("job")::toString);
    }

    /**
     * The two job files differ only by {@code finite_difference_step: {relative: 1.0e-5}}, the
     * default of a job with crystal terms: the second resumes the first's journal, in either order.
     * Under {@code L-BFGS-B} the journal records the default step left out as {@code
     * job.crystal_gradient_step} and the written one under {@code job.file.optimizer}; under {@code
     * least-squares} only the written one is recorded.
     */
    @ParameterizedTest
    @ValueSource(strings = {"L-BFGS-B", "least-squares"})
    void theCrystalStepWrittenOutOrLeftOutIsTheSameJob(String method) throws IOException {
        Path leftOut = job("left-out.yaml", method, "");
        Path written = job("written.yaml", method, ", finite_difference_step: {relative: 1.0e-5}");
        Cli.Run first = fit(leftOut);
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        JsonNode recorded = results();
        assertEquals(6, recorded.get("evaluations").get("total").asInt(), first::toString);
        replays(written, recorded);
        replays(leftOut, recorded);

        // the other way round: the step written first, in another folder
        first = fit(written, "out2");
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        assertEquals(recorded.get("best_parameters"), results("out2").get("best_parameters"), "the same fit");
        replays(leftOut, results("out2"), "out2");
    }

    /** A step other than the default is another job: refused, naming the change. */
    @Test
    void anotherStepIsAnotherJob() throws IOException {
        Cli.Run first = fit(job("left-out.yaml", "L-BFGS-B", ""));
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        Cli.Run other = fit(job("other.yaml", "L-BFGS-B", ", finite_difference_step: {relative: 1.0e-4}"));
        assertEquals(ExitCodes.USAGE, other.code(), other::toString);
        assertTrue(
                other.err()
                        .contains("so it cannot be resumed: removed job.crystal_gradient_step (was 1.0E-5); added"
                                + " job.file.optimizer.finite_difference_step.relative = 1.0E-4. Restart"),
                other::toString);
        // the default written out, but the method's own step rather than the crystal default: another job too
        Cli.Run own = fit(job("own.yaml", "L-BFGS-B", ", finite_difference_step: {relative: 1.4901161193847656e-8}"));
        assertEquals(ExitCodes.USAGE, own.code(), own::toString);
        assertTrue(
                own.err().contains("added job.file.optimizer.finite_difference_step.relative = 1.4901161193847656E-8"),
                own::toString);
    }

    /**
     * Every other optimizer default written out, in every way the job reader takes it: the method
     * spelled otherwise, the seed, {@code bad_value}, the tolerances the method stops by when none
     * is written, and {@code tolerance: {}}; each keeps the run, and each with another value does not.
     */
    @Test
    void theOtherOptimizerDefaultsWrittenOutKeepTheRun() throws IOException {
        Path leftOut = job("left-out.yaml", "Nelder-Mead", "");
        Cli.Run first = fit(leftOut);
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        JsonNode recorded = results();
        List<String> same = List.of(
                ", seed: 42, bad_value: 1.0e5",
                ", tolerance: {relative: 1.0e-12}",
                ", tolerance: {absolute: 1.0e-15}",
                ", tolerance: {relative: 1.0e-12, absolute: 1.0e-15}",
                ", tolerance: {}");
        int k = 0;
        for (String more : same) {
            replays(job("same-" + k++ + ".yaml", "nelder_mead", more), recorded);
        }
        List<String> other = List.of(
                ", seed: 43", ", bad_value: 1.0e4", ", tolerance: {relative: 1.0e-10}", ", tolerance: {absolute: 0}");
        for (String more : other) {
            Cli.Run refused = fit(job("other-" + k++ + ".yaml", "Nelder-Mead", more));
            assertEquals(ExitCodes.USAGE, refused.code(), more + ": " + refused);
            assertTrue(refused.err().contains("so it cannot be resumed: "), refused::toString);
        }
        // another method is another job, however its defaults are written
        Cli.Run powell = fit(job("powell.yaml", "Powell", ", tolerance: {relative: 1.0e-12}"));
        assertEquals(ExitCodes.USAGE, powell.code(), powell::toString);
        assertTrue(powell.err().contains("changed fit.method: \"Nelder-Mead\" -> \"Powell\""), powell::toString);
    }

    /**
     * The defaults that depend on the job: a population method's population, {@code 4 + floor(3 ln
     * n)} for n free parameters (here 6 for 2), and the tolerances of the method.
     */
    @Test
    @SuppressWarnings("unchecked") // the settings' sections are maps of names, as JobSettings.of builds them
    void theDefaultsOfEachMethodAreTheMethodsOwn() throws IOException {
        JobFile job = JobFile.read(job("left-out.yaml", "Nelder-Mead", "", false));
        record Case(String method, String written, boolean same) {}
        List<Case> cases = new ArrayList<>(List.of(
                new Case("CMA-ES", "batch_size: 6", true),
                new Case("CMA-ES", "batch_size: 7", false),
                new Case("least-squares", "tolerance: {relative: 1.0e-8, absolute: 0}", true),
                new Case("least-squares", "tolerance: {relative: 1.0e-8}", false),
                new Case("L-BFGS-B", "tolerance: {relative: 2.220446049250313e-9, absolute: 0.0}", true),
                new Case("levenberg-marquardt", "tolerance: {relative: 1.0e-8}", true),
                new Case("levenberg-marquardt", "tolerance: {relative: 1.0e-9}", false),
                new Case("Powell", "tolerance: {relative: 1.0e-12, absolute: 1.0e-14}", false)));
        for (Case c : cases) {
            Map<String, Object> left = JobSettings.of(JobFile.read(job("a.yaml", c.method(), "", false)));
            Map<String, Object> written =
                    JobSettings.of(JobFile.read(job("b.yaml", c.method(), ", " + c.written(), false)));
            if (c.same()) {
                assertEquals(
                        JobSettings.effectiveOptimizer(left, job),
                        JobSettings.effectiveOptimizer(written, job),
                        c::toString);
            } else {
                assertNotEquals(
                        JobSettings.effectiveOptimizer(left, job),
                        JobSettings.effectiveOptimizer(written, job),
                        c::toString);
            }
        }
        // BOBYQA reads no tolerance, and a job file's is refused for it now: a run that recorded one
        // (when it was taken and never read) is the same optimizer as the job without it
        Map<String, Object> bobyqa = JobSettings.of(JobFile.read(job("e.yaml", "BOBYQA", "", false)));
        Map<String, Object> recorded = new java.util.LinkedHashMap<>(bobyqa);
        Map<String, Object> file = new java.util.LinkedHashMap<>((Map<String, Object>) bobyqa.get("file"));
        Map<String, Object> optimizer = new java.util.LinkedHashMap<>((Map<String, Object>) file.get("optimizer"));
        optimizer.put("tolerance", Map.of("relative", 1.0e-6));
        file.put("optimizer", optimizer);
        recorded.put("file", file);
        assertEquals(JobSettings.effectiveOptimizer(bobyqa, job), JobSettings.effectiveOptimizer(recorded, job));
    }

    /**
     * The budget's default, 200, written out is taken as the run wrote it (left out), with the
     * method's spelling and the seed; another budget is kept, for the journal to take as a larger
     * one.
     */
    @Test
    void theDefaultBudgetWrittenOutIsTakenAsTheRunWroteIt() throws IOException {
        Path noBudget = job("a.yaml", "Nelder-Mead", "");
        Files.writeString(noBudget, Files.readString(noBudget).replace(", max_evaluations: 6", ""));
        JobFile job = JobFile.read(noBudget);
        Map<String, Object> recorded = JobSettings.of(job);
        Path written = job("b.yaml", "nelder_mead", ", seed: 42");
        Files.writeString(written, Files.readString(written).replace("max_evaluations: 6", "max_evaluations: 200"));
        Map<String, Object> now = JobSettings.of(JobFile.read(written));
        assertNotEquals(recorded, now);
        assertEquals(recorded, JobSettings.asRecorded(now, List.of(recorded), job));
        Path larger = job("c.yaml", "nelder_mead", ", seed: 42");
        Files.writeString(larger, Files.readString(larger).replace("max_evaluations: 6", "max_evaluations: 300"));
        Map<String, Object> adopted =
                JobSettings.asRecorded(JobSettings.of(JobFile.read(larger)), List.of(recorded), job);
        assertEquals(
                Map.of("method", "Nelder-Mead", "max_evaluations", 300),
                ((Map<?, ?>) adopted.get("file")).get("optimizer"));
        // a run of another optimizer lends nothing
        Map<String, Object> seed43 = JobSettings.of(JobFile.read(job("d.yaml", "Nelder-Mead", ", seed: 43")));
        assertEquals(seed43, JobSettings.asRecorded(seed43, List.of(recorded), job));
    }

    /**
     * Two runs of the same optimizer spelled two ways: run 1 of the job as written ({@code
     * least-squares}, the budget left out), run 2 begun with {@code --restart} of another weight and
     * {@code least_squares} with the default budget written out. The first job file run again is
     * run 1's job: it takes run 1's spelling, not the latest run's, and goes on with run 1
     * (replayed, as results.json is run 2's), then shows it.
     */
    @Test
    void aJobTakesTheSpellingOfItsOwnRunNotOfTheLatest() throws IOException {
        Path j = job("j.yaml", "least-squares", "");
        Files.writeString(j, Files.readString(j).replace(", max_evaluations: 6", ""));
        Path other = job("other.yaml", "least_squares", "");
        Files.writeString(
                other,
                Files.readString(other)
                        .replace("max_evaluations: 6", "max_evaluations: 200")
                        .replace("    kind: crystal\n", "    kind: crystal\n    weight: 2.0\n"));
        assertTrue(Files.readString(other).contains("    weight: 2.0\n"), "the weight is written");

        Cli.Run first = fit(j);
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        JsonNode run1 = results();
        assertEquals(1, run1.get("journal_run").asInt(), first::toString);
        Cli.Run second = Cli.run(
                "fit",
                other.toString(),
                "--progress",
                "none",
                "-o",
                dir.resolve("out").toString(),
                "--restart");
        assertEquals(ExitCodes.OK, second.code(), second::toString);
        assertEquals(2, results().get("journal_run").asInt(), second::toString);

        replays(j, run1);
        Cli.Run shown = fit(j);
        assertEquals(ExitCodes.OK, shown.code(), shown::toString);
        assertTrue(
                shown.err()
                        .contains("the fit of j.yaml in " + dir.resolve("out") + " is finished (run 1 of the journal, "
                                + run1.get("evaluations").get("total").asInt()
                                + " evaluations recorded); its result is shown"),
                shown::toString);
    }
}

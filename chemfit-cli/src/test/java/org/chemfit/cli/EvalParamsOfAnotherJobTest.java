package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chemfit eval JOB --params results.json} of a results file another job wrote, whose
 * parameters have the same names: evaluated at its best parameters, with a warning that names
 * both jobs and the files whose hashes differ; the job's own results give no such warning.
 */
class EvalParamsOfAnotherJobTest {

    @TempDir
    Path tmp;

    /**
     * jobs/two-terms.yaml in tmp/folder, its reference CSV as data/NAME there (naming the
     * structures of the test resources by their absolute paths), with the first energy given.
     */
    private Path job(String folder, String csv, String firstEnergy) throws IOException {
        Path jobs = Cli.resource("jobs");
        Path dir = Files.createDirectories(tmp.resolve(folder).resolve("data")).getParent();
        String data = Files.readString(jobs.resolve("data/energies.csv"))
                .replace("dimers/", jobs.resolve("data/dimers") + "/")
                .replace("2.941461985331414", firstEnergy);
        Files.writeString(dir.resolve("data").resolve(csv), data);
        Path job = dir.resolve("fit.yaml");
        Files.writeString(
                job,
                Files.readString(jobs.resolve("two-terms.yaml"))
                                .replace("reference: data/energies.csv", "reference: data/" + csv)
                                .replace("max_evaluations: 60", "max_evaluations: 20")
                        + "output: {plots: false}\n");
        return job;
    }

    @Test
    void resultsOfAnotherJobAreUsedWithAWarningNamingBothJobs() throws IOException {
        Path a = job("a", "energies.csv", "2.941461985331414");
        Path out = tmp.resolve("a/out");
        Cli.Run fit = Cli.run("fit", a.toString(), "--output", out.toString(), "-q");
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        Path results = out.resolve("results.json");
        JsonNode written = new ObjectMapper().readTree(results.toFile());
        String hashA = written.at("/job/sha256").asText();
        double best = written.at("/best_parameters/lj/epsilon").asDouble();

        // the job's own results: no word of another job
        Cli.Run same = Cli.run("eval", a.toString(), "--params", results.toString());
        assertEquals(ExitCodes.OK, same.code(), same::toString);
        assertFalse(same.err().contains("another job"), same::toString);

        // the same job file, one energy of its data changed
        Path b = job("b", "energies.csv", "2.5");
        String hashB = JobFile.read(b).hash();
        Cli.Run edited = Cli.run("eval", b.toString(), "--params", results.toString());
        assertEquals(ExitCodes.OK, edited.code(), edited::toString);
        assertEquals(
                "warning: --params " + results + " was written by another job: 'two-terms' (" + a + ", sha256 "
                        + hashA.substring(0, 12) + "...), not the job evaluated, 'two-terms' (" + b + ", sha256 "
                        + hashB.substring(0, 12) + "...): files that differ: data/energies.csv; its best"
                        + " parameters are used all the same\n",
                edited.err(),
                edited::toString);
        // evaluated at the other job's best epsilon all the same
        assertTrue(edited.out().startsWith("parameters: {lj.epsilon=" + best + ", lj.sigma=2.0}\n"), edited::toString);

        // a job file that names another file: it differs, and each side has a file the other has not
        Path c = job("c", "other.csv", "2.941461985331414");
        String hashC = JobFile.read(c).hash();
        Cli.Run other = Cli.run("eval", c.toString(), "--params", out.toString());
        assertEquals(ExitCodes.OK, other.code(), other::toString);
        assertEquals(
                "warning: --params " + results + " was written by another job: 'two-terms' (" + a + ", sha256 "
                        + hashA.substring(0, 12) + "...), not the job evaluated, 'two-terms' (" + c + ", sha256 "
                        + hashC.substring(0, 12) + "...): files that differ: fit.yaml; only in its job:"
                        + " data/energies.csv; only in the job evaluated: data/other.csv; its best parameters are"
                        + " used all the same\n",
                other.err(),
                other::toString);

        // the job file that wrote the results, edited since: said as such, not as another job
        Files.writeString(a, Files.readString(a).replace("max_evaluations: 20", "max_evaluations: 21"));
        String hashNow = JobFile.read(a).hash();
        Cli.Run later = Cli.run("eval", a.toString(), "--params", results.toString());
        assertEquals(ExitCodes.OK, later.code(), later::toString);
        assertEquals(
                "warning: --params " + results + " was written by this job file (" + a
                        + ") when it or the files it names held other contents (sha256 " + hashA.substring(0, 12)
                        + "... then, " + hashNow.substring(0, 12) + "... now): files that differ: fit.yaml; its best"
                        + " parameters are used all the same\n",
                later.err(),
                later::toString);
    }
}

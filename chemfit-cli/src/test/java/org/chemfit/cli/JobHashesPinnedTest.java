package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hashes results.json gives of the job's files are those of the files the fit read at its
 * start: a template edited, or removed, while the fit runs (here by the term's own program, at
 * its first run) changes neither them nor the fit's end, which writes its results as usual.
 */
class JobHashesPinnedTest {

    @TempDir
    Path dir;

    private Path job(String afterRun) throws Exception {
        Path template = dir.resolve("in.json");
        Files.writeString(template, "{\"energy\": {{ x }}}\n");
        return TestData.write(
                dir,
                "j.yaml",
                "name: pinned",
                "parameters: {x: {initial: 3.0, bounds: [0, 5]}}",
                "terms:",
                "  - name: sim",
                "    kind: external",
                "    templates: {in.json: in.json}",
                "    command: [sh, -c, 'cp in.json out.json; " + afterRun + " " + template + "']",
                "    outputs: {energy: {parser: json, file: out.json, path: /energy}}",
                "    reference: {energy: 1.0}",
                "optimizer: {method: Nelder-Mead, max_evaluations: 6}",
                "output: {folder: out, plots: false}");
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private JsonNode fit(Path job) throws Exception {
        byte[] before = Files.readAllBytes(dir.resolve("in.json"));
        Cli.Run r = Cli.run("fit", job.toString(), "-q");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        JsonNode res =
                new ObjectMapper().readTree(dir.resolve("out/results.json").toFile());
        assertEquals("done", res.get("status").asText(), res::toString);
        assertEquals(sha256(before), res.at("/job/files/in.json").asText(), res::toString);
        return res;
    }

    @Test
    void aTemplateEditedDuringTheFitKeepsTheHashItHadAtTheStart() throws Exception {
        fit(job("echo >>"));
        assertFalse(Files.readString(dir.resolve("in.json")).equals("{\"energy\": {{ x }}}\n"), "it was edited");
    }

    @Test
    void aTemplateRemovedDuringTheFitLetsItWriteItsResults() throws Exception {
        fit(job("rm -f"));
        assertFalse(Files.exists(dir.resolve("in.json")), "it was removed");
    }
}

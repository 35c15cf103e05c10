package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.TermFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quantity with a reference must have as many values as that reference: a run whose output has
 * another number of values fails at step parse, as an output that cannot be parsed does, with its
 * run directory kept (the program succeeded, so without the check the default keep policy would
 * remove it) and {@code failure.json} in it. Real shell scripts write the outputs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OutputValueCountTest {

    private static final Parameters P = Parameters.of(Map.of("a", 1.0));
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    /** @return a term whose script writes this JSON to out.json, with a json parser of 'e' */
    private FileBasedQuantityComputer.Builder writing(String json) throws Exception {
        Path script = root.resolve("sim.sh");
        Files.writeString(script, "#!/bin/sh\necho '" + json + "' > out.json\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return FileBasedQuantityComputer.builder()
                .name("t")
                .workDirectory(root.resolve("runs"))
                .command(script.toString())
                .output(OutputParsers.json("e", "out.json", "e"));
    }

    private List<Path> runDirs() throws Exception {
        Path runs = root.resolve("runs");
        if (!Files.isDirectory(runs)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(runs)) {
            return s.sorted().toList();
        }
    }

    private static TermFailedException fails(FileBasedQuantityComputer c) {
        return assertThrows(TermFailedException.class, () -> c.compute(P, new EvaluationContext(P, "e0")));
    }

    @Test
    void anArrayLongerThanItsReferenceKeepsTheRunDirectoryWithItsFailureReport() throws Exception {
        FileBasedQuantityComputer c =
                writing("{\"e\": [1.0, 2.0, 3.0]}").expectValues("e", 2).build();
        TermFailedException e = fails(c);
        Path dir = e.runDirectory().orElseThrow();
        assertEquals(List.of(dir), runDirs(), "the run directory is kept as a failed run's");
        assertEquals(
                "external term 't' failed at step parse: quantity 'e' has 3 values in out.json, the reference has"
                        + " 2 values; an output must have as many values as its reference (run directory " + dir
                        + ")",
                e.getMessage());
        assertFalse(e.isTransient());
        assertEquals(0, e.exitCode().getAsInt());
        assertEquals("{\"e\": [1.0, 2.0, 3.0]}\n", Files.readString(dir.resolve("out.json")));
        JsonNode report = JSON.readTree(dir.resolve("failure.json").toFile());
        assertEquals("t", report.get("term").asText());
        assertEquals("parse", report.get("step").asText());
        assertEquals(
                "quantity 'e' has 3 values in out.json, the reference has 2 values; an output must have as many"
                        + " values as its reference",
                report.get("message").asText());
        assertEquals(dir.toString(), report.get("run_directory").asText());
        assertEquals(0, report.get("exit_code").asInt());
        assertFalse(report.get("transient").asBoolean());
    }

    @Test
    void aSingleNumberAgainstAReferenceOfTwoValuesNamesBothShapes() throws Exception {
        TermFailedException e =
                fails(writing("{\"e\": 1.5}").expectValues("e", 2).build());
        assertTrue(
                e.getMessage()
                        .startsWith("external term 't' failed at step parse: quantity 'e' is a single number in"
                                + " out.json, the reference has 2 values; "),
                e.getMessage());
        assertTrue(Files.isRegularFile(e.runDirectory().orElseThrow().resolve("failure.json")));
    }

    @Test
    void anArrayAgainstASingleNumberReferenceNamesBothShapes() throws Exception {
        TermFailedException e =
                fails(writing("{\"e\": [1.0, 2.0]}").expectValues("e", 1).build());
        assertTrue(
                e.getMessage()
                        .startsWith("external term 't' failed at step parse: quantity 'e' has 2 values in out.json,"
                                + " the reference has 1 value; "),
                e.getMessage());
    }

    @Test
    void anEmptyArrayIsNoValues() throws Exception {
        TermFailedException e =
                fails(writing("{\"e\": []}").expectValues("e", 3).build());
        assertTrue(e.getMessage().contains("quantity 'e' has 0 values in out.json, the reference has 3 values"));
    }

    @Test
    void outputsOfTheRightLengthPassAndTheSuccessfulRunIsRemoved() throws Exception {
        assertArrayEquals(
                new double[] {1.0, 2.0},
                writing("{\"e\": [1.0, 2.0]}")
                        .expectValues("e", 2)
                        .build()
                        .compute(P)
                        .array("e"),
                0.0);
        assertEquals(
                2.5,
                writing("{\"e\": 2.5}").expectValues("e", 1).build().compute(P).get("e"),
                0.0);
        // an array of one stands for a single number, as the losses take it
        assertArrayEquals(
                new double[] {4.0},
                writing("{\"e\": [4.0]}")
                        .expectValues("e", 1)
                        .build()
                        .compute(P)
                        .array("e"),
                0.0);
        assertEquals(List.of(), runDirs(), "successful runs are removed under keep: failed");
    }

    @Test
    void aParserWrittenInJavaIsNamedByItsPlace() throws Exception {
        FileBasedQuantityComputer c = writing("{\"e\": 1.0}")
                .output(dir ->
                        Quantities.builder().put("f", new double[] {1, 2, 3, 4}).build())
                .expectValues("f", 3)
                .build();
        TermFailedException e = fails(c);
        assertTrue(
                e.getMessage()
                        .startsWith("external term 't' failed at step parse: quantity 'f' has 4 values from parser 2,"
                                + " the reference has 3 values; "),
                e.getMessage());
    }

    @Test
    void aLabelWhereNumbersAreExpectedFailsTheRun() throws Exception {
        FileBasedQuantityComputer c = writing("{\"e\": 1.0}")
                .output(dir -> Quantities.builder().label("f", "dimer").build())
                .expectValues("f", 2)
                .build();
        TermFailedException e = fails(c);
        assertTrue(
                e.getMessage()
                        .startsWith("external term 't' failed at step parse: quantity 'f' is a label from parser 2, not"
                                + " a number; the reference has 2 values (run directory "),
                e.getMessage());
    }

    @Test
    void aQuantityThatNoOutputComputesFailsTheRun() throws Exception {
        TermFailedException e =
                fails(writing("{\"e\": 1.0}").expectValues("g", 1).build());
        assertTrue(
                e.getMessage()
                        .startsWith("external term 't' failed at step parse: no output computes quantity 'g', which"
                                + " has a reference; the outputs computed e (run directory "),
                e.getMessage());
    }

    @Test
    void aCountBelowOneIsRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> FileBasedQuantityComputer.builder().expectValues("e", 0));
        assertEquals("quantity 'e' must be expected to have 1 value or more, got 0", e.getMessage());
        assertEquals(
                "a quantity name must not be blank, got ' '",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> FileBasedQuantityComputer.builder().expectValues(" ", 1))
                        .getMessage());
    }
}

package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution archive that {@code mvn package} makes, unpacked in an empty folder and run
 * through its {@code bin/chemfit} script, as on a machine without Maven.
 */
class DistributionIT {

    /** What a process printed (stdout and stderr together) and its exit code. */
    record Result(int code, String output) {}

    static Result run(Path dir, List<String> cmd) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "out", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(cmd + " did not finish within 120 s:\n" + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    @Test
    void theUnpackedArchiveRunsItsScriptWithTheJarBesideIt(@TempDir Path dir) throws Exception {
        Path archive = Path.of(System.getProperty("chemfit.distribution", "target/chemfit-dist.tar.gz"));
        assertTrue(Files.isRegularFile(archive), "no distribution archive at " + archive.toAbsolutePath());

        Result untar = run(dir, List.of("tar", "-xzf", archive.toAbsolutePath().toString()));
        assertEquals(0, untar.code(), untar.output());
        // as root unpacks it (keeping the archive's modes): nothing that another user may write into
        Result listed =
                run(dir, List.of("tar", "-tvzf", archive.toAbsolutePath().toString()));
        assertEquals(0, listed.code(), listed.output());
        List<String> writable = listed.output()
                .lines()
                .filter(l -> l.length() > 9 && (l.charAt(5) == 'w' || l.charAt(8) == 'w'))
                .toList();
        assertEquals(List.of(), writable, "entries writable by the group or by others");
        Path top;
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> folders = s.filter(Files::isDirectory).toList();
            assertEquals(1, folders.size(), "one top folder in the archive: " + folders);
            top = folders.get(0);
        }
        assertTrue(top.getFileName().toString().startsWith("chemfit-"), top.toString());
        Path script = top.resolve("bin/chemfit");
        assertTrue(Files.isExecutable(script), script + " is not executable");
        assertTrue(Files.isRegularFile(top.resolve("lib/chemfit.jar")), "no lib/chemfit.jar");
        assertTrue(Files.readString(top.resolve("LICENSE")).startsWith("MIT License"), "no LICENSE");

        Result help = run(dir, List.of(script.toString(), "--help"));
        assertEquals(0, help.code(), help.output());
        assertTrue(help.output().contains("Usage: chemfit"), help.output());
        assertTrue(help.output().contains("validate"), help.output());

        // the docs the messages point to, and the examples, come with it: its own example is valid
        assertTrue(Files.readString(top.resolve("docs/job-file.md")).startsWith("# "), "no docs/job-file.md");
        assertTrue(Files.isRegularFile(top.resolve("README.md")), "no README.md");
        assertTrue(Files.isRegularFile(top.resolve("docs/chemfit-job.schema.json")), "no job schema");
        try (Stream<Path> s = Files.walk(top.resolve("examples"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().equals("results")), "an example's output folder");
        }
        Path job = top.resolve("examples/argon/fit.yaml");
        Result validate = run(dir, List.of(script.toString(), "validate", job.toString()));
        assertEquals(0, validate.code(), validate.output());
        assertTrue(validate.output().contains(job + " is valid: 2 parameters"), validate.output());
    }
}

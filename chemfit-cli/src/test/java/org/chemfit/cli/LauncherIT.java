package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's {@code ./chemfit} launcher, run from a copy of the repository's layout that
 * holds only the launcher, the built jar and the argon example (no sources, so it never builds):
 * the class-data archives it records once per jar and per JDK, the archive and compiler each
 * command gets, and that the command's output and exit code pass through unchanged.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class LauncherIT {

    private static final String RECORDING = "chemfit: recording the classes that commands load";

    /** What the launcher printed (stdout and stderr together) and its exit code. */
    record Result(int code, String output) {}

    @TempDir
    Path root;

    /** @return a copy of the launcher, the jar and examples/argon, laid out as in the repository */
    private Path layout() throws IOException {
        Path repo = ExamplesIT.examples().getParent();
        Path jar = repo.resolve("chemfit-cli/target/chemfit.jar");
        assertTrue(Files.isRegularFile(jar), "no jar at " + jar + "; run mvn package first");
        Files.copy(repo.resolve("chemfit"), root.resolve("chemfit"));
        assertTrue(root.resolve("chemfit").toFile().setExecutable(true), "chmod +x chemfit");
        Files.createDirectories(root.resolve("chemfit-cli/target"));
        Files.copy(jar, root.resolve("chemfit-cli/target/chemfit.jar"));
        Path from = repo.resolve("examples/argon");
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.filter(p -> !p.startsWith(from.resolve("results"))).toList()) {
                Path to = root.resolve("examples/argon")
                        .resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        return root.resolve("chemfit");
    }

    private Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return run(List.of(), env, args);
    }

    /** Runs the launcher with these variables of the test's environment unset, then these set. */
    private Result run(List<String> unset, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(root.resolve("chemfit").toString());
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(root, "out", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().remove("CHEMFIT_JAVA_OPTS");
        pb.environment().remove("CHEMFIT_CDS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
        pb.environment().keySet().removeAll(unset);
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(cmd + " did not finish within 300 s:\n" + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private Path target(String name) {
        return root.resolve("chemfit-cli/target").resolve(name);
    }

    private static void assertFlag(String output, String flag, String value) {
        assertTrue(
                Pattern.compile("\\b" + flag + "\\s+= " + value + "\\s")
                        .matcher(output)
                        .find(),
                flag + " = " + value + " expected in\n" + output);
    }

    /**
     * The build lock's file left by another user, which this one may read but not write (in a
     * shared tree): the launcher locks it read-only and builds, instead of failing on bash's
     * "Permission denied". The file is made unwritable as {@code ReadOnlyFolder} makes a folder so.
     */
    @Test
    @SuppressWarnings("try") // the file is unwritable while the resource is open
    void aBuildLockFileThisUserMayNotWriteStillLetsItBuild() throws Exception {
        layout();
        Path bin = Files.createDirectories(root.resolve("fake-bin"));
        Path runs = root.resolve("mvn-runs.txt");
        Files.writeString(
                bin.resolve("mvn"), "#!/bin/sh\necho ran >> '" + runs + "'\ntouch '" + target("chemfit.jar") + "'\n");
        assertTrue(bin.resolve("mvn").toFile().setExecutable(true));
        long now = System.currentTimeMillis();
        Files.setLastModifiedTime(target("chemfit.jar"), FileTime.fromMillis(now - 120_000));
        Files.writeString(root.resolve("pom.xml"), "<project/>\n");
        Files.setLastModifiedTime(root.resolve("pom.xml"), FileTime.fromMillis(now - 60_000));
        Path lock = Files.writeString(target(".chemfit-build.lock"), "");
        try (org.chemfit.testfixtures.ReadOnlyFolder unwritable = org.chemfit.testfixtures.ReadOnlyFolder.of(lock)) {
            assertFalse(Files.isWritable(lock));
            Result r = run(
                    Map.of(
                            "CHEMFIT_CDS",
                            "off",
                            "PATH",
                            bin + ":" + Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH")),
                    "--version");
            assertEquals(0, r.code(), r.output());
            assertTrue(r.output().contains("chemfit " + Version.get()), r.output());
            assertFalse(r.output().contains("Permission denied"), r.output());
        }
        assertEquals(List.of("ran"), Files.readAllLines(runs), "Maven ran");
    }

    /**
     * Two commands started at once when the sources are newer than the jar (a batch of fits after
     * a pull): one builds, the other waits for it and runs the new jar, instead of both building in
     * one tree and removing each other's jar. Maven is stood in for by a program that counts its
     * runs, takes a while, and renews the jar, as a build does.
     */
    @Test
    void commandsStartedTogetherBuildOnce() throws Exception {
        layout();
        Path bin = Files.createDirectories(root.resolve("fake-bin"));
        Path runs = root.resolve("mvn-runs.txt");
        Files.writeString(
                bin.resolve("mvn"),
                "#!/bin/sh\necho ran >> '" + runs + "'\nsleep 3\ntouch '" + target("chemfit.jar") + "'\n");
        assertTrue(bin.resolve("mvn").toFile().setExecutable(true));
        // a jar older than a source, which the stand-in's build makes newer than every source
        long now = System.currentTimeMillis();
        Files.setLastModifiedTime(target("chemfit.jar"), FileTime.fromMillis(now - 120_000));
        Files.writeString(root.resolve("pom.xml"), "<project/>\n");
        Files.setLastModifiedTime(root.resolve("pom.xml"), FileTime.fromMillis(now - 60_000));
        List<Process> started = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            Path log = root.resolve("together-" + k + ".txt");
            logs.add(log);
            ProcessBuilder pb = new ProcessBuilder(root.resolve("chemfit").toString(), "--version")
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().remove("CHEMFIT_JAVA_OPTS");
            pb.environment().put("CHEMFIT_CDS", "off");
            pb.environment()
                    .put(
                            "PATH",
                            bin + ":" + Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
            started.add(pb.start());
        }
        for (int k = 0; k < 2; k++) {
            assertTrue(started.get(k).waitFor(120, TimeUnit.SECONDS), "command " + k + " ended");
            String out = Files.readString(logs.get(k));
            assertEquals(0, started.get(k).exitValue(), out);
            assertTrue(out.contains("chemfit " + Version.get()), out);
        }
        assertEquals(List.of("ran"), Files.readAllLines(runs), "Maven ran once");
        String both = Files.readString(logs.get(0)) + Files.readString(logs.get(1));
        assertTrue(
                both.contains("chemfit: another chemfit command is building the tool in " + root
                        + "; waiting for it to finish"),
                both);
    }

    /** {@code sh ./chemfit}, as people try a script: it is bash's, and bash runs it. */
    @Test
    void theLauncherRunByShRunsUnderBash() throws Exception {
        Path launcher = layout();
        Path log = Files.createTempFile(root, "sh", ".txt");
        ProcessBuilder pb = new ProcessBuilder("sh", launcher.toString(), "--version")
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("CHEMFIT_CDS", "off");
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "sh chemfit did not finish");
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.startsWith("chemfit "), out);
    }

    @Test
    void aSymbolicLinkToTheLauncherRunsTheRepositorysTool() throws Exception {
        Path launcher = layout();
        Path bin = Files.createDirectories(root.resolve("elsewhere/bin"));
        Path other = Files.createDirectories(root.resolve("elsewhere/other"));
        Files.createSymbolicLink(bin.resolve("chemfit"), launcher); // as ln -s ~/chemfit/chemfit ~/bin/chemfit
        Files.createSymbolicLink(other.resolve("cf"), Path.of("../bin/chemfit")); // a relative link to the link
        for (Path link : List.of(bin.resolve("chemfit"), other.resolve("cf"))) {
            Path log = Files.createTempFile(root, "link", ".txt");
            ProcessBuilder pb = new ProcessBuilder(link.toString(), "--version")
                    .directory(other.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("CHEMFIT_CDS", "off");
            pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
            Process p = pb.start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), link + " did not finish");
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), link + ":\n" + out);
            assertTrue(out.startsWith("chemfit "), link + ":\n" + out);
            assertFalse(out.contains("building"), "the repository's jar is used, nothing is built:\n" + out);
        }
    }

    /**
     * Under the C locale, or none (a batch job, cron), or one not installed, Java could not open a
     * path with é: the launcher runs it under C.UTF-8 then, and the job of a folder named données is
     * read.
     */
    @Test
    void aPathWithAnAccentIsReadUnderTheCLocale() throws Exception {
        layout();
        Path accented = root.resolve("examples/données");
        Files.move(root.resolve("examples/argon"), accented);
        for (Map<String, String> env : List.of(
                Map.of("LC_ALL", "C", "CHEMFIT_CDS", "off"),
                Map.of("LANG", "", "CHEMFIT_CDS", "off"),
                // a locale named but installed nowhere: glibc falls back to C
                Map.of("LANG", "xx_YY.UTF-8", "CHEMFIT_CDS", "off"),
                // one category's alone (ssh sends LC_* too): Java sets them all, so all stay C
                Map.of("LANG", "C.UTF-8", "LC_TIME", "xx_YY.UTF-8", "CHEMFIT_CDS", "off"),
                // and locale's own words in another language
                Map.of("LANG", "C.UTF-8", "LC_TIME", "xx_YY.UTF-8", "LANGUAGE", "de", "CHEMFIT_CDS", "off"))) {
            Result r = run(
                    List.of("LANG", "LC_ALL", "LC_CTYPE"),
                    env,
                    "validate",
                    accented.resolve("fit.yaml").toString());
            assertEquals(0, r.code(), env + ":\n" + r.output());
            assertTrue(r.output().contains("données/fit.yaml is valid"), env + ":\n" + r.output());
        }
    }

    @Test
    void recordsTwoArchivesOnceAndEachCommandMapsItsOwn() throws Exception {
        layout();
        List<String> example;
        try (Stream<Path> s = Files.walk(root.resolve("examples"))) {
            example = s.map(Path::toString).sorted().toList();
        }

        Result first = run(Map.of(), "eval", "examples/argon/fit.yaml");
        assertEquals(0, first.code(), first.output());
        assertTrue(first.output().contains(RECORDING), first.output());
        assertTrue(first.output().contains("loss: 771.035 K^2\n"), first.output());
        for (String archive : List.of("chemfit.jsa", "chemfit-fit.jsa")) {
            assertTrue(Files.size(target(archive)) > 1_000_000, archive + ": " + Files.size(target(archive)));
        }
        assertTrue(
                Files.size(target("chemfit-fit.jsa")) > Files.size(target("chemfit.jsa")),
                "a fit loads more classes than eval");
        String stamp = Files.readString(target("chemfit.jsa.jdk"));
        assertEquals(
                Path.of(System.getProperty("java.home"), "bin/java")
                        .toRealPath()
                        .toString(),
                stamp.lines().findFirst().orElseThrow());
        try (Stream<Path> s = Files.walk(root.resolve("examples"))) {
            assertEquals(example, s.map(Path::toString).sorted().toList(), "recording wrote into the example");
        }
        try (Stream<Path> s = Files.list(target(""))) {
            assertEquals(
                    List.of("chemfit-fit.jsa", "chemfit.jar", "chemfit.jsa", "chemfit.jsa.jdk"),
                    s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "what recording leaves beside the jar");
        }

        // eval: the small archive, picocli's Java 5 classes included, and the quick compiler only
        Result eval = run(
                Map.of("CHEMFIT_JAVA_OPTS", "-Xlog:cds=info -Xlog:class+load -XX:+PrintFlagsFinal"),
                "eval",
                "examples/argon/fit.yaml");
        assertEquals(0, eval.code(), eval.output());
        assertFalse(eval.output().contains(RECORDING), eval.output());
        assertTrue(eval.output().contains("Opened archive " + target("chemfit.jsa")), eval.output());
        assertTrue(eval.output().contains("picocli.CommandLine source: shared objects file"), eval.output());
        assertTrue(eval.output().contains("org.chemfit.cli.EvalCommand source: shared objects file"), eval.output());
        assertTrue(eval.output().contains("loss: 771.035 K^2\n"), eval.output());
        assertFlag(eval.output(), "TieredStopAtLevel", "1");

        // fit: the large archive and both compilers
        Result fit = run(
                Map.of("CHEMFIT_JAVA_OPTS", "-Xlog:cds=info -XX:+PrintFlagsFinal"),
                "fit",
                "examples/argon/fit.yaml",
                "--output",
                "out",
                "--max-evaluations",
                "5",
                "--quiet");
        assertEquals(0, fit.code(), fit.output());
        assertTrue(fit.output().contains("Opened archive " + target("chemfit-fit.jsa")), fit.output());
        assertFlag(fit.output(), "TieredStopAtLevel", "4");
        assertTrue(Files.isRegularFile(root.resolve("out/results.json")), fit.output());

        // the user's options come last and win
        Result c2 = run(
                Map.of("CHEMFIT_JAVA_OPTS", "-XX:TieredStopAtLevel=4 -XX:+PrintFlagsFinal"),
                "validate",
                "examples/argon/fit.yaml");
        assertEquals(0, c2.code(), c2.output());
        assertFlag(c2.output(), "TieredStopAtLevel", "4");

        // CHEMFIT_CDS=off: neither archive
        Result off = run(
                Map.of("CHEMFIT_CDS", "off", "CHEMFIT_JAVA_OPTS", "-Xlog:cds=info"), "eval", "examples/argon/fit.yaml");
        assertEquals(0, off.code(), off.output());
        assertFalse(off.output().contains(target("chemfit.jsa").toString()), off.output());
        assertTrue(off.output().contains("loss: 771.035 K^2\n"), off.output());

        // the exit code and the message of a user's mistake pass through the launcher
        Result missing = run(Map.of(), "eval", "examples/argon/no-such-job.yaml");
        assertEquals(ExitCodes.USAGE, missing.code(), missing.output());
        assertTrue(missing.output().contains("no such file"), missing.output());
        assertFalse(missing.output().contains("Exception"), missing.output());
    }

    @Test
    void recordsAgainWhenTheJarOrTheJdkChanges() throws Exception {
        layout();
        Result first = run(Map.of(), "validate", "examples/argon/fit.yaml");
        assertEquals(0, first.code(), first.output());
        assertTrue(first.output().contains(RECORDING), first.output());
        Result again = run(Map.of(), "validate", "examples/argon/fit.yaml");
        assertFalse(again.output().contains(RECORDING), again.output());

        // a jar rebuilt after the archives were recorded
        FileTime jar = Files.getLastModifiedTime(target("chemfit.jar"));
        FileTime before = FileTime.fromMillis(jar.toMillis() - 60_000);
        Files.setLastModifiedTime(target("chemfit.jsa"), before);
        Files.setLastModifiedTime(target("chemfit-fit.jsa"), before);
        Result rebuilt = run(Map.of(), "validate", "examples/argon/fit.yaml");
        assertEquals(0, rebuilt.code(), rebuilt.output());
        assertTrue(rebuilt.output().contains(RECORDING), rebuilt.output());
        assertTrue(Files.getLastModifiedTime(target("chemfit.jsa")).compareTo(jar) > 0);
        assertTrue(Files.getLastModifiedTime(target("chemfit-fit.jsa")).compareTo(jar) > 0);

        // archives recorded by another JDK
        Path stamp = target("chemfit.jsa.jdk");
        String release = Files.readString(stamp).lines().skip(1).reduce("", (a, b) -> a + b + "\n");
        Files.writeString(stamp, "/opt/another-jdk/bin/java\n" + release);
        Result otherJdk = run(Map.of(), "validate", "examples/argon/fit.yaml");
        assertEquals(0, otherJdk.code(), otherJdk.output());
        assertTrue(otherJdk.output().contains(RECORDING), otherJdk.output());
        assertFalse(Files.readString(stamp).startsWith("/opt/another-jdk"), Files.readString(stamp));
        Result settled = run(Map.of(), "validate", "examples/argon/fit.yaml");
        assertFalse(settled.output().contains(RECORDING), settled.output());
        assertTrue(settled.output().contains("is valid"), settled.output());

        // archives recorded for the jar at another path (the repository moved since), which the JVM
        // would not map
        List<String> lines = new ArrayList<>(Files.readString(stamp).lines().toList());
        assertEquals(target("chemfit.jar").toRealPath().toString(), lines.get(1), "the stamp names the jar");
        lines.set(1, "/elsewhere/chemfit-cli/target/chemfit.jar");
        Files.writeString(stamp, String.join("\n", lines) + "\n");
        Result moved = run(Map.of(), "validate", "examples/argon/fit.yaml");
        assertEquals(0, moved.code(), moved.output());
        assertTrue(moved.output().contains(RECORDING), moved.output());
    }
    /**
     * An install this user may not write in (a shared one, owned by whoever installed it): the archives its
     * installer recorded are mapped, nothing is recorded, and sources newer than the jar (a copy made
     * without its files' times) leave the jar running as it is, said once, instead of a build that cannot
     * write. Run as the user {@code nobody} when the tests run as root, whom permissions do not stop.
     */
    @Test
    void aReadOnlyInstallMapsItsInstallersArchivesAndRunsAStaleJarAsItIs() throws Exception {
        layout();
        Result installer = run(Map.of(), "validate", "examples/argon/fit.yaml");
        assertEquals(0, installer.code(), installer.output());
        assertTrue(installer.output().contains(RECORDING), installer.output());
        // a source older than the jar, for now
        long built = Files.getLastModifiedTime(target("chemfit.jar")).toMillis();
        Files.writeString(root.resolve("pom.xml"), "<project/>\n");
        Files.setLastModifiedTime(root.resolve("pom.xml"), FileTime.fromMillis(built - 60_000));
        // open to every user for reading, writable by the installer only
        Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> asUser = new ArrayList<>();
        boolean asRoot = "root".equals(System.getProperty("user.name"));
        if (!asRoot) {
            // this user installed it: read-only for this user as well
            for (Path folder : List.of(root, target(""))) {
                Files.setPosixFilePermissions(
                        folder, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
            }
        }
        if (asRoot) {
            Path setpriv = Path.of("/usr/bin/setpriv");
            org.chemfit.testfixtures.MachineRequirement.require(
                    Files.isExecutable(setpriv),
                    "no /usr/bin/setpriv to run the launcher as the user nobody (Debian's util-linux has it)");
            asUser.addAll(List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
        }
        asUser.add(root.resolve("chemfit").toString());
        List<String> before;
        try (Stream<Path> s = Files.list(target(""))) {
            before = s.map(p -> p.getFileName().toString()).sorted().toList();
        }

        Result user = runAs(asUser, "-Xlog:class+load", "eval", "examples/argon/fit.yaml");
        assertEquals(0, user.code(), user.output());
        assertFalse(user.output().contains(RECORDING), user.output());
        assertTrue(user.output().contains("org.chemfit.cli.EvalCommand source: shared objects file"), user.output());
        assertTrue(user.output().contains("loss: 771.035 K^2\n"), user.output());

        // sources newer than the jar, which this user cannot build
        Files.setLastModifiedTime(root.resolve("pom.xml"), FileTime.fromMillis(built + 60_000));
        Result stale = runAs(asUser, "", "eval", "examples/argon/fit.yaml");
        assertEquals(0, stale.code(), stale.output());
        assertTrue(
                stale.output()
                        .startsWith(
                                "chemfit: the sources in " + root + " are newer than chemfit-cli/target/chemfit.jar,"
                                        + " and this user may not write there to build it again: running the jar as it is"),
                stale.output());
        assertFalse(stale.output().contains("building"), stale.output());
        assertTrue(stale.output().contains("loss: 771.035 K^2\n"), stale.output());
        try (Stream<Path> s = Files.list(target(""))) {
            assertEquals(before, s.map(p -> p.getFileName().toString()).sorted().toList(), "nothing written");
        }
        for (Path folder : List.of(root, target(""))) {
            Files.setPosixFilePermissions(folder, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** Runs {@code command ARGS} with CHEMFIT_JAVA_OPTS set to {@code javaOpts}, without a redirect into the install. */
    private Result runAs(List<String> command, String javaOpts, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(command);
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("chemfit-launcher", ".txt");
        try {
            Files.setPosixFilePermissions(log, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().remove("CHEMFIT_CDS");
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            pb.environment().remove("JDK_JAVA_OPTIONS");
            pb.environment().put("CHEMFIT_JAVA_OPTS", javaOpts);
            pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
            Process p = pb.start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(cmd + " did not finish within 300 s:\n" + Files.readString(log));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}

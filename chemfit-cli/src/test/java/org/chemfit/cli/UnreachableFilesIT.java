package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.chemfit.testfixtures.MachineRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A folder of the job's files that this user may not enter (made {@code chmod 000} by its owner): the
 * files below it are said to be out of reach, with the folder, not to be missing, which is what Java's
 * {@code Files.exists} answers for both. The built jar runs as a user the folder's permissions stop:
 * this user, or {@code nobody} when the tests run as root (whom permissions do not stop).
 */
class UnreachableFilesIT {

    private Path dir;

    @BeforeEach
    void layOut() throws IOException {
        // under /tmp and open to every user, as the user nobody must read the jar and the job
        dir = Files.createTempDirectory(Path.of("/tmp"), "chemfit-unreachable");
        Path repo = ExamplesIT.examples().getParent();
        Path jar = repo.resolve("chemfit-cli/target/chemfit.jar");
        assertTrue(Files.isRegularFile(jar), "no jar at " + jar + "; run mvn package first");
        Files.copy(jar, dir.resolve("chemfit.jar"));
        Path from = repo.resolve("examples/argon");
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.filter(p -> !p.startsWith(from.resolve("results"))).toList()) {
                Path to = dir.resolve("argon").resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                Files.setPosixFilePermissions(
                        p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxrwxrwx" : "rw-r--r--"));
            }
        }
    }

    @AfterEach
    void remove() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            // the test's own folders only: a symbolic link planted in them is not followed
            for (Path p : s.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** @return {@code chemfit validate} of the argon job, as a user the folders' permissions stop */
    private DistributionIT.Result validate() throws IOException, InterruptedException {
        List<String> as = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            Path setpriv = Path.of("/usr/bin/setpriv");
            MachineRequirement.require(
                    Files.isExecutable(setpriv),
                    "no /usr/bin/setpriv to run the command as the user nobody (Debian's util-linux has it)");
            as.addAll(List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
        }
        return jar(as, List.of(), "validate", dir.resolve("argon/fit.yaml").toString());
    }

    @Test
    void structureFilesInAFolderThisUserMayNotEnterAreSaidOutOfReachNotMissing() throws Exception {
        DistributionIT.Result readable = validate();
        // the user must reach the JDK and the job to begin with (a JDK under /root would not be)
        MachineRequirement.require(
                readable.code() == ExitCodes.OK,
                "the job is not valid when read as the user the test runs it as: " + readable.output());
        Path dimers = dir.resolve("argon/data/dimers");
        Files.setPosixFilePermissions(dimers, PosixFilePermissions.fromString("---------"));
        DistributionIT.Result r = validate();
        assertEquals(ExitCodes.USAGE, r.code(), r::output);
        assertTrue(
                r.output()
                        .contains("structure file " + dimers.resolve("ar2_3.30.xyz") + " (tag 'r3.30') cannot be"
                                + " reached: this user may not enter the folder " + dimers + " (permission denied)"),
                r::output);
        assertFalse(r.output().contains("does not exist"), r::output);
        assertFalse(r.output().contains("Exception"), r::output);
    }

    @Test
    void aReferenceInAFolderThisUserMayNotEnterIsSaidOutOfReachNotMissing() throws Exception {
        Path data = dir.resolve("argon/data");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("---------"));
        DistributionIT.Result r = validate();
        assertEquals(ExitCodes.USAGE, r.code(), r::output);
        assertTrue(
                r.output()
                        .contains("names a file that cannot be reached: this user may not enter the folder " + data
                                + " (permission denied): " + data.resolve("ar2-energies.csv")),
                r::output);
        assertFalse(r.output().contains("does not exist"), r::output);

        // the job file itself, in a folder this user may not enter
        Path argon = dir.resolve("argon");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(argon, PosixFilePermissions.fromString("---------"));
        DistributionIT.Result job = validate();
        assertEquals(ExitCodes.USAGE, job.code(), job::output);
        assertTrue(
                job.output()
                        .contains(argon.resolve("fit.yaml") + ": cannot be reached: this user may not enter the folder "
                                + argon + " (permission denied)"),
                job::output);
    }
    /**
     * A temporary folder that SQLite's native library cannot be copied into and loaded from (missing
     * here; read-only or mounted noexec alike): one line says why the journal cannot be opened and what
     * to do, instead of sqlite-jdbc's stack traces of each way it tried.
     */
    @Test
    void aTemporaryFolderTheSqliteLibraryCannotBeLoadedFromIsSaidInOneLine() throws Exception {
        Path out = dir.resolve("out");
        DistributionIT.Result fit = jar(
                List.of(),
                List.of(),
                "fit",
                dir.resolve("argon/fit.yaml").toString(),
                "--output",
                out.toString(),
                "--max-evaluations",
                "3",
                "--quiet",
                "--no-plots");
        assertEquals(ExitCodes.OK, fit.code(), fit::output);
        Path missing = dir.resolve("no-such-tmp");
        DistributionIT.Result report = jar(List.of(), List.of("-Djava.io.tmpdir=" + missing), "report", out.toString());
        assertTrue(
                report.output()
                        .contains("cannot open journal " + out.resolve("journal.sqlite") + ": SQLite's native library"
                                + " could not be loaded: sqlite-jdbc copies it into the temporary folder " + missing
                                + " and loads it from there, which fails when that folder is missing, not writable by"
                                + " this user, or on a file system mounted noexec (a hardened /tmp); give a folder that"
                                + " is none of these as java.io.tmpdir (for the chemfit command,"
                                + " CHEMFIT_JAVA_OPTS=-Djava.io.tmpdir=DIR)"),
                report::output);
        assertFalse(report.output().contains("SQLiteJDBCLoader"), report::output);
        assertFalse(report.output().contains("UnsatisfiedLinkError"), report::output);
        assertFalse(report.output().contains("\tat "), report::output);
    }

    /**
     * @param as the command that runs it as another user (setpriv ...), or none
     * @return {@code java OPTIONS -jar chemfit.jar ARGS}, its output and exit code
     */
    private DistributionIT.Result jar(List<String> as, List<String> options, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(as);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.addAll(options);
        cmd.addAll(List.of("-jar", dir.resolve("chemfit.jar").toString()));
        cmd.addAll(List.of(args));
        Path log = dir.resolve("jar.out");
        Files.deleteIfExists(log);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("HOME", dir.toString());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(cmd + " did not finish within 120 s:\n" + Files.readString(log));
        }
        return new DistributionIT.Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}

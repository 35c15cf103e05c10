package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.chemfit.testfixtures.MachineRequirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An output folder on a file system mounted read-only, which root may not write either: validate
 * reports it, as fit does before anything runs, saying the file system is read-only rather than
 * that permission is denied.
 */
class ReadOnlyOutputFolderTest {

    @TempDir
    Path dir;

    private Path job(String folder) throws IOException {
        Files.writeString(dir.resolve("in.json"), "{\"energy\": {{ x }}}\n");
        return TestData.write(
                dir,
                "j.yaml",
                "name: ro",
                "parameters: {x: {initial: 3.0, bounds: [0, 5]}}",
                "terms:",
                "  - name: sim",
                "    kind: external",
                "    templates: {in.json: in.json}",
                "    command: [cp, in.json, out.json]",
                "    outputs: {energy: {parser: json, file: out.json, path: /energy}}",
                "    reference: {energy: 1.0}",
                "optimizer: {max_evaluations: 4}",
                "output: {folder: " + folder + ", plots: false}");
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    @Test
    void anOutputFolderOnAReadOnlyFileSystemIsReportedByValidateAndFit() throws Exception {
        MachineRequirement.require(
                "root".equals(System.getProperty("user.name")),
                "mounting a tmpfs needs root, and this test runs as " + System.getProperty("user.name"));
        Path ro = Files.createDirectory(dir.resolve("ro"));
        int mounted = run("mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", ro.toString());
        MachineRequirement.require(
                mounted == 0,
                "mount -t tmpfs -o ro tmpfs " + ro + " exited with code " + mounted
                        + ": no tmpfs can be mounted here (a container needs the capability CAP_SYS_ADMIN)");
        try {
            Path job = job("ro/res");
            String create = "error: cannot create the output folder " + ro.resolve("res") + ": the file system of " + ro
                    + " is mounted read-only; choose another output.folder (or chemfit fit --output)\n";
            Cli.Run validate = Cli.run("validate", job.toString());
            assertEquals(ExitCodes.USAGE, validate.code(), validate.toString());
            assertEquals(create, validate.err());
            Cli.Run fit = Cli.run("fit", job.toString(), "-q");
            assertEquals(ExitCodes.USAGE, fit.code(), fit.toString());
            assertEquals(create, fit.err());

            job("ro");
            String use = "error: cannot use " + ro + " as the output folder: the file system is mounted read-only;"
                    + " choose another output.folder (or chemfit fit --output)\n";
            validate = Cli.run("validate", job.toString());
            assertEquals(ExitCodes.USAGE, validate.code(), validate.toString());
            assertEquals(use, validate.err());
            fit = Cli.run("fit", job.toString(), "-q");
            assertEquals(ExitCodes.USAGE, fit.code(), fit.toString());
            assertEquals(use, fit.err());
        } finally {
            assertEquals(0, run("umount", ro.toString()), "umount " + ro);
        }
        // the same folder, writable again, is valid
        Cli.Run ok = Cli.run("validate", dir.resolve("j.yaml").toString());
        assertEquals(ExitCodes.OK, ok.code(), ok.toString());
    }

    /**
     * A read-only bind mount of a writable folder (as HPC sites mount shared software or data) is
     * said to be read-only too: its device is that of a writable mount, whose options the file
     * store reads, so the folder is tried.
     */
    /**
     * Mounts {@code source} at {@code ro}, read-only (the caller unmounts it); the test is skipped,
     * or fails under CI, where nothing can be mounted.
     */
    private static void bindReadOnly(Path source, Path ro) throws Exception {
        int mounted = run("mount", "--bind", source.toString(), ro.toString());
        MachineRequirement.require(
                mounted == 0,
                "mount --bind " + source + " " + ro + " exited with code " + mounted
                        + ": nothing can be mounted here (a container needs the capability CAP_SYS_ADMIN)");
        int remounted = run("mount", "-o", "remount,bind,ro", ro.toString());
        if (remounted != 0) {
            run("umount", ro.toString());
        }
        assertEquals(0, remounted, "remount " + ro + " read-only");
    }

    @Test
    void anOutputFolderOnAReadOnlyBindMountIsSaidToBeReadOnly() throws Exception {
        MachineRequirement.require(
                "root".equals(System.getProperty("user.name")),
                "a bind mount needs root, and this test runs as " + System.getProperty("user.name"));
        Path source = Files.createDirectory(dir.resolve("source"));
        Path ro = Files.createDirectory(dir.resolve("ro"));
        bindReadOnly(source, ro);
        try {
            Path job = job("ro");
            String use = "error: cannot use " + ro + " as the output folder: the file system is mounted read-only;"
                    + " choose another output.folder (or chemfit fit --output)\n";
            Cli.Run validate = Cli.run("validate", job.toString());
            assertEquals(ExitCodes.USAGE, validate.code(), validate.toString());
            assertEquals(use, validate.err());
            try (var left = Files.list(source)) {
                assertEquals(0, left.count(), "the try leaves no file behind");
            }
        } finally {
            assertEquals(0, run("umount", ro.toString()), "umount " + ro);
        }
    }

    /**
     * A finished fit's folder read through a read-only bind mount (results copied to an archive
     * mounted so): the report gives its tables and says the plots are not drawn again because the
     * file system is read-only, not because this user (root) may not write there.
     */
    @Test
    void aReportThroughAReadOnlyBindMountSaysWhyThePlotsAreNotDrawn() throws Exception {
        MachineRequirement.require(
                "root".equals(System.getProperty("user.name")),
                "a bind mount needs root, and this test runs as " + System.getProperty("user.name"));
        Path source = Files.createDirectory(dir.resolve("source"));
        Path job = job("source/out");
        Files.writeString(job, Files.readString(job).replace("plots: false", "plots: true"));
        Cli.Run fit = Cli.run("fit", job.toString(), "-q");
        assertEquals(ExitCodes.OK, fit.code(), fit.toString());
        Path ro = Files.createDirectory(dir.resolve("ro"));
        bindReadOnly(source, ro);
        try {
            Cli.Run r = Cli.run("report", ro.resolve("out").toString());
            assertEquals(ExitCodes.OK, r.code(), r.toString());
            assertTrue(
                    r.out()
                            .contains("plots: not drawn again: the file system of " + ro.resolve("out/plots")
                                    + " is mounted read-only (the fit's plots are there)"),
                    r.toString());
        } finally {
            assertEquals(0, run("umount", ro.toString()), "umount " + ro);
        }
    }
}

package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A path of a job file that names nothing is told to be relative to the job file's folder, and,
 * when the path given names a file relative to the current folder (the job file named from
 * another folder), how to write it.
 */
class RelativePathHintTest {

    /** A folder below the current one (the module's), so that paths relative to both can be written. */
    private Path here;

    @BeforeEach
    void folder() throws IOException {
        Files.createDirectories(Path.of("target"));
        here = Files.createTempDirectory(Path.of("target"), "relative-paths-");
    }

    @AfterEach
    void remove() throws IOException {
        try (var all = Files.walk(here)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void aPathWrittenRelativeToTheCurrentFolderIsToldHowToWriteIt() throws IOException {
        Path b = Files.createDirectories(here.resolve("b"));
        Files.createDirectories(b.resolve("data"));
        Files.writeString(b.resolve("data/in.json"), "{\"energy\": {{ x }}}\n");
        Files.writeString(b.resolve("data/table.txt"), "1 2\n");
        String fromHere = b.resolve("data").toString(); // as the user wrote it, relative to the current folder
        Path job = TestData.write(
                b,
                "j.yaml",
                "name: paths",
                "parameters: {x: {initial: 3.0, bounds: [0, 5]}}",
                "terms:",
                "  - name: sim",
                "    kind: external",
                "    templates: {in.json: " + fromHere + "/in.json}",
                "    files: [" + fromHere + "/table.txt, data/missing.txt]",
                "    command: [cp, in.json, out.json]",
                "    outputs: {energy: {parser: json, file: out.json, path: /energy}}",
                "    reference: {energy: 1.0}",
                "output: {folder: out, plots: false}");
        Path folder = b.toAbsolutePath();
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.toString());
        String hint = "; paths in a job file are relative to its folder " + folder;
        assertEquals(
                List.of(
                        job + ":6:26: term 'sim' templates 'in.json' names a file that does not exist: "
                                + folder.resolve(fromHere + "/in.json").normalize() + hint + ", and " + fromHere
                                + "/in.json exists relative to the current folder: write data/in.json",
                        job + ":7:13: term 'sim' files[0] names a file that does not exist: "
                                + folder.resolve(fromHere + "/table.txt").normalize() + hint + ", and " + fromHere
                                + "/table.txt exists relative to the current folder: write data/table.txt",
                        // "    files: [" and the first path, ", " before the second
                        job + ":7:" + (13 + fromHere.length() + "/table.txt".length() + 2)
                                + ": term 'sim' files[1] names a file that does not exist: "
                                + folder.resolve("data/missing.txt") + hint,
                        "3 problems found; the job file format is described in docs/job-file.md"),
                r.err().lines().toList());
    }

    @Test
    void aStructurePathOfAReferenceCsvIsToldItIsRelativeToTheCsvsFolder() throws IOException {
        Path b = TestData.copyTree(Path.of("..", "examples", "argon"), here.resolve("b"));
        Path csv = b.resolve("data/ar2-energies.csv");
        String fromHere = b.resolve("data/dimers/ar2_3.30.xyz").toString(); // relative to the current folder
        Files.writeString(csv, Files.readString(csv).replace("dimers/ar2_3.30.xyz,", fromHere + ","));
        Cli.Run r = Cli.run("validate", b.resolve("fit.yaml").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.toString());
        Path folder = csv.toAbsolutePath().getParent();
        assertEquals(
                List.of(
                        csv + ":2: term 'ar2-curve' structure file "
                                + folder.resolve(fromHere).normalize()
                                + " (tag 'r3.30') does not exist; paths in its file column are relative to its folder "
                                + folder + ", and " + fromHere
                                + " exists relative to the current folder: write dimers/ar2_3.30.xyz",
                        "1 problem found; the job file format is described in docs/job-file.md"),
                r.err().lines().toList());
    }

    /**
     * A job file reached through a symbolic link takes its paths beside the link: a path that exists
     * beside the file it links to is told so, with the file to run.
     */
    @Test
    void aJobFileReachedThroughALinkIsToldWhereItsPathsAre() throws IOException {
        Path real = Files.createDirectories(here.resolve("real"));
        Files.createDirectories(real.resolve("data"));
        Files.writeString(real.resolve("data/e.csv"), "file,reference_energy\n");
        Path job = TestData.write(
                real,
                "fit.yaml",
                "parameters: {eps: {initial: 0.01, bounds: [0.001, 0.1]}, sigma: {initial: 3.4, bounds: [3, 4]}}",
                "terms:",
                "  - name: dimers",
                "    kind: atoms",
                "    reference: data/e.csv",
                "    potential: {form: lennard_jones, epsilon: eps, sigma: sigma}");
        Path links = Files.createDirectories(here.resolve("links"));
        Path link = Files.createSymbolicLink(links.resolve("job.yaml"), Path.of("../real/fit.yaml"));
        Cli.Run r = Cli.run("validate", link.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        org.junit.jupiter.api.Assertions.assertTrue(
                r.err()
                        .contains("; paths in a job file are relative to its folder " + links.toAbsolutePath()
                                + " (where the link job.yaml is), and data/e.csv exists beside the file it links to, "
                                + job.toRealPath() + ": run that file, or give the path from "
                                + links.toAbsolutePath()),
                r::toString);
    }

    /** An output folder written with a shell's variable is warned of: it is made as written. */
    @Test
    void anOutputFolderWithAVariableIsWarnedOf() throws IOException {
        Path job = TestData.write(
                here,
                "fit.yaml",
                "parameters: {eps: {initial: 0.01, bounds: [0.001, 0.1]}, sigma: {initial: 3.4, bounds: [3, 4]}}",
                "terms:",
                "  - name: dimers",
                "    kind: atoms",
                "    reference: " + Cli.resource("jobs/data/energies.csv"),
                "    potential: {form: lennard_jones, epsilon: eps, sigma: sigma}",
                "output: {folder: $SCRATCH/out}");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        org.junit.jupiter.api.Assertions.assertTrue(
                r.err()
                        .contains(":7:18: output folder '$SCRATCH/out' is taken as it is written, not as a shell"
                                + " expands it: it would be made as "
                                + here.toAbsolutePath().resolve("$SCRATCH/out")),
                r::toString);
    }
}

package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripts a job's commands run are the job's as much as its templates are: a changed script is
 * another job, which a resumed fit refuses naming the script; a program on the PATH is installed
 * software and is not hashed.
 */
@org.junit.jupiter.api.Timeout(value = 240, unit = TimeUnit.SECONDS)
class ProgramFilesTest {

    @TempDir
    Path tmp;

    private static final String SCRIPT = "#!/bin/sh\ncp in.json out.json\n";

    /** A job whose one term runs {@code command}, its template giving the energy x. */
    private Path job(String command) throws IOException {
        Files.writeString(tmp.resolve("in.json"), "{\"energy\": {{ x }}}\n");
        Path job = tmp.resolve("fit.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters: {x: {initial: 3.0, bounds: [0, 5]}}",
                        "terms:",
                        "  - name: sim",
                        "    kind: external",
                        "    templates: {in.json: in.json}",
                        "    command: " + command,
                        "    outputs: {energy: {parser: json, file: out.json, path: /energy}}",
                        "    reference: {energy: 1.0}",
                        "optimizer: {max_evaluations: 8}",
                        "output: {folder: out, plots: false}",
                        ""));
        return job;
    }

    private Path script(String relative, String text) throws IOException {
        Path p = tmp.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> data(Path job) {
        return (Map<String, Object>) JobSettings.of(JobFile.read(job)).get("data");
    }

    @Test
    void aScriptInALinkedFolderIsHashedAndAStagedCopyAsItsSource() throws Exception {
        script("tools/sim.sh", SCRIPT);
        Path linked = job("./bin/sim.sh");
        Files.writeString(
                linked, Files.readString(linked).replace("    templates:", "    link: {bin: tools}\n    templates:"));
        assertEquals(
                Map.of("in.json", sha256("{\"energy\": {{ x }}}\n"), "tools/sim.sh", sha256(SCRIPT)), data(linked));
        // a copy staged under the command's name is hashed as a staged file, not a file of that name beside the job
        script("sim.sh", "#!/bin/sh\nexit 1\n");
        Path copied = job("./sim.sh");
        Files.writeString(
                copied,
                Files.readString(copied)
                        .replace("    templates:", "    files: {sim.sh: tools/sim.sh}\n    templates:"));
        assertEquals(
                Map.of("in.json", sha256("{\"energy\": {{ x }}}\n"), "tools/sim.sh", sha256(SCRIPT)), data(copied));
    }

    @Test
    void aScriptGivenAsAPathIsHashedBesideTheTemplates() throws Exception {
        script("sim.sh", SCRIPT);
        Path job = job("./sim.sh");
        assertEquals(Map.of("in.json", sha256("{\"energy\": {{ x }}}\n"), "sim.sh", sha256(SCRIPT)), data(job));
        String before = JobFile.read(job).hash();

        script("sim.sh", SCRIPT + "# another line\n");

        assertEquals(sha256(SCRIPT + "# another line\n"), data(job).get("sim.sh"));
        assertNotEquals(before, JobFile.read(job).hash(), "the cluster's fingerprint covers the script");
    }

    @Test
    void aScriptInASubFolderAndOneGivenToAnInterpreterByItsAbsolutePathAreHashed() throws Exception {
        script("scripts/run.sh", SCRIPT);
        assertEquals(
                Map.of("in.json", sha256("{\"energy\": {{ x }}}\n"), "scripts/run.sh", sha256(SCRIPT)),
                data(job("scripts/run.sh")));
        assertEquals(
                Map.of("in.json", sha256("{\"energy\": {{ x }}}\n"), "scripts/run.sh", sha256(SCRIPT)),
                data(job("[sh, " + tmp.resolve("scripts/run.sh") + "]")));
        assertEquals(
                Map.of("in.json", sha256("{\"energy\": {{ x }}}\n"), "scripts/run.sh", sha256(SCRIPT)),
                data(job(tmp.resolve("scripts/run.sh").toString())));
    }

    @Test
    void aProgramOnThePathIsNotHashed() throws Exception {
        Path job = job("[sh, -c, 'cp in.json out.json']");
        assertEquals(List.of("in.json"), List.copyOf(data(job).keySet()));
        JobFile read = JobFile.read(job);
        assertEquals(List.of(), ProgramFiles.of(read.terms(), read.folder(), read.programs()));
    }

    @Test
    void aProgramByItsAbsolutePathOutsideTheJobsFolderIsNotHashed() throws Exception {
        Path sh = Path.of("/bin/sh");
        Path job = job("[" + sh + ", -c, 'cp in.json out.json']");
        JobFile read = JobFile.read(job);
        assertEquals(List.of(), ProgramFiles.of(read.terms(), read.folder(), read.programs()));
    }

    @Test
    void aDataFileGivenByItsAbsolutePathAndALinkToInstalledSoftwareAreNotHashed() throws Exception {
        Path data = tmp.resolve("restart.dat");
        Files.writeString(data, "written by the fit\n");
        Path sim = script("sim.py", "print(1)\n");
        Files.setPosixFilePermissions(sim, PosixFilePermissions.fromString("rw-r--r--"));
        Path link = tmp.resolve("sh-here");
        Files.createSymbolicLink(link, Path.of("/bin/sh"));
        Path job = job("[" + link + ", -c, 'cp in.json out.json', " + data + ", " + sim + "]");
        JobFile read = JobFile.read(job);
        // the script (named as one) is hashed; the data file the fit may write and the link are not
        assertEquals(List.of(sim), ProgramFiles.of(read.terms(), read.folder(), read.programs()));
    }

    @Test
    void aProgramAliasNamingAScriptOfTheJobIsHashed() throws Exception {
        script("bin/sim.sh", SCRIPT);
        Path job = job("sim");
        Files.writeString(job, Files.readString(job) + "programs: {sim: bin/sim.sh}\n");
        JobFile read = JobFile.read(job);
        assertEquals(List.of(tmp.resolve("bin/sim.sh")), ProgramFiles.of(read.terms(), read.folder(), read.programs()));
    }

    /** A job whose term runs its command through {@code launcher}, as {@link #job} writes it. */
    private Path launched(String launcher) throws IOException {
        Path job = job("[sh, -c, 'cp in.json out.json']");
        Files.writeString(
                job, Files.readString(job).replace("    command: ", "    launcher: " + launcher + "\n    command: "));
        return job;
    }

    /** A wrapper that notes each run in {@code launched.txt} of the job's folder, then runs its command. */
    private Path wrapper(String relative) throws IOException {
        return script(relative, "#!/bin/sh\necho \"$1\" >> '" + tmp.resolve("launched.txt") + "'\nexec \"$@\"\n");
    }

    @Test
    void aLauncherScriptBesideTheJobFileRunsFromThereAndIsHashed() throws Exception {
        Path wrap = wrapper("wrap.sh");
        Path job = launched("./wrap.sh");
        JobFile read = JobFile.read(job);
        assertEquals(List.of(wrap), ProgramFiles.of(read.terms(), read.folder(), read.programs()));
        assertEquals(0, Cli.run("validate", job.toString()).code());

        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");

        assertEquals(0, fit.code(), fit.err());
        List<String> runs = Files.readAllLines(tmp.resolve("launched.txt"));
        assertEquals(8, runs.size(), "each of the 8 evaluations ran through the wrapper: " + runs);
        assertEquals(List.of("sh"), runs.stream().distinct().toList());
    }

    @Test
    void aLauncherGivenAsAProgramAliasRunsTheAliasesProgram() throws Exception {
        Path wrap = wrapper("bin/wrap.sh");
        Path job = launched("wrap");
        Files.writeString(
                job, Files.readString(job) + "programs: {wrap: [no-such-wrapper-on-any-path, bin/wrap.sh]}\n");
        JobFile read = JobFile.read(job);
        assertEquals(List.of(wrap), ProgramFiles.of(read.terms(), read.folder(), read.programs()));

        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");

        assertEquals(0, fit.code(), fit.err());
        assertEquals(8, Files.readAllLines(tmp.resolve("launched.txt")).size());
    }

    @Test
    void aChangedScriptIsRefusedAsAnotherJobNamingItAndAnUnchangedOneResumes() throws Exception {
        script("sim.sh", SCRIPT);
        Path job = job("./sim.sh");
        Cli.Run first = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        String csv = Files.readString(tmp.resolve("out/evaluations.csv"));

        Cli.Run more = Cli.run("fit", job.toString(), "--progress", "none", "--max-evaluations", "12");
        assertEquals(ExitCodes.OK, more.code(), more::toString);
        assertTrue(
                more.err()
                        .contains("resuming run 1 of the journal (8 evaluations recorded, attempt 2, its budget"
                                + " raised from 8 to 12)"),
                more::toString);
        csv = Files.readString(tmp.resolve("out/evaluations.csv"));

        String changed = SCRIPT.replace("cp in.json out.json", "sed 's/}/ }/' in.json > out.json");
        script("sim.sh", changed);
        Cli.Run refused = Cli.run("fit", job.toString(), "--progress", "none", "--max-evaluations", "20");

        assertEquals(ExitCodes.USAGE, refused.code(), refused::toString);
        assertTrue(refused.err().contains("holds run 1 of a different job"), refused::toString);
        assertTrue(
                refused.err()
                        .contains("changed job.data.sim.sh: \"" + sha256(SCRIPT).substring(0, 12)),
                refused::toString);
        assertTrue(refused.err().contains(" -> \"" + sha256(changed).substring(0, 12)), refused::toString);
        assertTrue(refused.err().contains("--restart"), refused::toString);
        assertEquals(csv, Files.readString(tmp.resolve("out/evaluations.csv")), "nothing was replayed or run");
    }
}

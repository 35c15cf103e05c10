package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command that runs a script the term stages into its run directory: that script runs, not a
 * file of the same name beside the job file; a script whose #! line the system cannot use is
 * named as such, before the fit and when it fails to start.
 */
class StagedProgramTest {

    @TempDir
    Path dir;

    private Path script(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private Path job(String staging, String command) throws IOException {
        return Files.writeString(
                dir.resolve("fit.yaml"),
                String.join(
                        "\n",
                        "parameters: {p: {initial: 1.0, bounds: [0, 2]}}",
                        "terms:",
                        "  - name: u",
                        "    kind: external",
                        "    " + staging,
                        "    command: " + command,
                        "    outputs: {E: {parser: regex, file: program.stdout, pattern: 'E (\\S+)'}}",
                        "    reference: {E: 1.5}",
                        "optimizer: {method: Nelder-Mead, max_evaluations: 6}",
                        ""));
    }

    @Test
    void theStagedScriptRunsNotTheOneBesideTheJobFile() throws IOException {
        script("run.sh", "#!/bin/sh\necho 'E 99'\n");
        Path staged = script("other/run.sh", "#!/bin/sh\necho 'E 1.25'\n");
        Path job = job("files: {run.sh: other/run.sh}", "[./run.sh]");

        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, v.code(), v::toString);
        assertTrue(
                v.err()
                        .contains(job + ":6:14: term 'u' command: program './run.sh' runs the file the term stages into"
                                + " its run directory (files 'run.sh', from " + staged + "), not the file of that name"
                                + " beside the job file, " + dir.resolve("run.sh") + "; name that one by its absolute"
                                + " path, or stage it, to run it"),
                v::toString);

        Cli.Run e = Cli.run("eval", job.toString(), "--per-structure");
        assertEquals(ExitCodes.OK, e.code(), e::toString);
        // the model value is the staged script's 1.25, not the 99 of the file beside the job file
        assertTrue(e.out().matches("(?s).*fit\\s+u\\s+0\\s+E\\s+1\\.5\\s+1\\.25\\s+-0\\.25.*"), e::toString);

        // a rendered template of that name runs too
        Files.writeString(dir.resolve("tpl.sh"), "#!/bin/sh\necho 'E {{ p * 2 }}'\n");
        Files.setPosixFilePermissions(dir.resolve("tpl.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path rendered = job("templates: {run.sh: tpl.sh}", "[./run.sh]");
        Cli.Run t = Cli.run("eval", rendered.toString(), "--per-structure");
        assertEquals(ExitCodes.OK, t.code(), t::toString);
        assertTrue(t.out().matches("(?s).*fit\\s+u\\s+0\\s+E\\s+1\\.5\\s+2\\s+0\\.5.*"), t::toString);

        // a name written with ./, a path that leads there through another folder, a folder it links
        for (String[] staging : new String[][] {
            {"files: {\"./run.sh\": other/run.sh}", "[./run.sh]"},
            {"files: {run.sh: other/run.sh}", "[sub/../run.sh]"},
            {"link: {bin: other}", "[./bin/run.sh]"}
        }) {
            script("bin/run.sh", "#!/bin/sh\necho 'E 99'\n");
            Path j = job(staging[0], staging[1]);
            Cli.Run s = Cli.run("eval", j.toString(), "--per-structure");
            assertEquals(ExitCodes.OK, s.code(), s::toString);
            assertTrue(s.out().matches("(?s).*fit\\s+u\\s+0\\s+E\\s+1\\.5\\s+1\\.25\\s+-0\\.25.*"), s::toString);
            assertTrue(Cli.run("validate", j.toString()).err().contains("runs the file the term stages"), staging[0]);
        }

        // without a staged file of that name, the file beside the job file runs, as before
        Path beside = job("files: {other.sh: other/run.sh}", "[./run.sh]");
        Cli.Run b = Cli.run("eval", beside.toString(), "--per-structure");
        assertEquals(ExitCodes.OK, b.code(), b::toString);
        assertTrue(b.out().matches("(?s).*fit\\s+u\\s+0\\s+E\\s+1\\.5\\s+99\\s+97\\.5.*"), b::toString);
        assertFalse(Cli.run("validate", beside.toString()).err().contains("runs the file the term stages"));
    }

    @Test
    void aTagInACommandOrARunDirectoryNameIsWarnedOfAsNotRendered() throws IOException {
        Files.writeString(dir.resolve("in.tmpl"), "p = {{ p }}\n");
        Path job = job("templates: {\"in.{{ p }}\": in.tmpl}", "[sh, -c, \"echo E {{ p }}\"]");
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, v.code(), v::toString);
        assertTrue(
                v.err()
                        .contains(
                                job + ":6:14: term 'u' command: the word 'echo E {{ p }}' reaches the program as it is"
                                        + " written, tag and all: a command is not a template: only the files given under"
                                        + " templates are rendered; write the value into one of them (a script that runs the"
                                        + " program, or an input file it reads)"),
                v::toString);
        assertTrue(
                v.err()
                        .contains("term 'u': the run-directory name 'in.{{ p }}' is a file of that very name, tag and"
                                + " all: names in the run directory are not rendered; give the file a fixed name"),
                v::toString);
        // the program gets the text as written
        Cli.Run e = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.FIT_FAILED, e.code(), e::toString);
        assertTrue(e.err().contains("'{{' is not a number"), e::toString);
        // another program's braces are not tags of these templates: Go's, Python's, printf's
        Path other = job("files: {}", "[sh, -c, \"echo '{{.Id}} {{x}} {%s}' >/dev/null; echo E 1.5\"]");
        Cli.Run o = Cli.run("validate", other.toString());
        assertEquals(ExitCodes.OK, o.code(), o::toString);
        assertFalse(o.err().contains("is not a template"), o::toString);
    }

    @Test
    void aNameInsideAnotherThatTheTermStagesIsRefusedBeforeAnyRun() throws IOException {
        Files.createDirectories(dir.resolve("pots"));
        Files.writeString(dir.resolve("pots/Ar.eam"), "table\n");
        Files.writeString(dir.resolve("in.tmpl"), "E {{ p }}\n");
        Path job = job("link: {pots: pots}\n    templates: {pots/in.txt: in.tmpl}", "[cat, pots/in.txt]");
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, v.code(), v::toString);
        assertTrue(
                v.err()
                        .contains("term 'u' templates puts 'pots/in.txt' inside 'pots', which link stages (from "
                                + dir.resolve("pots") + "): a name in the run directory cannot lie inside another that"
                                + " the term stages, since one of the two would find the other in its way; give it a"
                                + " name of its own ('in.txt'), or stage the linked folder's files one by one"),
                v::toString);
        // the user's folder is as it was
        assertFalse(Files.exists(dir.resolve("pots/in.txt")));
        // inside a staged file
        Path file = job("files: {in.txt: pots/Ar.eam}\n    templates: {in.txt/x: in.tmpl}", "[cat, in.txt]");
        Cli.Run f = Cli.run("validate", file.toString());
        assertEquals(ExitCodes.USAGE, f.code(), f::toString);
        assertTrue(
                f.err().contains("term 'u' templates puts 'in.txt/x' inside 'in.txt', which files stages (from "),
                f::toString);
    }

    @Test
    void aBinaryFileGivenAsATemplateIsToldToBeStagedWithFiles() throws IOException {
        Files.write(dir.resolve("table.bin"), new byte[] {1, 0, 0, 0, (byte) 0xD7, 0x3F, 0, 0});
        Path job = job("templates: {table.bin: table.bin}", "[cat, table.bin]");
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, v.code(), v::toString);
        assertTrue(
                v.err()
                        .contains("a template must be UTF-8 text: save it as UTF-8; or, if it is no text to render (a"
                                + " binary table, a file the program reads as it is), stage it with files, which copies"
                                + " it unchanged"),
                v::toString);
        // a text template in another encoding is not told so
        Files.write(
                dir.resolve("table.bin"), "T = 300 \u00b0C\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        Cli.Run latin = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, latin.code(), latin::toString);
        assertFalse(latin.err().contains("stage it with files"), latin::toString);
    }

    @Test
    void aShellScriptWithAWindowsLineEndOnItsInterpreterLineIsNamed() throws IOException {
        script("s/run.sh", "#!/bin/sh\r\necho 'E 1.5'\r\n");
        Path job = job("files: {run.sh: s/run.sh}", "[./run.sh]");

        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, v.code(), v::toString);
        assertTrue(
                v.err()
                        .contains("program './run.sh' has a #! line that ends with a Windows line end (CR LF), so the"
                                + " system looks for an interpreter whose name ends in a carriage return: convert it"
                                + " (dos2unix), or run it through /bin/sh instead: [/bin/sh, run.sh]"),
                v::toString);

        Cli.Run e = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.FIT_FAILED, e.code(), e::toString);
        assertTrue(
                e.err()
                        .contains("program './run.sh' exists and is executable, but the interpreter its #! line names"
                                + " was not found: '/bin/sh\\r' (the line ends with a Windows line end, CR LF, so the"
                                + " name the system looks for ends in a carriage return: convert the file, with"
                                + " dos2unix)"),
                e::toString);

        // a #! line after a byte-order mark, in a script without an extension: the interpreter is named
        Files.write(
                dir.resolve("s/bom"),
                ("\uFEFF#!/bin/sh\necho 'E 1.5'\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(dir.resolve("s/bom"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Cli.Run bom = Cli.run("validate", job("files: {bom: s/bom}", "[./bom]").toString());
        assertEquals(ExitCodes.OK, bom.code(), bom::toString);
        assertTrue(
                bom.err()
                        .contains("program './bom' begins with a byte-order mark before its #! line, so the system does"
                                + " not see the line and runs it under /bin/sh: save it as UTF-8 without the mark, or run"
                                + " it through /bin/sh instead: [/bin/sh, bom]"),
                bom::toString);
        Files.write(dir.resolve("s/bom"), "\uFEFF#!x\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Cli.Run shortLine =
                Cli.run("validate", job("files: {bom: s/bom}", "[./bom]").toString());
        assertEquals(ExitCodes.OK, shortLine.code(), shortLine::toString);
        assertTrue(shortLine.err().contains("run it through x instead: [x, bom]"), shortLine::toString);

        // an interpreter that is not installed, named on a #! line of a script without an extension
        script("s/sim", "#!/opt/no-such-folder/interp\necho 'E 1.5'\n");
        Path missing = job("files: {sim: s/sim}", "[./sim]");
        Cli.Run m = Cli.run("eval", missing.toString());
        assertEquals(ExitCodes.FIT_FAILED, m.code(), m::toString);
        assertTrue(
                m.err()
                        .contains("program './sim' exists and is executable, but the interpreter its #! line names was"
                                + " not found: '/opt/no-such-folder/interp' (install it, or correct the line)"),
                m::toString);
    }
}

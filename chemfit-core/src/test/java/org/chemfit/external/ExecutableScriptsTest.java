package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A script the term renders from a template keeps the execute bits of the template file, as a
 * copied file keeps its source's, so that {@code command: [./run.sh]} runs it; a staged file that
 * is not executable fails its run saying that it exists but lacks the execute permission.
 */
class ExecutableScriptsTest {

    @TempDir
    Path root;

    private final Parameters p = Parameters.of(Map.of("x", 2.5));

    /**
     * A template file with rwxr-x--- renders as a script that runs, with the execute bits of owner
     * and group added to the permissions a new file gets: the script prints its own mode.
     */
    @Test
    void aScriptRenderedFromAnExecutableTemplateRuns() throws Exception {
        Path template = Files.writeString(
                root.resolve("run.sh.tmpl"), "#!/bin/sh\nstat -c 'mode = %a' \"$0\"\necho 'e = {{ x }}'\n");
        Files.setPosixFilePermissions(template, PosixFilePermissions.fromString("rwxr-x---"));
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("sim")
                .workDirectory(root.resolve("runs"))
                .template("run.sh", template)
                .command("./run.sh")
                .output(OutputParsers.regex("e", "program.stdout", "^e = (\\S+)"))
                .output(OutputParsers.regex("mode", "program.stdout", "mode = (\\d+)"))
                .build();
        var q = c.compute(p, new EvaluationContext(p, "e1"));
        assertEquals(2.5, q.get("e"));
        // the mode a new file gets here (the umask's), with the template's execute bits
        Set<PosixFilePermission> expected = EnumSet.noneOf(PosixFilePermission.class);
        expected.addAll(Files.getPosixFilePermissions(Files.writeString(root.resolve("new"), "")));
        expected.add(PosixFilePermission.OWNER_EXECUTE);
        expected.add(PosixFilePermission.GROUP_EXECUTE);
        assertEquals(Integer.parseInt(octal(expected)), (int) q.get("mode"));
    }

    /**
     * A template without execute bits renders as a file without them: run as the program, it fails
     * saying that it exists but lacks the execute permission, with its mode and path.
     */
    @Test
    void aScriptRenderedFromATemplateThatIsNotExecutableFailsSayingWhy() throws Exception {
        Path template = Files.writeString(root.resolve("run.sh.tmpl"), "#!/bin/sh\necho 'e = {{ x }}'\n");
        Files.setPosixFilePermissions(template, PosixFilePermissions.fromString("rw-r--r--"));
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("sim")
                .workDirectory(root.resolve("runs"))
                .template("run.sh", template)
                .command("./run.sh")
                .output(OutputParsers.regex("e", "program.stdout", "e = (\\S+)"))
                .build();
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(p, new EvaluationContext(p, "e1")));
        assertLacksExecute(e.getMessage(), "./run.sh");
    }

    /** A file copied with copy() from a source that is not executable fails the same way as the program. */
    @Test
    void aCopiedFileThatIsNotExecutableFailsSayingItLacksTheExecutePermission() throws Exception {
        Path model = Files.writeString(root.resolve("model.py"), "#!/usr/bin/env python3\nprint('e = 1')\n");
        Files.setPosixFilePermissions(model, PosixFilePermissions.fromString("rw-r--r--"));
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("sim")
                .workDirectory(root.resolve("runs"))
                .copy("runme.py", model)
                .command("./runme.py")
                .output(OutputParsers.regex("e", "program.stdout", "e = (\\S+)"))
                .build();
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(p, new EvaluationContext(p, "e1")));
        assertLacksExecute(e.getMessage(), "./runme.py");
    }

    /** A program of the run directory that nothing put there is said not to exist there. */
    @Test
    void aMissingProgramOfTheRunDirectoryIsSaidNotToExistThere() throws Exception {
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("sim")
                .workDirectory(root.resolve("runs"))
                .command("./nothing.sh")
                .output(OutputParsers.regex("e", "program.stdout", "e = (\\S+)"))
                .build();
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(p, new EvaluationContext(p, "e1")));
        assertTrue(
                e.getMessage().contains("program './nothing.sh' does not exist in the run directory " + root),
                e.getMessage());
    }

    private static void assertLacksExecute(String m, String program) {
        String name = program.substring(2);
        assertTrue(m.contains("program '" + program + "' exists but lacks the execute permission (rw-"), m);
        assertTrue(
                m.contains(name + " (a file staged with files or link, or rendered from a template, has the"
                        + " permissions of its source: make the source executable with chmod +x, or name the file's"
                        + " interpreter first in the command, such as ["
                        + (program.endsWith(".py") ? "python3" : "sh") + ", " + program + "])"),
                m);
        assertTrue(!m.contains("does not exist"), m);
    }

    /** @return the permissions as chmod's octal digits ("754") */
    private static String octal(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (PosixFilePermission b : perms) {
            mode |= 1 << (8 - b.ordinal());
        }
        return Integer.toOctalString(mode);
    }
}

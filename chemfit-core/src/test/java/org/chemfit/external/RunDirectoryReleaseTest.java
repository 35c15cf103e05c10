package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RunDirectory#release} on real folders: what it removes, and what it must leave alone. */
class RunDirectoryReleaseTest {

    @TempDir
    Path root;

    private List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aRunDirectoryReplacedByALinkLosesTheLinkAndNotTheFilesWhereItPoints() throws Exception {
        Path runs = Files.createDirectories(root.resolve("runs"));
        Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("in.lammps"), "mine\n", StandardCharsets.UTF_8);
        Files.createDirectory(elsewhere.resolve("tmp"));
        RunDirectory dir = RunDirectory.create(runs, "sim", "e1", "", 0);
        Files.delete(dir.path());
        Files.createSymbolicLink(dir.path(), elsewhere);

        assertFalse(dir.release(KeepPolicy.FAILED, RunDirectory.Outcome.SUCCEEDED, List.of("in.lammps", "tmp")));

        assertFalse(Files.exists(dir.path(), LinkOption.NOFOLLOW_LINKS), "the link is removed");
        assertEquals(List.of(), names(runs));
        assertEquals(List.of("in.lammps", "tmp"), names(elsewhere));
        assertEquals("mine\n", Files.readString(elsewhere.resolve("in.lammps"), StandardCharsets.UTF_8));
    }

    @Test
    void aRunDirectoryReplacedByAFileLosesTheFile() throws Exception {
        Path runs = Files.createDirectories(root.resolve("runs"));
        RunDirectory dir = RunDirectory.create(runs, "sim", "e1", "", 0);
        Files.delete(dir.path());
        Files.writeString(dir.path(), "in place of the folder\n", StandardCharsets.UTF_8);

        assertFalse(dir.release(KeepPolicy.NONE, RunDirectory.Outcome.FAILED, List.of("in.lammps")));

        assertEquals(List.of(), names(runs));
    }

    @Test
    void aKeptRunDirectoryReplacedByALinkIsLeftAsItIs() throws Exception {
        Path runs = Files.createDirectories(root.resolve("runs"));
        Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("in.lammps"), "mine\n", StandardCharsets.UTF_8);
        RunDirectory dir = RunDirectory.create(runs, "sim", "e1", "", 0);
        Files.delete(dir.path());
        Files.createSymbolicLink(dir.path(), elsewhere);

        assertTrue(dir.release(KeepPolicy.FAILED, RunDirectory.Outcome.FAILED, List.of("in.lammps")));

        assertTrue(Files.isSymbolicLink(dir.path()));
        assertEquals(List.of("in.lammps"), names(elsewhere));
    }

    @Test
    void foldersLinksAndNamesNotDeclaredAreRemovedWithoutFollowingALink() throws Exception {
        Path runs = Files.createDirectories(root.resolve("runs"));
        Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("precious"), "mine\n", StandardCharsets.UTF_8);
        RunDirectory dir = RunDirectory.create(runs, "sim", "e1", "", 0);
        Path d = dir.path();
        Files.writeString(d.resolve("in.lammps"), "x\n", StandardCharsets.UTF_8);
        Files.createSymbolicLink(d.resolve("escape"), elsewhere);
        Files.createDirectories(d.resolve("a/b"));
        Files.writeString(d.resolve("a/b/c"), "c\n", StandardCharsets.UTF_8);
        // a link inside a folder: removed by the walk that empties the folder, not followed
        Files.createSymbolicLink(d.resolve("a/b/escape"), elsewhere);
        Files.createSymbolicLink(d.resolve("a/precious"), elsewhere.resolve("precious"));

        assertFalse(dir.release(KeepPolicy.NONE, RunDirectory.Outcome.SUCCEEDED, List.of("in.lammps")));

        assertEquals(List.of(), names(runs));
        assertEquals(List.of("precious"), names(elsewhere));
        assertEquals("mine\n", Files.readString(elsewhere.resolve("precious"), StandardCharsets.UTF_8));
    }
}

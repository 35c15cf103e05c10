package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

class SqliteLibraryTest {

    private static final String USER = System.getProperty("user.name");

    @TempDir
    Path tmp;

    private static byte[] library() throws IOException {
        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            assertTrue(in != null, resource);
            return in.readAllBytes();
        }
    }

    private Path folder() {
        return tmp.resolve(SqliteLibrary.folderName(USER));
    }

    private static int uid() {
        return SqliteLibrary.processUid().orElseThrow();
    }

    private static List<String> names(Path folder) throws IOException {
        try (var s = Files.list(folder)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theLibraryIsCopiedOnceIntoAFolderOnlyItsOwnerMayEnter() throws Exception {
        Path lib = SqliteLibrary.keptCopy(tmp, USER).orElseThrow();
        assertEquals(folder(), lib.getParent());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lib)));
        assertTrue(
                lib.getFileName().toString().startsWith("chemfit-sqlitejdbc-" + SQLiteJDBCLoader.getVersion() + "-"),
                lib.toString());
        assertTrue(Arrays.equals(library(), Files.readAllBytes(lib)), "the copy holds the library's bytes");
        assertEquals(List.of(lib.getFileName().toString()), names(folder()), "no part of a copy is left");

        // the next process finds it and writes nothing
        long written = Files.getLastModifiedTime(lib).toMillis() - 60_000;
        Files.setLastModifiedTime(lib, FileTime.fromMillis(written));
        Object inode = Files.getAttribute(lib, "unix:ino");
        assertEquals(Optional.of(lib), SqliteLibrary.keptCopy(tmp, USER));
        assertEquals(inode, Files.getAttribute(lib, "unix:ino"));
        assertEquals(written, Files.getLastModifiedTime(lib).toMillis());
    }

    @Test
    void aCopyCutShortOrChangedIsWrittenAgain() throws Exception {
        Path lib = SqliteLibrary.keptCopy(tmp, USER).orElseThrow();
        byte[] good = library();
        Files.write(lib, Arrays.copyOf(good, 1000));
        assertEquals(Optional.of(lib), SqliteLibrary.keptCopy(tmp, USER));
        assertTrue(Arrays.equals(good, Files.readAllBytes(lib)), "the whole library again");
        byte[] changed = good.clone();
        changed[changed.length / 2] ^= 1; // the same size, one bit changed: its CRC-32 tells
        Files.write(lib, changed);
        assertEquals(Optional.of(lib), SqliteLibrary.keptCopy(tmp, USER));
        assertTrue(Arrays.equals(good, Files.readAllBytes(lib)), "the library's own bytes again");
    }

    @Test
    void copiesOfOtherVersionsAndPartsLeftByAKilledCopyAreRemovedWhenOld() throws Exception {
        Files.createDirectory(
                folder(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path old = Files.writeString(folder().resolve("chemfit-sqlitejdbc-3.0.0.0-0badc0de.so"), "an older library");
        Path part = Files.writeString(folder().resolve("chemfit-sqlitejdbc-x.so123.part"), "half a copy");
        Path recent = Files.writeString(folder().resolve("chemfit-sqlitejdbc-x.so456.part"), "a copy being made");
        Path other = Files.writeString(folder().resolve("notes.txt"), "not ours to remove");
        FileTime hourAgo = FileTime.fromMillis(System.currentTimeMillis() - 3_600_000);
        for (Path f : List.of(old, part, other)) {
            Files.setLastModifiedTime(f, hourAgo);
        }
        Path lib = SqliteLibrary.keptCopy(tmp, USER).orElseThrow();
        assertEquals(
                List.of(lib.getFileName().toString(), recent.getFileName().toString(), "notes.txt").stream()
                        .sorted()
                        .toList(),
                names(folder()));
    }

    @Test
    void aFolderOthersMayEnterOrWriteIsNotUsed() throws Exception {
        Files.createDirectory(folder());
        Files.setPosixFilePermissions(folder(), PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(Optional.empty(), SqliteLibrary.keptCopy(tmp, USER));
        Files.setPosixFilePermissions(folder(), PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(Optional.empty(), SqliteLibrary.keptCopy(tmp, USER));
        assertEquals(List.of(), names(folder()), "nothing is written into it");
        Files.setPosixFilePermissions(folder(), PosixFilePermissions.fromString("rwx------"));
        assertTrue(SqliteLibrary.keptCopy(tmp, USER).isPresent());
    }

    @Test
    void aLinkInPlaceOfTheFolderIsNotFollowed() throws Exception {
        Path elsewhere = Files.createDirectory(
                tmp.resolve("elsewhere"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createSymbolicLink(folder(), elsewhere);
        assertEquals(Optional.empty(), SqliteLibrary.keptCopy(tmp, USER));
        assertEquals(List.of(), names(elsewhere), "nothing is written where the link points");
        assertTrue(Files.isSymbolicLink(folder()));
    }

    @Test
    void aFolderOfAnotherUserIsNotUsed() throws Exception {
        Files.createDirectory(
                folder(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        assertTrue(SqliteLibrary.ownFolder(folder(), uid()));
        assertFalse(SqliteLibrary.ownFolder(folder(), uid() + 1));
    }

    @Test
    void aTemporaryFolderWhereOthersCouldRenameTheFolderIsNotUsed() throws Exception {
        Path open = Files.createDirectory(tmp.resolve("open-to-all"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        // writable by all and not sticky: another user could swap the folder for one of theirs
        assertFalse(SqliteLibrary.safeParent(open, uid()));
        assertEquals(Optional.empty(), SqliteLibrary.keptCopy(open, USER));
        assertEquals(List.of(), names(open), "nothing is made in it");
        // sticky, as /tmp is: entries are renamed by their owners only
        Files.setAttribute(open, "unix:mode", 01777);
        assertTrue(SqliteLibrary.safeParent(open, uid()));
        assertTrue(SqliteLibrary.keptCopy(open, USER).isPresent());
        // seen by another user: root's folder is trusted by all, a user's by no one else
        assertEquals(uid() == 0, SqliteLibrary.safeParent(open, uid() + 1));
        assertTrue(SqliteLibrary.safeParent(Path.of("/tmp"), uid()), "/tmp: root's, sticky");
    }

    @Test
    void aUserNameIsMadeSafeForAFolderName() {
        assertEquals("chemfit-.._evil_user", SqliteLibrary.folderName("../evil user"));
        assertEquals("chemfit-DOMAIN_user", SqliteLibrary.folderName("DOMAIN\\user"));
        Path lib = SqliteLibrary.keptCopy(tmp, "../evil user").orElseThrow();
        assertEquals(tmp.resolve("chemfit-.._evil_user"), lib.getParent());
    }
}

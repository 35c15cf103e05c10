package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
        return tmp.resolve("chemfit-" + USER);
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
        // only the copy: no part file left behind
        try (var files = Files.list(folder())) {
            assertEquals(List.of(lib), files.toList());
        }

        // the next process finds it and writes nothing
        FileTime written = Files.getLastModifiedTime(lib);
        Object inode = Files.readAttributes(lib, "unix:ino").get("ino");
        Files.setLastModifiedTime(lib, FileTime.fromMillis(written.toMillis() - 60_000));
        assertEquals(Optional.of(lib), SqliteLibrary.keptCopy(tmp, USER));
        assertEquals(inode, Files.readAttributes(lib, "unix:ino").get("ino"));
        assertEquals(written.toMillis() - 60_000, Files.getLastModifiedTime(lib).toMillis());
    }

    @Test
    void aCopyCutShortIsWrittenAgain() throws Exception {
        Path lib = SqliteLibrary.keptCopy(tmp, USER).orElseThrow();
        Files.write(lib, Arrays.copyOf(library(), 1000));
        assertEquals(Optional.of(lib), SqliteLibrary.keptCopy(tmp, USER));
        assertTrue(Arrays.equals(library(), Files.readAllBytes(lib)), "the whole library again");
    }

    @Test
    void aFolderOthersMayEnterOrWriteIsNotUsed() throws Exception {
        Files.createDirectory(
                folder(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setPosixFilePermissions(folder(), PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(Optional.empty(), SqliteLibrary.keptCopy(tmp, USER));
        Files.setPosixFilePermissions(folder(), PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(Optional.empty(), SqliteLibrary.keptCopy(tmp, USER));
        try (var files = Files.list(folder())) {
            assertEquals(0, files.count(), "nothing is written into it");
        }
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
        try (var files = Files.list(elsewhere)) {
            assertEquals(0, files.count(), "nothing is written where the link points");
        }
        assertTrue(Files.isSymbolicLink(folder()));
    }

    @Test
    void aFolderOfAnotherUserIsNotUsed() throws Exception {
        // the folder made for this user, checked in the name of another one
        assertTrue(SqliteLibrary.ownFolder(folder(), USER));
        assertFalse(SqliteLibrary.ownFolder(folder(), "root".equals(USER) ? "nobody" : "root"));
        assertFalse(SqliteLibrary.ownFolder(
                folder(), "no-such-user-" + ProcessHandle.current().pid()));
        assertTrue(Files.isDirectory(folder(), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aUserNameIsMadeSafeForAFolderName() throws Exception {
        Path lib = SqliteLibrary.keptCopy(tmp, "../evil user").orElse(null);
        // no such user: nothing is used, and nothing is made outside the temporary folder
        assertEquals(null, lib);
        assertTrue(Files.isDirectory(tmp.resolve("chemfit-.._evil_user")));
        assertFalse(Files.exists(tmp.getParent().resolve("evil user")));
    }
}

package org.chemfit.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of failure gets its reason in words, and the path it concerns unless already named. */
class ReasonsTest {

    @TempDir
    Path tmp;

    @Test
    void fileSystemRefusalsAreSaidInWordsWithTheirPath() {
        assertEquals("no such file or folder: /a", Reasons.of(new NoSuchFileException("/a")));
        assertEquals("permission denied: /a", Reasons.of(new AccessDeniedException("/a")));
        assertEquals("a file is in the way: /a", Reasons.of(new FileAlreadyExistsException("/a")));
        assertEquals("not a folder: /a", Reasons.of(new NotDirectoryException("/a")));
        assertEquals("the folder is not empty: /a", Reasons.of(new DirectoryNotEmptyException("/a")));
        assertEquals(
                "Read-only file system: /a", Reasons.of(new FileSystemException("/a", null, "Read-only file system")));
        assertEquals("the file system refused: /a", Reasons.of(new FileSystemException("/a")));
        assertEquals("no such file or folder", Reasons.of(new NoSuchFileException(null)));
    }

    /** A folder this user may not enter is tried from outside, in {@code UnreachableFilesIT} of the command line. */
    @Test
    void aPathThatIsNotThereIsSaidNotToExist() throws IOException {
        assertEquals("does not exist", Reasons.missing(tmp.resolve("none.xyz")));
        assertEquals("does not exist", Reasons.missing(tmp.resolve("no-folder/none.xyz")));
        Files.writeString(tmp.resolve("a-file"), "x");
        // a path through a file is missing too (ENOTDIR), not out of reach
        assertEquals("does not exist", Reasons.missing(tmp.resolve("a-file/none.xyz")));
    }

    @Test
    void aPathTheMessageAlreadyNamesIsLeftOut() {
        assertEquals("no such file or folder", Reasons.of(new NoSuchFileException("/a/b"), Path.of("/a/b")));
        assertEquals("no such file or folder: /a/b/c", Reasons.of(new NoSuchFileException("/a/b/c"), Path.of("/a/b")));
    }

    @Test
    void aRealFailureOfTheFileSystemIsSaidAsWell() {
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(
                IOException.class, () -> Files.readString(tmp.resolve("missing.txt")));
        assertEquals("no such file or folder: " + tmp.resolve("missing.txt"), Reasons.of(e));
    }

    @Test
    void wrappersGiveTheReasonOfTheirCause() {
        NoSuchFileException cause = new NoSuchFileException("/a");
        assertEquals("no such file or folder: /a", Reasons.of(new UncheckedIOException("reading /a", cause)));
        assertEquals("no such file or folder: /a", Reasons.of(new RuntimeException(cause)));
        assertEquals("no such file or folder: /a", Reasons.of(new IllegalStateException(null, cause)));
        assertEquals(
                "reading the table failed", Reasons.of(new IllegalStateException("reading the table failed", cause)));
    }

    @Test
    void failuresWithoutAMessageGetAPlainOne() {
        assertEquals("an error without a message", Reasons.of(new NullPointerException()));
        assertEquals("an input/output error", Reasons.of(new IOException()));
        assertEquals("out of memory", Reasons.of(new OutOfMemoryError()));
        assertEquals("the stack overflowed (a recursion too deep)", Reasons.of(new StackOverflowError()));
        assertEquals("not UTF-8 text (is this a binary file?)", Reasons.of(new MalformedInputException(1)));
        assertEquals("sigma must be positive", Reasons.of(new IllegalArgumentException("sigma must be positive")));
    }
}

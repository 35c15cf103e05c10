package org.chemfit.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Says why something failed in words a user understands, for every message that reports a
 * caught exception: Java's file exceptions carry only a path as their message, and no Java class
 * name ({@code java.nio.file.NoSuchFileException}) may reach a user. Both the core's term
 * failures and the command line's messages say their reasons through this class.
 *
 * <pre>{@code
 * catch (IOException e) {
 *     // "cannot create a run directory under /proc/x: no such file or folder"
 *     throw new ChemFitException("cannot create a run directory under " + dir + ": " + Reasons.of(e, dir), e);
 * }
 * }</pre>
 *
 * <p>Never throws: every throwable has a reason, "an error without a message" at worst.
 *
 * @implNote Stateless; thread-safe.
 */
public final class Reasons {

    private Reasons() {}

    /**
     * @param link a symbolic link that leads to no file
     * @return what it says in words: "it is a symbolic link to /scratch/gone/log.lammps, which leads
     *     to no file" (its target as it is written in the link; "a path" when that cannot be read)
     */
    public static String danglingLink(Path link) {
        String target;
        try {
            target = String.valueOf(java.nio.file.Files.readSymbolicLink(link));
        } catch (IOException | UnsupportedOperationException e) {
            target = "a path";
        }
        return "it is a symbolic link to " + target + ", which leads to no file";
    }

    /**
     * Why a path that is not there to be read cannot be found: it does not exist, or a folder above it
     * may not be entered by this user, which {@link java.nio.file.Files#exists} cannot tell apart
     * (both answer false).
     *
     * <pre>{@code
     * missing(Path.of("/data/dimers/ar2.xyz"))   // "does not exist"
     * // with /data/dimers made chmod 000 by its owner:
     * missing(Path.of("/data/dimers/ar2.xyz"))   // "cannot be reached: this user may not enter the folder /data/dimers (permission denied)"
     * }</pre>
     *
     * @param path a path that {@link java.nio.file.Files#exists} does not find
     * @return "does not exist", or why the path cannot be reached
     */
    public static String missing(Path path) {
        try {
            java.nio.file.Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class);
        } catch (AccessDeniedException e) {
            // a folder on its way may not be entered: the nearest one above it that this user sees, when
            // that is the one (a folder reached through a symbolic link is not named)
            for (Path p = path.toAbsolutePath().normalize().getParent(); p != null; p = p.getParent()) {
                if (java.nio.file.Files.exists(p)) {
                    if (java.nio.file.Files.isDirectory(p) && !java.nio.file.Files.isExecutable(p)) {
                        return "cannot be reached: this user may not enter the folder " + p + " (permission denied)";
                    }
                    break;
                }
            }
            return "cannot be reached: this user may not enter a folder on its way (permission denied)";
        } catch (IOException | RuntimeException e) {
            // no such file, or a path through a file (not a folder): missing
        }
        return "does not exist";
    }

    /**
     * @param e what went wrong
     * @return its reason: for a file operation what the file system said and the path concerned
     *     ("no such file or folder: /tmp/x"), otherwise the message (that of the cause when the
     *     message is only the cause's class and message), never a Java class name of its own
     */
    public static String of(Throwable e) {
        return of(e, null);
    }

    /**
     * @param e what went wrong
     * @param named the path the message already names, left out of the reason when it is the one
     *     concerned, or null
     * @return its reason, as {@link #of(Throwable)} says it
     */
    public static String of(Throwable e, @Nullable Path named) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            return of(u.getCause(), named);
        }
        if (e instanceof FileSystemException f) {
            return fileSystem(f, named);
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text (is this a binary file?)";
        }
        String m = e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause != e && (m == null || m.isBlank() || m.equals(cause.toString()))) {
            // a wrapper made with new SomeException(cause): its message is the cause's class and message
            return of(cause, named);
        }
        if (m != null && !m.isBlank()) {
            return m;
        }
        if (e instanceof OutOfMemoryError) {
            return "out of memory";
        }
        if (e instanceof StackOverflowError) {
            return "the stack overflowed (a recursion too deep)";
        }
        return e instanceof IOException ? "an input/output error" : "an error without a message";
    }

    /** @return what the file system refused, and the path concerned unless it is the one named */
    private static String fileSystem(FileSystemException f, @Nullable Path named) {
        String what;
        if (f instanceof AccessDeniedException) {
            what = "permission denied";
        } else if (f instanceof FileAlreadyExistsException) {
            what = "a file is in the way";
        } else if (f instanceof NoSuchFileException) {
            what = "no such file or folder";
        } else if (f instanceof NotDirectoryException) {
            what = "not a folder";
        } else if (f instanceof DirectoryNotEmptyException) {
            what = "the folder is not empty";
        } else {
            String other = f.getReason();
            what = other != null ? other : "the file system refused";
        }
        String path = f.getFile();
        if (path == null || named != null && path.equals(named.toString())) {
            return what;
        }
        return what + ": " + path;
    }
}

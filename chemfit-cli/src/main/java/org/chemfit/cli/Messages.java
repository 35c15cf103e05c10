package org.chemfit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Says why a file operation failed in words a user understands: Java's file exceptions carry
 * only a path as their message, and their class name must not reach the user.
 *
 * <pre>{@code
 * throw new UserException("cannot create " + dir + ": " + Messages.reason(e));   // "... : a file is in the way: /tmp/x"
 * }</pre>
 *
 * @implNote Stateless.
 */
final class Messages {

    /** A Java exception's class name as {@code Throwable.toString()} puts it into a message. */
    private static final Pattern CLASS =
            Pattern.compile("(?:[a-z][a-z0-9_]*\\.)+([A-Z][A-Za-z0-9]*(?:Exception|Error))(?::\\s*)?");

    private Messages() {}

    /**
     * @param message a message that may hold a Java exception's class name (a library's
     *     {@code "cannot read 'x': " + e})
     * @return the message with each class name replaced by what it means, or dropped
     */
    static String clean(@Nullable String message) {
        if (message == null) {
            return "";
        }
        Matcher m = CLASS.matcher(message);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String meaning = switch (m.group(1)) {
                case "MalformedInputException", "UnmappableCharacterException", "CharConversionException" ->
                    "not UTF-8 text";
                case "NoSuchFileException" -> "no such file: ";
                case "AccessDeniedException" -> "permission denied: ";
                case "FileAlreadyExistsException" -> "a file is in the way: ";
                case "NotDirectoryException" -> "not a folder: ";
                case "OutOfMemoryError" -> "out of memory: ";
                default -> "";
            };
            m.appendReplacement(sb, Matcher.quoteReplacement(meaning));
        }
        m.appendTail(sb);
        return sb.toString()
                .replaceAll("not UTF-8 text:? ?Input length = \\d+", "not UTF-8 text")
                .replaceAll("Input length = \\d+", "not UTF-8 text (is this a binary file?)")
                // the library's message names no key: a job file's reader wants the key to raise
                .replace(
                        LONGER_TIMEOUT,
                        LONGER_TIMEOUT + " (the term's timeout, or execution.timeout when the term sets none)");
    }

    /** How a command killed at its timeout ends its message in the library (the external package's Attempt). */
    private static final String LONGER_TIMEOUT = "a run that needs longer needs a longer timeout";

    /**
     * @param warning a warning of the fit loop, which names its settings as the library's methods
     * @return the warning naming them as a job file's keys: {@code valueBadParams} is
     *     {@code optimizer.bad_value}
     */
    static String inJobFileTerms(String warning) {
        return warning.replace("valueBadParams", "optimizer.bad_value");
    }

    /**
     * @param e what went wrong
     * @return the reason, naming the path concerned (the core's {@link org.chemfit.support.Reasons},
     *     which the term failures' messages use too)
     */
    static String reason(IOException e) {
        return org.chemfit.support.Reasons.of(e);
    }

    /**
     * @param folder a folder to write in, which may not exist yet
     * @return why this user cannot make or write it (it is a file; the folder, or the nearest one
     *     above it that exists, may not be written), or null
     */
    static @Nullable String notWritableFolder(Path folder) {
        String why = notAFolder(folder);
        if (why != null) {
            return why;
        }
        for (Path p = folder.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p)) {
                return Files.isWritable(p)
                        ? null
                        : readOnly(p)
                                ? "the file system of " + p + " is mounted read-only"
                                : "permission denied: " + p + " is not writable by this user";
            }
        }
        return null;
    }

    /**
     * @param existing a file or folder that exists
     * @return whether the file system it is on is mounted read-only (no user, root neither, may write
     *     there); false when that cannot be told
     */
    static boolean readOnly(Path existing) {
        try {
            if (Files.getFileStore(existing).isReadOnly()) {
                return true;
            }
        } catch (IOException | SecurityException e) {
            return false;
        }
        // a read-only bind mount shares its device with a writable mount, whose options the file
        // store may read instead: a file made in the folder says it (EROFS), and is removed at once
        if (!Files.isDirectory(existing)) {
            return false;
        }
        try {
            Files.delete(Files.createTempFile(existing, ".chemfit-writable-", ".tmp"));
            return false;
        } catch (java.nio.file.FileSystemException e) {
            return "Read-only file system".equals(e.getReason());
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /**
     * @param folder a folder to be created or written
     * @return why it cannot be a folder (it, or a folder above it, is a file), or null when nothing is in the way
     */
    static @Nullable String notAFolder(Path folder) {
        for (Path p = folder.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.exists(p) && !Files.isDirectory(p)) {
                return p.equals(folder.toAbsolutePath().normalize())
                        ? "it is a file, not a folder"
                        : p + " is a file, not a folder";
            }
            if (Files.isDirectory(p)) {
                return null;
            }
        }
        return null;
    }
}

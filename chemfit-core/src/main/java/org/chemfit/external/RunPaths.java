package org.chemfit.external;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Checks that paths written by a user stay inside a run directory. */
final class RunPaths {

    private RunPaths() {}

    /**
     * @param relative a path a user wrote (a template target, a staged file, an output file)
     * @param what what the path is for, used in the message
     * @return the normalized relative path
     * @throws IllegalArgumentException when it is empty, absolute or escapes with {@code ..}
     */
    static Path checkRelative(String relative, String what) {
        if (relative == null || relative.isBlank()) {
            throw new IllegalArgumentException(what + " must name a file inside the run directory, got an empty path");
        }
        Path p;
        try {
            p = Path.of(relative);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(what + " '" + relative + "' is not a valid path: " + e.getMessage(), e);
        }
        if (p.isAbsolute() || relative.startsWith("/") || relative.startsWith("~")) {
            throw new IllegalArgumentException(what + " '" + relative
                    + "' is an absolute path; paths must be relative to the run directory and stay inside it");
        }
        Path n = p.normalize();
        if (n.toString().isEmpty()) {
            throw new IllegalArgumentException(
                    what + " '" + relative + "' names the run directory itself; it must name a file inside it");
        }
        if (n.startsWith("..")) {
            throw new IllegalArgumentException(what + " '" + relative
                    + "' leaves the run directory through '..'; paths must stay inside the run directory");
        }
        return n;
    }

    /**
     * @param runDirectory the run directory
     * @param relative a relative path, checked
     * @param what what the path is for
     * @return the path inside the run directory
     */
    static Path resolve(Path runDirectory, String relative, String what) {
        Path checked = relative == null ? null : CHECKED.get(relative);
        if (checked == null) {
            checked = checkRelative(relative, what);
            if (CHECKED.size() < CHECKED_MAX) {
                CHECKED.put(relative, checked);
            }
        }
        return runDirectory.resolve(checked);
    }

    /**
     * The paths that passed {@link #checkRelative}, normalized: a term's parsers resolve the same
     * few names in every run, and the check is a pure function of the name.
     */
    private static final Map<String, Path> CHECKED = new ConcurrentHashMap<>();

    /** How many checked paths are kept; those after are checked each time. */
    private static final int CHECKED_MAX = 1024;
}

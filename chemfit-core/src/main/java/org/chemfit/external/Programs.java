package org.chemfit.external;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Finds a program whose name varies between installations: the first of several names found on
 * the {@code PATH}. GROMACS, for instance, is {@code gmx}, {@code gmx_mpi} (built with MPI) or
 * {@code gmx_d} (double precision) depending on how it was built. Look the name up once, before a
 * fit, and use the result in every command, so that all the runs of a fit use the same program.
 *
 * <pre>{@code
 * String gmx = Programs.firstOnPath(List.of("gmx", "gmx_mpi", "gmx_d"));   // e.g. "/usr/bin/gmx"
 * Command grompp = Command.of(gmx, "grompp", "-f", "md.mdp", "-c", "conf.gro", "-p", "topol.top");
 * }</pre>
 *
 * <p>Failures: {@link #firstOnPath(List)} throws {@link IllegalArgumentException} when the list is
 * empty, a name is blank, or no name is found, naming every name tried and the {@code PATH}.
 *
 * @implNote Stateless and thread-safe; each call reads the file system afresh.
 */
public final class Programs {

    private Programs() {}

    /**
     * @param names program names (without a slash, looked up on {@code PATH}) or paths (with a
     *     slash, taken when executable), in order of preference
     * @return the absolute path of the first that is found
     * @throws IllegalArgumentException when none is found
     */
    public static String firstOnPath(List<String> names) {
        return firstOnPath(names, System.getenv("PATH"));
    }

    /**
     * @param names program names or paths, in order of preference
     * @param path the {@code PATH} value to search
     * @return the absolute path of the first that is found
     * @throws IllegalArgumentException when none is found
     */
    public static String firstOnPath(List<String> names, String path) {
        Objects.requireNonNull(names, "names");
        if (names.isEmpty()) {
            throw new IllegalArgumentException("a program look-up needs at least one name, got an empty list");
        }
        for (String n : names) {
            if (n == null || n.isBlank()) {
                throw new IllegalArgumentException("program names must not be blank, got " + names);
            }
            if (n.contains("/")) {
                Path p = Path.of(n).toAbsolutePath();
                if (java.nio.file.Files.isExecutable(p) && !java.nio.file.Files.isDirectory(p)) {
                    return p.toString();
                }
            } else {
                Path p = ProcessRunner.findOnPath(n, path);
                if (p != null) {
                    return p.toAbsolutePath().toString();
                }
            }
        }
        throw new IllegalArgumentException((names.size() == 1
                        ? "program '" + names.get(0) + "' is"
                        : "none of the programs " + String.join(", ", names) + " is")
                + " on the PATH (" + path + ")");
    }
}

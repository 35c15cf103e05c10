package org.chemfit.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.chemfit.atoms.Atoms;
import org.chemfit.atoms.Xyz;

/**
 * The structure files of one read of a job, each parsed once: the job reader checks an atoms
 * term's structures (and their forces, when the term fits them) and the fit's plan builds its
 * computers from the same files, which were otherwise parsed up to four times each. A file that
 * cannot be parsed gives the same exception each time it is asked for, so every message stays
 * what {@link Xyz} says.
 *
 * <pre>{@code
 * StructureFiles files = new StructureFiles();
 * Atoms atoms = files.atoms(entry.file());
 * double[] forces = files.forces(entry.file());   // the same parse
 * }</pre>
 *
 * @implNote Thread-safe. It keeps every frame it parsed for as long as the job it belongs to.
 */
final class StructureFiles {

    /** Each file by its absolute, normalised path: its last frame, or what parsing it threw. */
    private final Map<Path, Object> read = new HashMap<>();

    private int parses;

    /**
     * @param file an XYZ or extended XYZ file
     * @return its last frame, parsed at the first call for that file
     * @throws org.chemfit.atoms.InputFormatException when the file is malformed, as {@link
     *     Xyz#read} throws it
     * @throws org.chemfit.ChemFitException when the file cannot be read
     */
    synchronized Xyz.LastFrame frame(Path file) {
        Path key = file.toAbsolutePath().normalize();
        Object known = read.get(key);
        if (known == null) {
            parses++;
            try {
                known = Xyz.readLast(file);
            } catch (RuntimeException e) {
                known = e;
            }
            read.put(key, known);
        }
        if (known instanceof RuntimeException e) {
            throw e;
        }
        return (Xyz.LastFrame) known;
    }

    /**
     * @param file an XYZ or extended XYZ file
     * @return its structure, as {@link Xyz#read} gives it
     */
    Atoms atoms(Path file) {
        return frame(file).atoms();
    }

    /**
     * @param file an extended XYZ file
     * @return the reference forces of its last frame, as {@link Xyz#readForces} gives them
     * @throws org.chemfit.atoms.InputFormatException as {@link Xyz#readForces} throws it
     */
    double[] forces(Path file) {
        return frame(file).forces();
    }

    /** @return how many times a file was parsed: once per file asked for */
    synchronized int parses() {
        return parses;
    }

    @Override
    public String toString() {
        return "structure files parsed: " + parses();
    }
}

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
 * cannot be parsed is parsed again each time it is asked for, so that each ask throws an exception
 * of its own, with what {@link Xyz} says (the same type and message while the file is unchanged):
 * one exception shared by every caller would carry the first caller's stack trace and gather every
 * caller's suppressed exceptions.
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

    /** Each file parsed by its absolute, normalised path: its last frame. */
    private final Map<Path, Xyz.LastFrame> read = new HashMap<>();

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
        Xyz.LastFrame known = read.get(key);
        if (known == null) {
            parses++;
            known = Xyz.readLast(file); // a failure is not kept: the next ask parses the file again
            read.put(key, known);
        }
        return known;
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

    /** @return how many times a file was parsed: once per file asked for, and at each ask of a file that cannot be */
    synchronized int parses() {
        return parses;
    }

    @Override
    public String toString() {
        return "structure files parsed: " + parses();
    }
}

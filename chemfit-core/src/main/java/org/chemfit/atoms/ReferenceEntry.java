package org.chemfit.atoms;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One row of a reference-energy CSV: a structure file, its reference energy and a tag.
 *
 * <pre>{@code
 * List<ReferenceEntry> rows = ReferenceCsv.read(Path.of("energies.csv"));
 * Atoms a = Xyz.read(rows.get(0).file());
 * }</pre>
 *
 * @param file the structure file, already resolved against the CSV's folder
 * @param energy the reference energy (eV)
 * @param tag a name for the structure (the term's name)
 * @param line the CSV line it came from (from 1; 0 when not from a file)
 * @implNote Immutable.
 */
public record ReferenceEntry(Path file, double energy, String tag, int line) {

    /**
     * Validates the entry.
     *
     * @throws IllegalArgumentException when the energy is not finite or the tag is empty
     */
    public ReferenceEntry {
        Objects.requireNonNull(file, "file");
        if (!Double.isFinite(energy)) {
            throw new IllegalArgumentException("reference energy of " + file + " must be finite, got " + energy);
        }
        if (tag == null || tag.isBlank()) {
            throw new IllegalArgumentException("the tag of " + file + " must not be empty");
        }
    }
}

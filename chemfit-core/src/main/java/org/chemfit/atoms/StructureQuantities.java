package org.chemfit.atoms;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.chemfit.Quantities;
import org.jspecify.annotations.Nullable;

/**
 * Geometric quantities of a structure: distances between atoms (minimum image) and the RMSD to a
 * reference structure after Kabsch alignment, with optional per-atom weights and control over
 * reflections. Used by {@link RelaxedComputer} to report the shape of a relaxed structure.
 *
 * <pre>{@code
 * StructureQuantities sq = StructureQuantities.builder()
 *         .distance("r_OO", 0, 3)
 *         .rmsd("rmsd", reference, null, false)
 *         .build();
 * Quantities q = sq.compute(relaxed);   // r_OO, rmsd
 * }</pre>
 *
 * @implNote Immutable and thread-safe.
 */
public final class StructureQuantities {

    private static final StructureQuantities NONE = new StructureQuantities(List.of());

    private final List<Spec> specs;

    private StructureQuantities(List<Spec> specs) {
        this.specs = List.copyOf(specs);
    }

    /** @return no quantities */
    public static StructureQuantities none() {
        return NONE;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return whether there is no quantity */
    public boolean isEmpty() {
        return specs.isEmpty();
    }

    /**
     * @param atoms the structure
     * @return the quantities, in the order they were added
     * @throws IllegalArgumentException when an atom index is out of range or the reference has
     *     another number of atoms or other species
     */
    public Quantities compute(Atoms atoms) {
        Quantities.Builder b = Quantities.builder();
        for (Spec s : specs) {
            if (s instanceof Distance d) {
                if (d.i >= atoms.size() || d.j >= atoms.size()) {
                    throw new IllegalArgumentException("distance '" + d.name + "' needs atoms " + d.i + " and " + d.j
                            + " but " + atoms + " has " + atoms.size() + " atoms");
                }
                b.put(d.name, atoms.distance(d.i, d.j));
            } else if (s instanceof Rmsd r) {
                if (r.reference.size() != atoms.size()
                        || !r.reference.speciesList().equals(atoms.speciesList())) {
                    throw new IllegalArgumentException(
                            "rmsd '" + r.name + "' needs a structure with the species of its reference "
                                    + r.reference.speciesList() + ", got " + atoms.speciesList());
                }
                b.put(r.name, Kabsch.rmsd(atoms, r.reference, r.weights, r.allowReflection));
            }
        }
        return b.build();
    }

    private interface Spec {}

    private record Distance(String name, int i, int j) implements Spec {}

    private record Rmsd(String name, Atoms reference, double @Nullable [] weights, boolean allowReflection)
            implements Spec {}

    /**
     * Collects quantities.
     *
     * @implNote Not thread-safe; {@link #build()} returns an immutable object.
     */
    public static final class Builder {
        private final List<Spec> specs = new ArrayList<>();
        private final Set<String> names = new LinkedHashSet<>();

        private Builder() {}

        private void name(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a quantity needs a name");
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException("quantity '" + name + "' is defined twice");
            }
        }

        /**
         * @param name the quantity's name
         * @param i an atom index
         * @param j another atom index
         * @return this builder
         * @throws IllegalArgumentException for a negative or repeated index, or a repeated name
         */
        public Builder distance(String name, int i, int j) {
            if (i < 0 || j < 0 || i == j) {
                throw new IllegalArgumentException(
                        "a distance needs two different non-negative atom indices, got " + i + " and " + j);
            }
            name(name);
            specs.add(new Distance(name, i, j));
            return this;
        }

        /**
         * @param name the quantity's name
         * @param reference the structure to align onto
         * @param weights one weight per atom, or null for equal weights
         * @param allowReflection whether a mirror image may be used in the alignment
         * @return this builder
         * @throws IllegalArgumentException for a repeated name, a weight count that does not match the
         *     reference, or a reference of fewer than 3 atoms (too few to fix a rotation in 3D)
         */
        public Builder rmsd(String name, Atoms reference, double[] weights, boolean allowReflection) {
            Objects.requireNonNull(reference, "reference");
            if (reference.size() < 3) {
                throw new IllegalArgumentException("rmsd '" + name
                        + "' needs a reference of at least 3 atoms to determine the"
                        + " rotation of a Kabsch alignment, got " + reference.size() + "; compare distances instead");
            }
            if (weights != null && weights.length != reference.size()) {
                throw new IllegalArgumentException("rmsd '" + name + "' needs one weight per atom: got "
                        + weights.length + " weights for " + reference.size() + " atoms");
            }
            name(name);
            specs.add(new Rmsd(name, reference, weights == null ? null : weights.clone(), allowReflection));
            return this;
        }

        /** @return the quantities */
        public StructureQuantities build() {
            return new StructureQuantities(specs);
        }
    }
}

package org.chemfit.atoms;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.LossFunction;
import org.chemfit.LossFunctions;
import org.chemfit.QuantityComputer;
import org.chemfit.QuantityComputerObjectiveFunction;
import org.jspecify.annotations.Nullable;

/**
 * Builds energy terms from reference data: one {@link QuantityComputerObjectiveFunction} per
 * structure, named by its tag, whose loss is {@code ((E_model - E_ref) / scale)^2} (plus its
 * weighted forces' squared errors with {@link Builder#forces}). The
 * counterpart of ChemFit's {@code process_csv} plus its ASE objective functions; job files and the
 * command line build their atomistic terms through it.
 *
 * <pre>{@code
 * CombinedObjectiveFunction ob = AtomisticTerms.fromCsv(Path.of("energies.csv"), water)
 *         .prepare(a -> a.withConsecutiveMolecules(3))   // molecule indices for the exclusion
 *         .combined();
 * FitResult r = new Fitter(ob, Map.of("epsilon", 0.0066, "sigma", 3.15, "qH", 0.417)).fit("Nelder-Mead");
 * }</pre>
 *
 * <p>Every structure is read once, when {@link Builder#terms()} or {@link Builder#combined()} is
 * called; a structure file that is missing or malformed fails there, naming the CSV line that
 * refers to it.
 *
 * @implNote The factory is stateless; a builder is not thread-safe, but the terms it returns are
 *     immutable and thread-safe.
 */
public final class AtomisticTerms {

    private AtomisticTerms() {}

    /**
     * @param csv a reference CSV (see {@link ReferenceCsv})
     * @param potential the model
     * @return a builder of the terms
     * @throws InputFormatException when the CSV is malformed
     * @throws org.chemfit.ChemFitException when it cannot be read
     */
    public static Builder fromCsv(Path csv, Potential potential) {
        return new Builder(ReferenceCsv.read(csv), potential);
    }

    /**
     * @param csvs several reference CSVs, read file after file
     * @param potential the model
     * @return a builder of the terms
     * @throws InputFormatException when a CSV is malformed
     * @throws IllegalArgumentException when the list is empty
     */
    public static Builder fromCsv(List<Path> csvs, Potential potential) {
        return new Builder(ReferenceCsv.read(csvs), potential);
    }

    /**
     * Options of the terms built from reference rows.
     *
     * @implNote Not thread-safe; the terms it returns are.
     */
    public static final class Builder {
        private final List<ReferenceEntry> entries;
        private final Potential potential;
        private UnaryOperator<Atoms> prepare = UnaryOperator.identity();
        private @Nullable Relax relax;
        private double scale = 1.0;
        private double forcesWeight = Double.NaN;

        private Builder(List<ReferenceEntry> entries, Potential potential) {
            this.entries = entries;
            this.potential = Objects.requireNonNull(potential, "potential");
        }

        /**
         * @param f applied to every structure after reading (assign molecule indices, set a cell, ...)
         * @return this builder
         */
        public Builder prepare(UnaryOperator<Atoms> f) {
            this.prepare = Objects.requireNonNull(f, "prepare");
            return this;
        }

        /**
         * @param atomsPerMolecule assigns molecule indices in consecutive blocks of this size
         * @return this builder
         */
        public Builder moleculeSize(int atomsPerMolecule) {
            UnaryOperator<Atoms> before = prepare;
            this.prepare = a -> before.apply(a).withConsecutiveMolecules(atomsPerMolecule);
            return this;
        }

        /**
         * @param r relax every structure with the model before taking its energy (null: single points)
         * @return this builder
         */
        public Builder relax(Relax r) {
            this.relax = r;
            return this;
        }

        /**
         * @param s the energy scale (eV) dividing each error before squaring; 1 by default
         * @return this builder
         * @throws IllegalArgumentException when not positive
         */
        public Builder energyScale(double s) {
            if (!(s > 0) || !Double.isFinite(s)) {
                throw new IllegalArgumentException("the energy scale must be positive and finite, got " + s);
            }
            this.scale = s;
            return this;
        }

        /**
         * Fits each structure's forces too: its reference forces are read from the structure
         * file's {@code forces:R:3} (or {@code force:R:3}) column ({@link Xyz#readForces}), and its
         * loss becomes {@code ((E_model - E_ref) / scale)^2 + weight * sum_i (F_model,i - F_ref,i)^2}
         * over its 3N force components, in the energy unit per Å (the forces are not divided by the
         * energy scale). Not with {@link #relax}: the forces of a relaxed structure are about 0.
         *
         * @param weight the forces' weight against the energy, positive
         * @return this builder
         * @throws IllegalArgumentException when not positive and finite
         */
        public Builder forces(double weight) {
            if (!(weight > 0) || !Double.isFinite(weight)) {
                throw new IllegalArgumentException("the forces' weight must be positive and finite, got " + weight);
            }
            this.forcesWeight = weight;
            return this;
        }

        /** @return the reference rows */
        public List<ReferenceEntry> entries() {
            return entries;
        }

        /**
         * @return one term per row, in row order, each named by its tag
         * @throws org.chemfit.ChemFitException when a structure file is missing, malformed or
         *     rejected, or (with {@link #forces}) has no forces column; the message names the CSV line
         * @throws IllegalStateException when forces are fitted with relax
         */
        public List<QuantityComputerObjectiveFunction> terms() {
            boolean forces = !Double.isNaN(forcesWeight);
            if (forces && relax != null) {
                throw new IllegalStateException("forces cannot be fitted with relax: the forces of a relaxed"
                        + " structure are about 0 whatever the parameters, so they say nothing of the model;"
                        + " fit the forces of single points instead");
            }
            List<QuantityComputerObjectiveFunction> out = new ArrayList<>(entries.size());
            for (ReferenceEntry e : entries) {
                Atoms atoms = load(e);
                QuantityComputer c = relax == null
                        ? new SinglePointComputer(atoms, potential)
                        : new RelaxedComputer(atoms, potential, relax);
                LossFunction loss = LossFunctions.squaredError(Map.of("energy", e.energy()), Map.of("energy", scale));
                if (forces) {
                    double[] f = forces(e);
                    loss = LossFunctions.sum(
                            loss, LossFunctions.weighted(forcesWeight, LossFunctions.sumOfSquares("forces", f)));
                }
                out.add(c.withLoss(loss).named(e.tag()));
            }
            return out;
        }

        private static double[] forces(ReferenceEntry e) {
            String where =
                    e.line() > 0 ? " (CSV line " + e.line() + ", tag '" + e.tag() + "')" : " (tag '" + e.tag() + "')";
            try {
                return Xyz.readForces(e.file());
            } catch (InputFormatException ex) {
                throw new InputFormatException(ex.file(), ex.line(), ex.problem() + where);
            }
        }

        /**
         * @return the terms combined with weight 1 each and named by tag
         * @throws org.chemfit.ChemFitException as {@link #terms()}
         */
        public CombinedObjectiveFunction combined() {
            return new CombinedObjectiveFunction(terms());
        }

        private Atoms load(ReferenceEntry e) {
            String where =
                    e.line() > 0 ? " (CSV line " + e.line() + ", tag '" + e.tag() + "')" : " (tag '" + e.tag() + "')";
            if (!Files.isRegularFile(e.file())) {
                throw new org.chemfit.ChemFitException(
                        "structure file " + e.file() + where + " " + org.chemfit.support.Reasons.missing(e.file()));
            }
            try {
                return prepare.apply(Xyz.read(e.file()));
            } catch (InputFormatException ex) {
                throw new InputFormatException(ex.file(), ex.line(), ex.problem() + where);
            } catch (IllegalArgumentException ex) {
                throw new org.chemfit.ChemFitException(
                        "structure " + e.file() + where + " could not be prepared: " + ex.getMessage(), ex);
            }
        }
    }
}

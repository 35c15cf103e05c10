/**
 * In-process atomistic terms, the counterpart of ChemFit's ASE objective functions: structures
 * ({@link org.chemfit.atoms.Atoms}, read and written by {@link org.chemfit.atoms.Xyz}), pair
 * potentials whose constants are fit parameters ({@link org.chemfit.atoms.PairPotential},
 * {@link org.chemfit.atoms.ParameterRef}), quantity computers for single points, relaxed structures
 * and structure quantities ({@link org.chemfit.atoms.SinglePointComputer},
 * {@link org.chemfit.atoms.RelaxedComputer}, {@link org.chemfit.atoms.StructureQuantities}), Kabsch
 * alignment ({@link org.chemfit.atoms.Kabsch}), and reference energies from CSV turned into terms
 * ({@link org.chemfit.atoms.ReferenceCsv}, {@link org.chemfit.atoms.AtomisticTerms}). Periodic
 * crystals: the Ewald sum and cell lists inside {@link org.chemfit.atoms.PairPotential}, the stress
 * ({@link org.chemfit.atoms.Potential#energyForcesStress}), cell relaxation
 * ({@link org.chemfit.atoms.CellRelax}) and the properties of cubic crystals
 * ({@link org.chemfit.atoms.CubicCrystalComputer}).
 *
 * <p>Units: Å, eV, elementary charges; forces in eV/Å.
 *
 * <p>Interrupts: the long loops (each step of a relaxation, each trial scale of a crystal's
 * zero-pressure search, each slab of images of a pair sum, each plane of reciprocal vectors of an
 * Ewald sum) look at their thread's interrupt flag and throw
 * {@link org.chemfit.EvaluationCancelledException} when it is set, leaving it set: a stopped or
 * cancelled fit does not wait for a relaxation to end by itself.
 *
 * <pre>{@code
 * PairPotential water = PairPotential.builder()
 *         .lennardJones("O", "O", "epsilon", "sigma")
 *         .coulomb(Map.of("H", ParameterRef.of("qH"), "O", ParameterRef.scaled("qH", -2)), PairPotential.CoulombMethod.MINIMUM_IMAGE, 0)
 *         .excludeIntramolecular()
 *         .build();
 * CombinedObjectiveFunction ob = AtomisticTerms.fromCsv(Path.of("energies.csv"), water).moleculeSize(3).combined();
 * FitResult r = new Fitter(ob, Map.of("epsilon", 0.0066, "sigma", 3.15, "qH", 0.417)).fit("BOBYQA");
 * }</pre>
 *
 * <p>Every type and member of this package is non-null unless marked
 * {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package org.chemfit.atoms;

import org.jspecify.annotations.NullMarked;

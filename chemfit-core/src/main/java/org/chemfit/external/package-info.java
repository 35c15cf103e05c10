/**
 * Terms backed by external programs (LAMMPS, GROMACS, a DFT code, a script), driven through text
 * files: {@link org.chemfit.external.FileBasedQuantityComputer} renders input templates with the
 * parameter values (Pebble, Jinja-like syntax), runs {@link org.chemfit.external.Command}s in a
 * run directory of its own, kills a program's whole process tree on a timeout or a cancellation,
 * and reads quantities with {@link org.chemfit.external.OutputParsers} or a Java
 * {@link org.chemfit.external.OutputParser}. A failure leaves {@code failure.json} in the run
 * directory; {@link org.chemfit.external.KeepPolicy} says which run directories stay.
 *
 * <pre>{@code
 * FileBasedQuantityComputer dimer = FileBasedQuantityComputer.builder()
 *         .template("in.lammps", Path.of("templates/in.dimer"))   // pair_coeff 1 1 {{ lj.epsilon }} {{ lj.sigma }}
 *         .command("lmp", "-in", "in.lammps", "-log", "log.lammps", "-screen", "none")
 *         .timeout(Duration.ofMinutes(5))
 *         .output(OutputParsers.lammpsThermo("energy", "log.lammps", "PotEng").last())
 *         .build();
 * ObjectiveFunction term = dimer.withLoss(LossFunctions.squaredError(Map.of("energy", -0.0102)));
 * }</pre>
 *
 * <p>Every type and member of this package is non-null unless marked
 * {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package org.chemfit.external;

import org.jspecify.annotations.NullMarked;

package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.atoms.PairPotential.CoulombMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relaxed lattice constant of the mgo-buckingham example's crystal at its starting
 * parameters, against LAMMPS's own cell relaxation ({@code fix box/relax iso 0} and
 * {@code minimize}) with the same potential.
 */
class CrystalLammpsIT {

    @TempDir
    Path tmp;

    @Test
    void relaxedLatticeConstantOfMgoMatchesLammpsBoxRelax() throws Exception {
        Atoms mgo = Xyz.read(ExampleData.example("mgo-buckingham").resolve("mgo.xyz"));
        PairPotential p = PairPotential.builder().coulombConstant(EwaldLammpsIT.LAMMPS_K)
                .coulomb(Map.of("Mg", ParameterRef.constant(2), "O", ParameterRef.constant(-2)), CoulombMethod.EWALD, 1e-12)
                .buckingham("Mg", "O", ParameterRef.constant(821.6), ParameterRef.constant(0.3242), ParameterRef.constant(0), 10.0, false)
                .buckingham("O", "O", ParameterRef.constant(22764.0), ParameterRef.constant(0.149), ParameterRef.constant(27.88), 10.0,
                        false)
                .build();
        Quantities q = new CubicCrystalComputer(mgo, 4, p).compute(Parameters.of(Map.of()));
        LammpsReference.Result ref = LammpsReference.run(tmp, mgo, List.of("Mg", "O"), new double[] {2, -2}, false,
                "pair_style buck/coul/long 10.0 12.0\npair_coeff 1 1 0.0 1.0 0.0\npair_coeff 1 2 821.6 0.3242 0.0\n"
                        + "pair_coeff 2 2 22764.0 0.149 27.88\nkspace_style ewald 1e-12\npair_modify table 0\n"
                        + "fix relax all box/relax iso 0.0 vmax 0.001\nmin_modify line quadratic\n"
                        + "minimize 0.0 1e-12 10000 100000\nvariable a equal lx\nprint \"LATTICE ${a}\"\nunfix relax");
        double a = Files.readAllLines(tmp.resolve("log.lammps")).stream().filter(l -> l.startsWith("LATTICE "))
                .mapToDouble(l -> Double.parseDouble(l.substring(8).trim())).findFirst().orElseThrow();
        assertTrue(a > 4.0 && a < 4.5, "LAMMPS relaxed to " + a);
        assertEquals(a, q.get("lattice_constant"), 1e-4);
        assertEquals(ref.energy() / 4, q.get("lattice_energy"), 1e-6 * Math.abs(ref.energy()));
    }
}

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
        PairPotential p = PairPotential.builder()
                .coulombConstant(EwaldLammpsIT.LAMMPS_K)
                .coulomb(
                        Map.of("Mg", ParameterRef.constant(2), "O", ParameterRef.constant(-2)),
                        CoulombMethod.EWALD,
                        1e-12)
                .buckingham(
                        "Mg",
                        "O",
                        ParameterRef.constant(1285.0),
                        ParameterRef.constant(0.300),
                        ParameterRef.constant(0),
                        12.0,
                        false)
                .buckingham(
                        "O",
                        "O",
                        ParameterRef.constant(22764.0),
                        ParameterRef.constant(0.149),
                        ParameterRef.constant(27.8),
                        12.0,
                        false)
                .build();
        Quantities q = new CubicCrystalComputer(mgo, 4, p).compute(Parameters.of(Map.of()));
        LammpsReference.Result ref = LammpsReference.run(
                tmp,
                mgo,
                List.of("Mg", "O"),
                new double[] {2, -2},
                false,
                "pair_style buck/coul/long 12.0 12.0\npair_coeff 1 1 0.0 1.0 0.0\npair_coeff 1 2 1285.0 0.300 0.0\n"
                        + "pair_coeff 2 2 22764.0 0.149 27.8\nkspace_style ewald 1e-12\npair_modify table 0\n"
                        + "fix relax all box/relax iso 0.0 vmax 0.001\nmin_modify line quadratic\n"
                        + "minimize 0.0 1e-12 10000 100000\nvariable a equal lx\nprint \"LATTICE ${a}\"\nunfix relax");
        double a = Files.readAllLines(tmp.resolve("log.lammps")).stream()
                .filter(l -> l.startsWith("LATTICE "))
                .mapToDouble(l -> Double.parseDouble(l.substring(8).trim()))
                .findFirst()
                .orElseThrow();
        assertTrue(a > 4.0 && a < 4.5, "LAMMPS relaxed to " + a);
        assertEquals(a, q.get("lattice_constant"), 1e-4);
        assertEquals(ref.energy() / 4, q.get("lattice_energy"), 1e-6 * Math.abs(ref.energy()));
    }

    /**
     * The example's fitted model (partial charges ±1.7684 e, the Mg-O repulsion of its README):
     * lattice constant and C11, C12, C44 against LAMMPS's box relaxation followed by strains of
     * ±1e-4 of the relaxed box (ε_xx by {@code change_box x scale}, γ_xy by the tilt xy), the
     * elastic constants from the change of its pressure tensor.
     */
    @Test
    void fittedMgoModelGivesLammpsLatticeAndElasticConstants() throws Exception {
        double a0 = 1037.8057650154374;
        double rho = 0.2992297608901959;
        double charge = 1.7684270438627858;
        Atoms mgo = Xyz.read(ExampleData.example("mgo-buckingham").resolve("mgo.xyz"));
        PairPotential p = PairPotential.builder()
                .coulombConstant(EwaldLammpsIT.LAMMPS_K)
                .coulomb(
                        Map.of("Mg", ParameterRef.constant(charge), "O", ParameterRef.constant(-charge)),
                        CoulombMethod.EWALD,
                        1e-12)
                .buckingham(
                        "Mg",
                        "O",
                        ParameterRef.constant(a0),
                        ParameterRef.constant(rho),
                        ParameterRef.constant(0),
                        12.0,
                        false)
                .buckingham(
                        "O",
                        "O",
                        ParameterRef.constant(22764.0),
                        ParameterRef.constant(0.149),
                        ParameterRef.constant(27.8),
                        12.0,
                        false)
                .build();
        Quantities q = new CubicCrystalComputer(mgo, 4, p).compute(Parameters.of(Map.of()));
        String strains = "change_box all triclinic\n"
                + "change_box all x scale 1.0001 remap\nrun 0\nprint \"XPLUS $(pxx:%.15g) $(pyy:%.15g)\"\n"
                + "change_box all x scale $(0.9999/1.0001:%.17g) remap\nrun 0\nprint \"XMINUS $(pxx:%.15g) $(pyy:%.15g)\"\n"
                + "change_box all x scale $(1.0/0.9999:%.17g) remap\n"
                + "change_box all xy final $(1e-4*ly:%.17g) remap\nrun 0\nprint \"SPLUS $(pxy:%.15g)\"\n"
                + "change_box all xy final $(-1e-4*ly:%.17g) remap\nrun 0\nprint \"SMINUS $(pxy:%.15g)\"\n"
                + "change_box all xy final 0.0 remap";
        LammpsReference.run(
                tmp,
                mgo,
                List.of("Mg", "O"),
                new double[] {charge, -charge},
                false,
                "pair_style buck/coul/long 12.0 12.0\npair_coeff 1 1 0.0 1.0 0.0\npair_coeff 1 2 " + a0 + " " + rho
                        + " 0.0\n"
                        + "pair_coeff 2 2 22764.0 0.149 27.8\nkspace_style ewald 1e-12\npair_modify table 0\n"
                        + "thermo_style custom step pe pxx pyy pzz pxy\n"
                        + "fix relax all box/relax iso 0.0 vmax 0.001\nmin_modify line quadratic\n"
                        + "minimize 0.0 1e-12 10000 100000\nunfix relax\nprint \"LATTICE $(lx:%.15g)\"\n" + strains);
        List<String> log = Files.readAllLines(tmp.resolve("log.lammps"));
        double a = printed(log, "LATTICE")[0];
        double[] xp = printed(log, "XPLUS");
        double[] xm = printed(log, "XMINUS");
        double[] sp = printed(log, "SPLUS");
        double[] sm = printed(log, "SMINUS");
        // stress = -pressure; bar -> GPa is 1e-4; strains of +-1e-4
        double c11 = -(xp[0] - xm[0]) / 2e-4 * 1e-4;
        double c12 = -(xp[1] - xm[1]) / 2e-4 * 1e-4;
        double c44 = -(sp[0] - sm[0]) / 2e-4 * 1e-4;
        assertTrue(c11 > 200 && c11 < 400, "LAMMPS gave C11 = " + c11);
        assertEquals(a, q.get("lattice_constant"), 1e-5);
        assertEquals(c11, q.get("C11"), 1e-3 * c11);
        assertEquals(c12, q.get("C12"), 1e-3 * c11);
        assertEquals(c44, q.get("C44"), 1e-3 * c11);
    }

    /**
     * Zincblende (ZnS, formal charges, Buckingham), whose S atoms sit off centres of symmetry, so
     * that a shear moves them within the cell: C44 against LAMMPS's, with positions minimised in
     * the box sheared by γ_xy = ±1e-4 ({@code minimize 0 1e-13}). The Ewald splitting is LAMMPS's
     * exact one here ({@code gewald 2.5} with a real-space cutoff of 2.4 Å, where its tabulated
     * erfc would otherwise differ by about 1e-6). A crystal term whose strained relaxations stopped
     * at a force of 1e-7 eV/Å gave C44 2.8e-5 too stiff.
     */
    @Test
    void shearOfZincblendeRelaxesItsAtomsAsLammpsDoes() throws Exception {
        double a0 = 5.41;
        List<String> species = new java.util.ArrayList<>();
        double[][] positions = new double[8][];
        double[][] fcc = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
        for (int i = 0; i < 4; i++) {
            species.add("Zn");
            positions[i] = new double[] {fcc[i][0] * a0, fcc[i][1] * a0, fcc[i][2] * a0};
        }
        for (int i = 0; i < 4; i++) {
            species.add("S");
            positions[4 + i] = new double[] {(fcc[i][0] + 0.25) * a0, (fcc[i][1] + 0.25) * a0, (fcc[i][2] + 0.25) * a0};
        }
        Atoms zns = Atoms.of(species, positions)
                .withCell(new double[][] {{a0, 0, 0}, {0, a0, 0}, {0, 0, a0}}, true, true, true);
        PairPotential p = PairPotential.builder()
                .coulombConstant(EwaldLammpsIT.LAMMPS_K)
                .coulomb(
                        Map.of("Zn", ParameterRef.constant(2), "S", ParameterRef.constant(-2)),
                        CoulombMethod.EWALD,
                        1e-10)
                .buckingham(
                        "Zn",
                        "S",
                        ParameterRef.constant(613.36),
                        ParameterRef.constant(0.3399),
                        ParameterRef.constant(0),
                        10.0,
                        false)
                .buckingham(
                        "S",
                        "S",
                        ParameterRef.constant(1200.0),
                        ParameterRef.constant(0.149),
                        ParameterRef.constant(120.0),
                        10.0,
                        false)
                .build();
        Quantities q = new CubicCrystalComputer(zns, 4, p).compute(Parameters.of(Map.of()));
        double a = q.get("lattice_constant");
        // LAMMPS from ChemFit's relaxed cell (the lattice constants agree to 1e-5 above), positions
        // minimised in each sheared box
        Atoms relaxed = Atoms.of(species, scaled(positions, a / a0))
                .withCell(new double[][] {{a, 0, 0}, {0, a, 0}, {0, 0, a}}, true, true, true);
        String shears = "change_box all triclinic\n"
                + "change_box all xy final $(1e-4*ly:%.17g) remap\nmin_style cg\nminimize 0.0 1e-13 100000 1000000\n"
                + "print \"SPLUS $(pxy:%.15g)\"\n"
                + "change_box all xy final $(-1e-4*ly:%.17g) remap\nminimize 0.0 1e-13 100000 1000000\n"
                + "print \"SMINUS $(pxy:%.15g)\"\n";
        LammpsReference.run(
                tmp,
                relaxed,
                List.of("Zn", "S"),
                new double[] {2, -2},
                false,
                "pair_style buck/coul/long 10.0 2.4\npair_coeff 1 1 0.0 1.0 0.0\npair_coeff 1 2 613.36 0.3399 0.0\n"
                        + "pair_coeff 2 2 1200.0 0.149 120.0\nkspace_style ewald 1e-10\n"
                        + "kspace_modify gewald 2.5 kmax/ewald 30 30 30\npair_modify table 0\n"
                        + "thermo_style custom step pe pxx pyy pzz pxy\n" + shears);
        List<String> log = Files.readAllLines(tmp.resolve("log.lammps"));
        double c44 = -(printed(log, "SPLUS")[0] - printed(log, "SMINUS")[0]) / 2e-4 * 1e-4;
        assertTrue(c44 > 100 && c44 < 130, "LAMMPS gave C44 = " + c44);
        assertEquals(c44, q.get("C44"), 1e-6 * c44, "C44, GPa, against LAMMPS's relaxed shear");
    }

    private static double[][] scaled(double[][] positions, double s) {
        double[][] out = new double[positions.length][];
        for (int i = 0; i < positions.length; i++) {
            out[i] = new double[] {positions[i][0] * s, positions[i][1] * s, positions[i][2] * s};
        }
        return out;
    }

    private static double[] printed(List<String> log, String key) {
        String line = log.stream()
                .filter(l -> l.startsWith(key + " "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("LAMMPS printed no " + key + " line"));
        String[] f = line.substring(key.length()).trim().split("\\s+");
        double[] v = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            v[i] = Double.parseDouble(f[i]);
        }
        return v;
    }
}

package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.chemfit.Parameters;
import org.chemfit.atoms.PairPotential.CoulombMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ewald energies, forces and stress against the real LAMMPS ({@code kspace_style ewald}). */
class EwaldLammpsIT {

    /** LAMMPS's Coulomb constant in metal units (qqr2e), used here so both sides use the same one. */
    static final double LAMMPS_K = 14.399645;

    static final double REL = 1e-6;

    @TempDir
    Path tmp;

    static final Parameters NONE = EwaldTest.NONE;

    @Test
    void rockSaltWithBuckinghamMatchesBuckCoulLong() throws Exception {
        // NaCl, Buckingham from Catlow, Diller and Norgett (1977) style magnitudes; unshifted cutoff 9 Å
        Atoms nacl = EwaldTest.distorted(
                EwaldTest.rockSalt(5.64), new double[][] {{5.64, 0, 0}, {0, 5.64, 0}, {0, 0, 5.64}}, 11);
        PairPotential p = EwaldTest.rockSaltBuckingham(
                        PairPotential.builder()
                                .coulombConstant(LAMMPS_K)
                                .coulomb(EwaldTest.NACL_CHARGES, CoulombMethod.EWALD, 1e-14),
                        9.0,
                        true)
                .build();
        LammpsReference.Result ref = LammpsReference.run(
                tmp.resolve("nacl"),
                nacl,
                List.of("Na", "Cl"),
                new double[] {1, -1},
                false,
                "pair_style buck/coul/long 9.0 12.0\npair_coeff 1 1 0.0 1.0 0.0\npair_coeff 1 2 1170.0 0.3290 0.0\n"
                        + "pair_coeff 2 2 3199.0 0.3123 72.0\nkspace_style ewald 1e-14\npair_modify table 0");
        compare(p, nacl, NONE, ref);
    }

    @Test
    void perfectRockSaltMatchesCoulLong() throws Exception {
        Atoms nacl = EwaldTest.rockSalt(5.64);
        PairPotential p = PairPotential.builder()
                .coulombConstant(LAMMPS_K)
                .coulomb(EwaldTest.NACL_CHARGES, CoulombMethod.EWALD, 1e-14)
                .build();
        LammpsReference.Result ref = LammpsReference.run(
                tmp.resolve("nacl0"),
                nacl,
                List.of("Na", "Cl"),
                new double[] {1, -1},
                false,
                "pair_style coul/long 12.0\npair_coeff * *\nkspace_style ewald 1e-14\npair_modify table 0");
        compare(p, nacl, NONE, ref);
    }

    @Test
    void waterBoxWithIntramolecularPairsMatchesLjCutCoulLong() throws Exception {
        Atoms water = WaterBox.build(27, 9.4, 5);
        PairPotential p = withLammpsK(false);
        LammpsReference.Result ref = LammpsReference.run(
                tmp.resolve("water"), water, List.of("O", "H"), new double[] {-0.834, 0.417}, false, ljCoulLong());
        compare(p, water, WaterBox.PARAMS, ref);
    }

    /**
     * With intramolecular pairs excluded the energy is a small difference of large Coulomb terms
     * (here -1.2 eV out of -238 eV). LAMMPS evaluates erfc with the Abramowitz-Stegun 7.1.26
     * polynomial (absolute error 1.5e-7), which limits its own accuracy to about 1e-7 of the
     * Coulomb energy, so this comparison is relative to the size of the full Coulomb energy,
     * forces and stress (those of the same box without exclusions).
     */
    @Test
    void waterBoxWithIntramolecularPairsExcludedMatchesSpecialBonds() throws Exception {
        Atoms water = WaterBox.build(27, 9.4, 5);
        PairPotential p = withLammpsK(true);
        LammpsReference.Result all = LammpsReference.run(
                tmp.resolve("water"), water, List.of("O", "H"), new double[] {-0.834, 0.417}, false, ljCoulLong());
        LammpsReference.Result ref = LammpsReference.run(
                tmp.resolve("waterx"),
                water,
                List.of("O", "H"),
                new double[] {-0.834, 0.417},
                true,
                ljCoulLong() + "\nspecial_bonds lj/coul 0.0 0.0 0.0");
        compare(p, water, WaterBox.PARAMS, ref, all);
    }

    @Test
    void triclinicWaterBoxWithExclusionsMatchesSpecialBonds() throws Exception {
        Atoms cubic = WaterBox.build(27, 9.4, 9);
        double[][] cell = {{9.4, 0, 0}, {3.0, 9.1, 0}, {-2.5, 2.0, 9.6}};
        double[][] x = new double[cubic.size()][3];
        for (int i = 0; i < cubic.size(); i++) {
            double[] r = cubic.position(i);
            for (int c = 0; c < 3; c++) {
                x[i][c] = r[0] / 9.4 * cell[0][c] + r[1] / 9.4 * cell[1][c] + r[2] / 9.4 * cell[2][c];
            }
        }
        Atoms water = Atoms.of(cubic.speciesList(), x)
                .withCell(cell, true, true, true)
                .withConsecutiveMolecules(3);
        PairPotential p = withLammpsK(true);
        LammpsReference.Result all = LammpsReference.run(
                tmp.resolve("twater"), water, List.of("O", "H"), new double[] {-0.834, 0.417}, false, ljCoulLong());
        LammpsReference.Result ref = LammpsReference.run(
                tmp.resolve("twaterx"),
                water,
                List.of("O", "H"),
                new double[] {-0.834, 0.417},
                true,
                ljCoulLong() + "\nspecial_bonds lj/coul 0.0 0.0 0.0");
        compare(withLammpsK(false), water, WaterBox.PARAMS, all);
        compare(p, water, WaterBox.PARAMS, ref, all);
    }

    @Test
    void aChargedCellWithItsNeutralisingBackgroundMatchesCoulLong() throws Exception {
        Atoms neutral = EwaldTest.distorted(
                EwaldTest.rockSalt(5.64), new double[][] {{5.64, 0, 0}, {0, 5.9, 0}, {0, 0, 6.2}}, 31);
        double[] x = java.util.Arrays.copyOf(neutral.positions(), 3 * 9);
        x[24] = 1.4;
        x[25] = 1.5;
        x[26] = 1.6;
        List<String> species = new java.util.ArrayList<>(neutral.speciesList());
        species.add("Na");
        Atoms charged = Atoms.ofFlat(species.toArray(new String[0]), x).withCell(neutral.cell(), true, true, true);
        PairPotential p = PairPotential.builder()
                .coulombConstant(LAMMPS_K)
                .coulomb(EwaldTest.NACL_CHARGES, CoulombMethod.EWALD, 1e-14)
                .build();
        LammpsReference.Result ref = LammpsReference.run(
                tmp.resolve("charged"),
                charged,
                List.of("Na", "Cl"),
                new double[] {1, -1},
                false,
                "pair_style coul/long 12.0\npair_coeff * *\nkspace_style ewald 1e-14\npair_modify table 0");
        // LAMMPS's pressure leaves out the background's dependence on the volume; its energy and
        // forces include the background. Put that term, with LAMMPS's own splitting parameter,
        // back into its stress: k π Q² / (2 V² g²) on the diagonal.
        double g = java.nio.file.Files.readAllLines(tmp.resolve("charged/log.lammps")).stream()
                .filter(l -> l.trim().startsWith("G vector"))
                .mapToDouble(
                        l -> Double.parseDouble(l.substring(l.indexOf('=') + 1).trim()))
                .findFirst()
                .orElseThrow();
        double v = charged.volume();
        double[] stress = ref.stress();
        for (int a = 0; a < 3; a++) {
            stress[4 * a] += LAMMPS_K * Math.PI / (2 * v * v * g * g);
        }
        compare(p, charged, NONE, new LammpsReference.Result(ref.energy(), ref.forces(), stress));
    }

    @Test
    void triclinicIonicCellMatchesBuckCoulLong() throws Exception {
        Atoms cell = EwaldTest.triclinicNaCl();
        PairPotential p = EwaldTest.rockSaltBuckingham(
                        PairPotential.builder()
                                .coulombConstant(LAMMPS_K)
                                .coulomb(EwaldTest.NACL_CHARGES, CoulombMethod.EWALD, 1e-14),
                        8.0,
                        false)
                .build();
        LammpsReference.Result ref = LammpsReference.run(
                tmp.resolve("tric"),
                cell,
                List.of("Na", "Cl"),
                new double[] {1, -1},
                false,
                "pair_style buck/coul/long 8.0 12.0\npair_coeff 1 1 0.0 1.0 0.0\npair_coeff 1 2 1170.0 0.3290 0.0\n"
                        + "pair_coeff 2 2 0.0 1.0 0.0\nkspace_style ewald 1e-14\npair_modify table 0");
        compare(p, cell, NONE, ref);
    }

    private static String ljCoulLong() {
        double eps = WaterBox.PARAMS.get("eps");
        return String.format(
                java.util.Locale.ROOT,
                "pair_style lj/cut/coul/long %s 12.0\npair_coeff 1 1 %.17g 3.1507\n"
                        + "pair_coeff 1 2 0.0 1.0\npair_coeff 2 2 0.0 1.0\nkspace_style ewald 1e-14\npair_modify table 0",
                WaterBox.LJ_CUTOFF,
                eps);
    }

    private static PairPotential withLammpsK(boolean exclude) {
        PairPotential.Builder b = PairPotential.builder()
                .coulombConstant(LAMMPS_K)
                .lennardJones("O", "O", ParameterRef.of("eps"), ParameterRef.of("sigma"), WaterBox.LJ_CUTOFF, false)
                .coulomb(
                        Map.of("H", ParameterRef.of("qH"), "O", ParameterRef.scaled("qH", -2)),
                        CoulombMethod.EWALD,
                        1e-14);
        if (exclude) {
            b.excludeIntramolecular();
        }
        return b.build();
    }

    static void compare(Potential p, Atoms atoms, Parameters params, LammpsReference.Result ref) {
        compare(p, atoms, params, ref, ref);
    }

    /** Compares with {@code ref} to REL times the sizes found in {@code scale}. */
    static void compare(
            Potential p, Atoms atoms, Parameters params, LammpsReference.Result ref, LammpsReference.Result scale) {
        double[] f = new double[3 * atoms.size()];
        double[] s = new double[9];
        double e = p.energyForcesStress(atoms, params, f, s);
        assertEquals(ref.energy(), e, REL * Math.abs(scale.energy()), "energy");
        double fmax = 0;
        for (double x : scale.forces()) {
            fmax = Math.max(fmax, Math.abs(x));
        }
        for (int k = 0; k < f.length; k++) {
            assertEquals(ref.forces()[k], f[k], Math.max(REL * fmax, 1e-9), "force component " + k);
        }
        double smax = 0;
        for (double x : scale.stress()) {
            smax = Math.max(smax, Math.abs(x));
        }
        for (int k = 0; k < 9; k++) {
            assertEquals(ref.stress()[k], s[k], Math.max(REL * smax, 1e-12), "stress component " + k);
        }
    }
}

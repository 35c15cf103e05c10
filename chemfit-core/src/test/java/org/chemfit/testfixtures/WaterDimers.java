package org.chemfit.testfixtures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The TIP3P-form energy of the water dimers of {@code examples/water-dimer/data}, summed here by
 * hand from the published model and the SI constants, independently of the library's pair sums and
 * readers: the reference the water-dimer tests compare the fit's errors with. Shared with the tests
 * of the other modules through core's test jar.
 *
 * <p>TIP3P: W. L. Jorgensen, J. Chandrasekhar, J. D. Madura, R. W. Impey and M. L. Klein, J. Chem.
 * Phys. 79, 926 (1983): epsilon_OO 0.1521 kcal/mol, sigma_OO 3.15061 Å, q_H 0.417 e (q_O = -2 q_H).
 */
public final class WaterDimers {

    /** The elementary charge in C (exact in the SI since 2019). */
    private static final double E = 1.602176634e-19;

    /** The vacuum permittivity in F/m (CODATA 2018). */
    private static final double EPSILON_0 = 8.8541878128e-12;

    /** The Avogadro constant in 1/mol (exact in the SI since 2019). */
    private static final double N_A = 6.02214076e23;

    /** e² / (4 π ε0) in eV Å: e / (4 π ε0 r) in V at r = 1 Å = 1e-10 m, times e, is in eV. */
    public static final double COULOMB_EV_A = E / (4 * Math.PI * EPSILON_0 * 1e-10);

    /** 1 kcal/mol in eV: 4184 J (the thermochemical calorie) per mole, divided by N_A and e. */
    public static final double KCAL_PER_MOL_IN_EV = 4184.0 / (N_A * E);

    /** TIP3P's epsilon_OO, 0.1521 kcal/mol, in eV. */
    public static final double TIP3P_EPSILON = 0.1521 * KCAL_PER_MOL_IN_EV;

    /** TIP3P's sigma_OO in Å. */
    public static final double TIP3P_SIGMA = 3.15061;

    /** TIP3P's hydrogen charge in e. */
    public static final double TIP3P_QH = 0.417;

    private WaterDimers() {}

    /**
     * The energy of one dimer: Coulomb between the 3 × 3 charges of the two molecules and
     * Lennard-Jones between the two oxygens; pairs within a molecule (rigid) do not count.
     *
     * @param xyz an extended XYZ file of 6 atoms, O H H O H H, positions in Å
     * @param epsilon the Lennard-Jones well depth in eV
     * @param sigma the Lennard-Jones diameter in Å
     * @param qH the hydrogen charge in e
     * @return the energy in eV
     */
    public static double energy(Path xyz, double epsilon, double sigma, double qH) {
        List<String> lines;
        try {
            lines = Files.readAllLines(xyz);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        double[][] x = new double[6][3];
        double[] q = new double[6];
        for (int i = 0; i < 6; i++) {
            String[] f = lines.get(2 + i).trim().split("\\s+");
            q[i] = switch (f[0]) {
                case "O" -> -2 * qH;
                case "H" -> qH;
                default -> throw new IllegalArgumentException(xyz + ": atom " + f[0] + " is not O or H");
            };
            for (int c = 0; c < 3; c++) {
                x[i][c] = Double.parseDouble(f[1 + c]);
            }
        }
        double e = 0;
        for (int i = 0; i < 3; i++) {
            for (int j = 3; j < 6; j++) {
                e += COULOMB_EV_A * q[i] * q[j] / dist(x[i], x[j]);
            }
        }
        double s6 = Math.pow(sigma / dist(x[0], x[3]), 6);
        return e + 4 * epsilon * (s6 * s6 - s6);
    }

    /**
     * @param data the folder of the CSV and the XYZ files
     * @param csv a CSV of the example: row index, file (relative to data), reference_energy (eV), tag
     * @param epsilon the Lennard-Jones well depth in eV
     * @param sigma the Lennard-Jones diameter in Å
     * @param qH the hydrogen charge in e
     * @return the sum over the dimers of the squared error of the model energy, in eV²
     */
    public static double squaredError(Path data, String csv, double epsilon, double sigma, double qH) {
        List<String> rows;
        try {
            rows = Files.readAllLines(data.resolve(csv));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        double sum = 0;
        for (String row : rows.subList(1, rows.size())) {
            if (row.isBlank()) {
                continue;
            }
            String[] f = row.split(",");
            double d = energy(data.resolve(f[1]), epsilon, sigma, qH) - Double.parseDouble(f[2]);
            sum += d * d;
        }
        return sum;
    }

    /**
     * @param data the folder of the CSV and the XYZ files
     * @param csv a CSV of the example
     * @return the number of dimers the CSV lists
     */
    public static int count(Path data, String csv) {
        try {
            return (int) Files.readAllLines(data.resolve(csv)).stream()
                    .skip(1)
                    .filter(l -> !l.isBlank())
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double dist(double[] a, double[] b) {
        double dx = a[0] - b[0];
        double dy = a[1] - b[1];
        double dz = a[2] - b[2];
        return Math.sqrt(dx * dx + dy * dy + dz * dz);
    }
}

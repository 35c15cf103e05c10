// Generates the reference data of the argon example: the Ar-Ar interaction energy of the
// HFD-B2 potential of Aziz & Slaman (Mol. Phys. 58, 679 (1986)) at 46 separations: one XYZ file
// per dimer in data/dimers/, and data/ar2-energies.csv listing them with their energy V/k_B in
// kelvin (ChemFit's reference-CSV layout: file, reference_energy, tag).
//
// Run from this folder with:   java GenerateCurve.java
//
// The HFD-B2 form, in reduced units x = r / r_m and V* = V / epsilon:
//   V*(x) = A* exp(-alpha* x + beta* x^2) - F(x) (C6 / x^6 + C8 / x^8 + C10 / x^10)
//   F(x)  = exp(-(D / x - 1)^2) for x < D, 1 otherwise
// Every number below is a figure of the paper's HFD-B2 parameter set; nothing else is taken from it.

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

public class GenerateCurve {
    static final double EPSILON_K = 143.224;     // well depth epsilon/k_B, K
    static final double R_M = 3.7565;            // position of the minimum r_m, Angstrom
    static final double A = 2.26210716e5;
    static final double ALPHA = 10.77874743;
    static final double BETA = -1.8122004;
    static final double C6 = 1.10785136;
    static final double C8 = 0.56072459;
    static final double C10 = 0.34602794;
    static final double D = 1.36;

    static double reduced(double x) {
        double f = x < D ? Math.exp(-Math.pow(D / x - 1, 2)) : 1.0;
        return A * Math.exp(-ALPHA * x + BETA * x * x) - f * (C6 / Math.pow(x, 6) + C8 / Math.pow(x, 8) + C10 / Math.pow(x, 10));
    }

    /** @return V(r)/k_B in kelvin */
    static double energy(double r) {
        return EPSILON_K * reduced(r / R_M);
    }

    public static void main(String[] args) throws IOException {
        // The published set must put the minimum at x = 1 with depth 1: a check on the transcription.
        double h = 1e-6;
        double slope = (reduced(1 + h) - reduced(1 - h)) / (2 * h);
        if (Math.abs(reduced(1) + 1) > 1e-6 || Math.abs(slope) > 1e-5) {
            throw new IllegalStateException("parameters do not give V*(1) = -1, V*'(1) = 0: " + reduced(1) + ", " + slope);
        }
        Path data = Path.of("data");
        Files.createDirectories(data.resolve("dimers"));
        try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(data.resolve("ar2-energies.csv")))) {
            csv.println("file,reference_energy,tag,r");
            for (int i = 0; i <= 45; i++) {
                double r = 3.3 + 0.1 * i;
                String name = String.format(Locale.ROOT, "dimers/ar2_%.2f.xyz", r);
                try (PrintWriter xyz = new PrintWriter(Files.newBufferedWriter(data.resolve(name)))) {
                    xyz.println(2);
                    xyz.printf(Locale.ROOT, "Ar2 dimer r=%.2f Angstrom%n", r);
                    xyz.println("Ar 0.0 0.0 0.0");
                    xyz.printf(Locale.ROOT, "Ar %.4f 0.0 0.0%n", r);
                }
                csv.printf(Locale.ROOT, "%s,%.6f,r%.2f,%.2f%n", name, energy(r), r, r);
            }
        }
        System.out.printf(Locale.ROOT, "wrote 46 dimers; V(r_m)/k_B = %.4f K at r_m = %.4f A%n", energy(R_M), R_M);
    }
}

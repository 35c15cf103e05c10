// Prints the reference values of the argon-lammps example: the energy and the force on atom 2 of
// an argon dimer at 3.5, 3.8 and 4.5 Angstrom, from the HFD-B2 potential of Aziz & Slaman
// (Mol. Phys. 58, 679 (1986)), in LAMMPS metal units (eV, eV/Angstrom).
//
// Run from this folder with:   java GenerateReference.java
//
// The formula and its parameters are those of ../argon/GenerateCurve.java (see ../argon/README.md
// for the source of every figure). Kelvin become eV with k_B = 8.617333262e-5 eV/K (CODATA 2018,
// exact in the SI). The force on atom 2, at +r on the x axis, is -dV/dr, taken by a central
// difference with a step of 1e-6 Angstrom.

import java.util.Locale;

public class GenerateReference {
    static final double EPSILON_K = 143.224;
    static final double R_M = 3.7565;
    static final double A = 2.26210716e5;
    static final double ALPHA = 10.77874743;
    static final double BETA = -1.8122004;
    static final double C6 = 1.10785136;
    static final double C8 = 0.56072459;
    static final double C10 = 0.34602794;
    static final double D = 1.36;
    static final double K_B_EV = 8.617333262e-5;

    static double energyEv(double r) {
        double x = r / R_M;
        double f = x < D ? Math.exp(-Math.pow(D / x - 1, 2)) : 1.0;
        double reduced = A * Math.exp(-ALPHA * x + BETA * x * x) - f * (C6 / Math.pow(x, 6) + C8 / Math.pow(x, 8) + C10 / Math.pow(x, 10));
        return EPSILON_K * reduced * K_B_EV;
    }

    public static void main(String[] args) {
        double h = 1e-6;
        for (double r : new double[] {3.5, 3.8, 4.5}) {
            double force = -(energyEv(r + h) - energyEv(r - h)) / (2 * h);
            System.out.printf(Locale.ROOT, "r = %.1f A: reference: {energy: %.6e, force: %.6e}%n", r, energyEv(r), force);
        }
    }
}

package org.chemfit.atoms;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.chemfit.Parameters;
import org.chemfit.atoms.PairPotential.CoulombMethod;

/** A periodic box of rigid TIP3P-geometry water molecules on a grid with random orientations. */
final class WaterBox {

    /** TIP3P: qH = 0.417 e, O-O Lennard-Jones ε = 0.1521 kcal/mol, σ = 3.1507 Å. */
    static final Parameters PARAMS = Parameters.of(Map.of("qH", 0.417, "eps", 0.1521 * 0.0433641043, "sigma", 3.1507));

    static final double LJ_CUTOFF = 6.0;

    private WaterBox() {}

    /** @param molecules a cube number of molecules; side: the box edge in Å */
    static Atoms build(int molecules, double side, long seed) {
        int g = (int) Math.round(Math.cbrt(molecules));
        double spacing = side / g;
        Random rnd = new Random(seed);
        double r = 0.9572;
        double half = Math.toRadians(104.52) / 2;
        List<String> s = new ArrayList<>();
        List<double[]> p = new ArrayList<>();
        for (int m = 0; m < molecules; m++) {
            double[] o = {(m % g + 0.5) * spacing, (m / g % g + 0.5) * spacing, (m / (g * g) + 0.5) * spacing};
            // a random orthonormal frame
            double[] u = unit(new double[] {rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian()});
            double[] w = unit(new double[] {rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian()});
            double dot = u[0] * w[0] + u[1] * w[1] + u[2] * w[2];
            double[] v = unit(new double[] {w[0] - dot * u[0], w[1] - dot * u[1], w[2] - dot * u[2]});
            s.add("O");
            p.add(o);
            for (int sign = -1; sign <= 1; sign += 2) {
                double cu = r * Math.cos(half);
                double cv = sign * r * Math.sin(half);
                s.add("H");
                p.add(new double[] {
                    o[0] + cu * u[0] + cv * v[0], o[1] + cu * u[1] + cv * v[1], o[2] + cu * u[2] + cv * v[2]
                });
            }
        }
        return Atoms.of(s, p.toArray(new double[0][]))
                .withCell(new double[][] {{side, 0, 0}, {0, side, 0}, {0, 0, side}}, true, true, true)
                .withConsecutiveMolecules(3);
    }

    static PairPotential potential(boolean exclude) {
        PairPotential.Builder b = PairPotential.builder()
                .lennardJones("O", "O", ParameterRef.of("eps"), ParameterRef.of("sigma"), LJ_CUTOFF, false)
                .coulomb(
                        Map.of("H", ParameterRef.of("qH"), "O", ParameterRef.scaled("qH", -2)),
                        CoulombMethod.EWALD,
                        1e-14);
        if (exclude) {
            b.excludeIntramolecular();
        }
        return b.build();
    }

    private static double[] unit(double[] a) {
        double l = Math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
        return new double[] {a[0] / l, a[1] / l, a[2] / l};
    }
}

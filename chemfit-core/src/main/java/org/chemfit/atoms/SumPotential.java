package org.chemfit.atoms;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.chemfit.Parameters;
import org.jspecify.annotations.Nullable;

/** The sum of potentials; immutable. */
final class SumPotential implements Potential {

    private final List<Potential> parts;

    SumPotential(List<? extends Potential> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a sum of potentials needs at least one potential, got none");
        }
        this.parts = List.copyOf(parts);
    }

    @Override
    public double energyAndForces(Atoms atoms, Parameters params, double @Nullable [] forces) {
        double e = 0;
        double[] tmp = forces == null ? null : new double[forces.length];
        if (forces != null) {
            java.util.Arrays.fill(forces, 0.0);
        }
        for (Potential p : parts) {
            e += p.energyAndForces(atoms, params, tmp);
            if (forces != null && tmp != null) {
                for (int i = 0; i < forces.length; i++) {
                    forces[i] += tmp[i];
                }
            }
        }
        return e;
    }

    @Override
    public double energyForcesStress(Atoms atoms, Parameters params, double @Nullable [] forces, double[] stress) {
        double e = 0;
        double[] tmp = forces == null ? null : new double[forces.length];
        double[] s = new double[9];
        double[] total = new double[9];
        for (Potential p : parts) {
            e += p.energyForcesStress(atoms, params, tmp, s);
            for (int a = 0; a < 9; a++) {
                total[a] += s[a];
            }
            if (forces != null && tmp != null) {
                if (p == parts.get(0)) {
                    java.util.Arrays.fill(forces, 0.0);
                }
                for (int i = 0; i < forces.length; i++) {
                    forces[i] += tmp[i];
                }
            }
        }
        System.arraycopy(total, 0, stress, 0, 9);
        return e;
    }

    @Override
    public Set<String> parameterNames() {
        Set<String> s = new LinkedHashSet<>();
        for (Potential p : parts) {
            s.addAll(p.parameterNames());
        }
        return s;
    }

    @Override
    public String toString() {
        return "sum" + parts;
    }
}

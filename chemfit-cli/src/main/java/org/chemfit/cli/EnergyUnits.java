package org.chemfit.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The energy units an atoms term's {@code unit} may name when its potential has a Coulomb term:
 * the library computes Coulomb's {@code k q_i q_j / r} with k in eV·Å/e², and the term converts k
 * into its own energy unit, so that the Coulomb energy adds up with the short-range terms, whose
 * parameters (epsilon, D, A, C) are in the term's unit already.
 *
 * <p>The factors are one eV in each unit, from the CODATA 2018 values (E. Tiesinga et al., Rev.
 * Mod. Phys. 93, 025010 (2021)): e = 1.602176634e-19 C, N_A = 6.02214076e23 /mol and k_B =
 * 1.380649e-23 J/K are exact in the SI since 2019, and so are the thermochemical calorie (4.184 J)
 * and the factors built from them alone: 1 eV = 96.48533212331002 kJ/mol = 23.06054783061903
 * kcal/mol (e N_A / 4184 J) = 11604.518121550082 K (e / k_B, energies written as E / k_B) =
 * 8065.543937349211 cm^-1 (e / (h c), h = 6.62607015e-34 J s and c = 299792458 m/s exact). The
 * hartree, E_h = 27.211386245988(53) eV, is measured (relative uncertainty 1.9e-12): 1 eV =
 * 0.03674932217565499 E_h, and a rydberg is E_h / 2.
 *
 * <pre>{@code
 * double k = EnergyUnits.coulombConstant("kcal/mol");   // 332.0637132986 kcal/mol Å / e²
 * }</pre>
 *
 * @implNote Stateless.
 */
final class EnergyUnits {

    /**
     * The Coulomb constant e²/(4π ε0) in eV·Å/e² from the CODATA 2018 values, the library's own
     * ({@code PairPotential}'s default).
     */
    static final double COULOMB_EV = 14.3996454784;

    /** One eV in each unit, under each of its spellings (compared as written: meV is not MeV). */
    private static final Map<String, Double> PER_EV = new LinkedHashMap<>();

    /** The units, one spelling each, for messages. */
    static final List<String> NAMES =
            List.of("eV", "meV", "J/mol", "kJ/mol", "kcal/mol", "K", "cm^-1", "hartree", "Ry");

    static {
        put(1.0, "eV");
        put(1e3, "meV");
        put(96485.33212331001, "J/mol", "J mol^-1", "J mol-1");
        put(96.48533212331002, "kJ/mol", "kJ mol^-1", "kJ mol-1");
        put(23.06054783061903, "kcal/mol", "kcal mol^-1", "kcal mol-1");
        put(11604.518121550082, "K", "kelvin");
        put(8065.543937349211, "cm^-1", "cm-1", "1/cm");
        put(0.03674932217565499, "hartree", "Hartree", "Ha", "Eh", "E_h");
        put(0.07349864435130998, "Ry", "rydberg", "Rydberg");
    }

    private EnergyUnits() {}

    private static void put(double perEv, String... spellings) {
        for (String s : spellings) {
            PER_EV.put(s, perEv);
        }
    }

    /**
     * @param unit a term's energy unit as written (surrounding spaces ignored)
     * @return one eV in that unit, or null when it is not one of {@link #NAMES} (or their spellings)
     */
    static @Nullable Double perEv(String unit) {
        return PER_EV.get(unit.strip());
    }

    /**
     * @param unit a term's energy unit
     * @return the Coulomb constant in that unit·Å/e², or null when the unit is not known
     */
    static @Nullable Double coulombConstant(String unit) {
        Double f = perEv(unit);
        return f == null ? null : COULOMB_EV * f;
    }
}

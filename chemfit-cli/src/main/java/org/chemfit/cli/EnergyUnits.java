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

    /** A Buckingham C's unit: an energy unit times Å^6 ({@code eV*A^6}, {@code kcal/mol Å^6}). */
    private static final java.util.regex.Pattern TIMES_R6 =
            java.util.regex.Pattern.compile("(.+?)\\s*[*·. ]\\s*(?:A|Å|Ang|Angstrom)\\^?6");

    /**
     * Warnings for the energy parameters of a potential's pair terms (Lennard-Jones {@code epsilon},
     * Morse {@code D}, Buckingham {@code A} and {@code C}) whose parameter declares an energy unit
     * other than the term's: the pair terms take them in the term's unit as written, and nothing
     * converts a parameter, so such a parameter counts in the term's unit. Said only when both
     * units are known energy units ({@link #NAMES}, a Buckingham C's times Å^6) that differ.
     *
     * @param pairs the potential's pair terms, in order
     * @param items their nodes, in the same order (for their lines)
     * @param listed whether the potential is a list (its items are then numbered)
     * @param parameterUnits the declared unit of each parameter by name
     * @param termUnit the term's energy unit as written, or null when it declares none
     * @param where the term in words ("term 'dimers'")
     * @return one warning per pair term's key and parameter
     */
    static List<String> parameterMismatches(
            List<JobFile.PairTermSpec> pairs,
            List<Node> items,
            boolean listed,
            Map<String, String> parameterUnits,
            @Nullable String termUnit,
            String where) {
        List<String> out = new java.util.ArrayList<>();
        Double perTerm = termUnit == null ? null : perEv(termUnit);
        if (perTerm == null || termUnit == null) {
            return out;
        }
        for (int i = 0; i < pairs.size(); i++) {
            JobFile.PairTermSpec pair = pairs.get(i);
            List<String> keys = switch (pair.form()) {
                case LENNARD_JONES -> List.of("epsilon");
                case MORSE -> List.of("D");
                case BUCKINGHAM -> List.of("A", "C");
                case COULOMB -> List.of();
            };
            for (String key : keys) {
                org.chemfit.atoms.ParameterRef ref = pair.parameters().get(key);
                String name = ref == null ? null : ref.name();
                String declared = name == null ? null : parameterUnits.get(name);
                if (name == null || declared == null) {
                    continue;
                }
                String energy = declared.strip();
                if ("C".equals(key)) {
                    java.util.regex.Matcher m = TIMES_R6.matcher(energy);
                    if (!m.matches()) {
                        continue;
                    }
                    energy = m.group(1);
                }
                Double perParameter = perEv(energy);
                if (perParameter == null || perParameter.equals(perTerm)) {
                    continue;
                }
                String shownTermUnit = "C".equals(key) ? termUnit.strip() + " Å^6" : termUnit.strip();
                int line = i < items.size() ? items.get(i).line : 0;
                out.add(where + " potential" + (listed ? "[" + i + "]" : "") + " (" + JobKeys.word(pair.form())
                        + (line > 0 ? ", line " + line : "") + "): " + key + " is parameter '" + name
                        + "', declared in " + declared.strip() + ", but the term's energies are in "
                        + termUnit.strip() + ": a pair term takes its energy parameters in the term's unit as"
                        + " written, and parameters are not converted, so '" + name + "' counts as "
                        + shownTermUnit + "; give it in " + shownTermUnit + " (one " + energy + " is "
                        + Tables.fmt(perTerm / perParameter) + " " + termUnit.strip() + "), or the term's"
                        + " reference energies and unit in " + energy);
            }
        }
        return out;
    }
}

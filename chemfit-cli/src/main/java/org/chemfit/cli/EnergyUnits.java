package org.chemfit.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chemfit.support.Names;
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
     * Written forms that differ from a known spelling only in case but name another unit or none:
     * {@code MeV} is a million eV, not a thousandth, and {@code k} is a prefix (or Boltzmann's
     * constant), not kelvin.
     */
    private static final java.util.Set<String> CASE_MATTERS = java.util.Set.of("mev", "k");

    /** {@code mole} (as a word, in any case) for {@code mol}. */
    private static final java.util.regex.Pattern MOLE =
            java.util.regex.Pattern.compile("(?<![A-Za-z])mole(?![A-Za-z])", java.util.regex.Pattern.CASE_INSENSITIVE);

    /**
     * @param unit an energy unit as a chemist writes it: surrounding spaces, runs of spaces and spaces
     *     around a {@code /} do not count, {@code mole} (any case) is {@code mol}, and case counts only where it tells units apart
     *     ({@code ev}, {@code Kelvin} and {@code KCAL/MOL} are known; {@code MeV} and {@code k} are not)
     * @return the spelling of {@link #PER_EV} it is, or null when it is none
     */
    private static @Nullable String spelling(String unit) {
        String u = MOLE.matcher(unit.strip().replaceAll("\\s+", " ").replaceAll(" ?/ ?", "/"))
                .replaceAll("mol");
        if (PER_EV.containsKey(u)) {
            return u;
        }
        if (CASE_MATTERS.contains(u.toLowerCase(java.util.Locale.ROOT))) {
            return null;
        }
        String found = null;
        for (Map.Entry<String, Double> e : PER_EV.entrySet()) {
            if (e.getKey().equalsIgnoreCase(u)) {
                if (found != null && !e.getValue().equals(PER_EV.get(found))) {
                    return null; // two units differ only in case
                }
                found = found == null ? e.getKey() : found;
            }
        }
        return found;
    }

    /**
     * @param unit an energy unit as written (see {@link #spelling} for what is taken)
     * @return one eV in that unit, or null when it is not one of {@link #NAMES} (or their spellings)
     */
    static @Nullable Double perEv(String unit) {
        String s = spelling(unit);
        return s == null ? null : PER_EV.get(s);
    }

    /**
     * @param unit a unit as a job file writes it
     * @return the same unit in one spelling, so that two spellings of it ({@code EV} and {@code eV},
     *     {@code kJ mol^-1} and {@code kJ/mol}, {@code EV/A} and {@code eV/A}) are grouped as one:
     *     an energy unit (or one divided by a length, {@code eV/A}) in the spelling of {@link #NAMES};
     *     any other unit as written
     */
    static String canonical(String unit) {
        Double per = perEv(unit);
        if (per != null) {
            return named(per, unit);
        }
        for (int i = unit.lastIndexOf('/'); i > 0; i = unit.lastIndexOf('/', i - 1)) {
            Double head = perEv(unit.substring(0, i));
            if (head != null) {
                return named(head, unit) + "/" + unit.substring(i + 1).strip();
            }
        }
        return unit;
    }

    /**
     * @param unit a unit as a job file writes it
     * @return a key that two spellings of one unit share, for comparing units: {@link #canonical},
     *     with a length after the {@code /} that is a spelling of Å ({@code A}, {@code Ang}) as
     *     {@code Å}; not for display
     */
    static String sameUnit(String unit) {
        String c = canonical(unit);
        int slash = c.lastIndexOf('/');
        if (slash > 0 && perEv(c.substring(0, slash)) != null) {
            Double length = lengthInAngstrom(c.substring(slash + 1));
            if (length != null && length == 1.0) {
                return c.substring(0, slash) + "/Å";
            }
        }
        return c;
    }

    /** @return the name in {@link #NAMES} of the unit of that many per eV, else the unit as written */
    private static String named(double perEv, String unit) {
        for (String n : NAMES) {
            if (Double.valueOf(perEv).equals(PER_EV.get(n))) {
                return n;
            }
        }
        return unit;
    }

    /**
     * @param unit an energy unit that {@link #perEv} does not know
     * @return the known spelling nearest to it ({@code meV} for {@code mev}, {@code K} for
     *     {@code k}, {@code kcal/mol} for {@code kcal}), or null when none is near
     */
    static @Nullable String near(String unit) {
        if (prefixed(unit) != null) {
            return null; // MeV is no misspelt meV
        }
        String u = unit.strip();
        String lower = u.toLowerCase(java.util.Locale.ROOT);
        for (String k : PER_EV.keySet()) {
            if (k.equalsIgnoreCase(u)) {
                return k;
            }
        }
        for (String k : PER_EV.keySet()) {
            if (k.toLowerCase(java.util.Locale.ROOT).startsWith(lower + "/")) {
                return k; // kcal for kcal/mol, kJ for kJ/mol
            }
        }
        return Names.suggest(u, PER_EV.keySet());
    }

    /** SI prefixes that make another unit of a known one ({@code MeV}, {@code mJ/mol}), in words. */
    private static final Map<Character, String> PREFIXES = Map.of(
            'k', "a thousand",
            'M', "a million",
            'G', "a billion",
            'T', "10^12",
            'm', "a thousandth of one",
            'u', "a millionth of one",
            'µ', "a millionth of one",
            'n', "a billionth of one");

    /**
     * @param unit an energy unit that {@link #perEv} does not know
     * @return "'MeV' is a million eV" when it is an SI prefix before a known unit (in any case) and
     *     that prefixed unit is none of the known ones (as {@code mev} is {@code meV}), else null
     */
    static @Nullable String prefixed(String unit) {
        String u = unit.strip();
        if (u.length() < 2 || spelling(u) != null) {
            return null;
        }
        String times = PREFIXES.get(u.charAt(0));
        String rest = spelling(u.substring(1));
        if (times == null || rest == null || PER_EV.containsKey(u.charAt(0) + rest)) {
            return null;
        }
        return "'" + u + "' is " + times + " " + rest;
    }

    /**
     * The warning for an energy unit that is not known: it is kept as written (units may be any
     * text), but what the known ones allow (comparing a parameter's unit with its term's,
     * converting a Coulomb constant) cannot be done.
     *
     * @param unit the unit as written
     * @return "'ev2' is not a known energy unit; did you mean 'eV'?" and the known units
     */
    static String unknown(String unit) {
        String close = near(unit);
        String prefixed = prefixed(unit);
        return "'" + unit.strip() + "' is not a known energy unit"
                + (prefixed == null ? "" : ": " + prefixed + ", a unit this term does not know")
                + (close == null ? "" : "; did you mean '" + close + "'?")
                + " (the known ones are " + String.join(", ", NAMES) + ")";
    }

    /** Lengths in Å under each spelling of a known length unit; Å's own are {@link JobKeys#spells}'. */
    private static final Map<String, Double> LENGTH_IN_ANGSTROM = new LinkedHashMap<>();

    static {
        for (String a : List.of("Å", "A", "Ang", "Angstrom", "angstrom", "Ångström", "ångström")) {
            LENGTH_IN_ANGSTROM.put(a, 1.0);
        }
        LENGTH_IN_ANGSTROM.put("nm", 10.0);
        LENGTH_IN_ANGSTROM.put("pm", 0.01);
        LENGTH_IN_ANGSTROM.put("m", 1e10);
        LENGTH_IN_ANGSTROM.put("cm", 1e8);
        LENGTH_IN_ANGSTROM.put("mm", 1e7);
        LENGTH_IN_ANGSTROM.put("um", 1e4);
        LENGTH_IN_ANGSTROM.put("µm", 1e4);
        // the Bohr radius, 0.529177210903(80) Å (CODATA 2018, Tiesinga et al. 2021)
        for (String b : List.of("bohr", "Bohr", "a0", "a_0")) {
            LENGTH_IN_ANGSTROM.put(b, 0.529177210903);
        }
    }

    /** Upper-case forms of prefixed length units that name no other unit ({@code MM} may be Mm, {@code M} molar). */
    private static final java.util.Set<String> UPPER_CASE_LENGTHS = java.util.Set.of("NM", "PM", "CM", "UM");

    /**
     * @param unit a length unit as written, in Unicode's compatibility form (NFKC: the Ångström sign
     *     is Å, the micro sign µ the Greek μ) with surrounding spaces ignored; the spellings of Å and
     *     bohr in any case, and a prefixed unit as written or all in capitals where that names no
     *     other unit ({@code NM}, {@code CM}, but not {@code MM}, which may be Mm)
     * @return how many Å one of it is, or null when it is not a known length unit
     */
    static @Nullable Double lengthInAngstrom(String unit) {
        String u = java.text.Normalizer.normalize(unit.strip(), java.text.Normalizer.Form.NFKC)
                .replace('\u212B', '\u00C5')
                .replace('\u03BC', '\u00B5');
        Double f = LENGTH_IN_ANGSTROM.get(u);
        if (f != null) {
            return f;
        }
        String lower = u.toLowerCase(java.util.Locale.ROOT);
        // not µM: a capital M after the micro sign is micromolar as often as a length
        if (UPPER_CASE_LENGTHS.contains(u)) {
            return LENGTH_IN_ANGSTROM.get(lower);
        }
        for (String a : List.of("å", "a", "ang", "angstrom", "ångström")) {
            if (a.equals(lower)) {
                return 1.0;
            }
        }
        return lower.equals("bohr") ? LENGTH_IN_ANGSTROM.get("bohr") : null;
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
                if (perParameter == null || perParameter.equals(perTerm) || converts(ref, perTerm / perParameter)) {
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

    /**
     * @param ref a pair term's reference to a parameter, with its factor ({@code 96.485*lj.epsilon})
     * @param factor one of the parameter's unit in the unit the term takes
     * @return whether the reference's factor is that one (to 1 part in 1000, as a chemist writes
     *     it: {@code 96.485}), so that the job converts the parameter itself
     */
    private static boolean converts(org.chemfit.atoms.@Nullable ParameterRef ref, double factor) {
        return ref != null && Math.abs(ref.factor() - factor) <= 1e-3 * Math.abs(factor);
    }

    /**
     * Warnings for the units of the parameters that a potential's pair terms take by role: an energy
     * parameter (Lennard-Jones {@code epsilon}, Morse {@code D}, Buckingham {@code A}) whose unit is
     * no known energy unit, and a length parameter (Lennard-Jones {@code sigma}, Morse {@code r0},
     * Buckingham {@code rho}) whose unit is another length unit than Å, the unit atoms terms compute
     * distances in, or no known length unit. Each at the line of the parameter's {@code unit}, once
     * per parameter over the job ({@code said} holds the parameters already warned of).
     *
     * @param pairs the potential's pair terms, in order
     * @param items their nodes, in the same order (for their lines)
     * @param listed whether the potential is a list (its items are then numbered)
     * @param extras the declared units of the parameters and their nodes
     * @param file the job file as the user named it
     * @param where the term in words ("term 'dimers'")
     * @return one warning per parameter
     */
    static List<String> parameterUnits(
            List<JobFile.PairTermSpec> pairs,
            List<Node> items,
            boolean listed,
            JobReading.UnitsReading extras,
            java.nio.file.Path file,
            String where) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            JobFile.PairTermSpec pair = pairs.get(i);
            int line = i < items.size() ? items.get(i).line : 0;
            String term = where + " potential" + (listed ? "[" + i + "]" : "") + " (" + JobKeys.word(pair.form())
                    + (line > 0 ? ", line " + line : "") + ")";
            List<String> energies = switch (pair.form()) {
                case LENNARD_JONES -> List.of("epsilon");
                case MORSE -> List.of("D");
                case BUCKINGHAM -> List.of("A");
                case COULOMB -> List.of();
            };
            List<String> lengths = switch (pair.form()) {
                case LENNARD_JONES -> List.of("sigma");
                case MORSE -> List.of("r0");
                case BUCKINGHAM -> List.of("rho");
                case COULOMB -> List.of();
            };
            for (String key : pair.parameters().keySet()) {
                boolean energy = energies.contains(key);
                if (!energy && !lengths.contains(key)) {
                    continue;
                }
                org.chemfit.atoms.ParameterRef ref = pair.parameters().get(key);
                String name = ref == null ? null : ref.name();
                String declared = name == null ? null : extras.parameters.get(name);
                Node at = name == null ? null : extras.parameterUnitNodes.get(name);
                if (name == null || declared == null || at == null || extras.unitsWarned.contains(name)) {
                    continue;
                }
                String place = file + ":" + at.line + ":" + at.column + ": parameter '" + name + "' ";
                String said = null;
                if (energy && perEv(declared) == null) {
                    said = place + "unit: " + unknown(declared) + "; it is " + key + " of " + term
                            + ", an energy, so its unit is not compared with the term's";
                } else if (!energy) {
                    Double inAngstrom = lengthInAngstrom(declared);
                    if (inAngstrom == null) {
                        String close = Names.suggest(declared.strip(), LENGTH_IN_ANGSTROM.keySet());
                        said = place + "unit: '" + declared.strip() + "' is not a known length unit"
                                + (close == null ? "" : "; did you mean '" + close + "'?") + "; it is " + key
                                + " of " + term + ", a length, which atoms terms compute in Å";
                    } else if (inAngstrom != 1.0 && !converts(ref, inAngstrom)) {
                        said = place + "is declared in " + declared.strip() + ", but it is " + key + " of " + term
                                + ", which takes it in Å, the unit atoms terms compute distances in; parameters are"
                                + " not converted, so '" + name + "' counts as Å: give it in Å (one "
                                + declared.strip() + " is " + Tables.fmt(inAngstrom) + " Å)";
                    }
                }
                if (said != null) {
                    extras.unitsWarned.add(name);
                    out.add(said);
                }
            }
        }
        return out;
    }
}

package org.chemfit.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.chemfit.atoms.ReferenceCsv;
import org.chemfit.journal.JournalMismatchException;
import org.jspecify.annotations.Nullable;

/**
 * A job as the journal identifies it: the job file's own tree, without {@code execution} and
 * {@code output} (how many workers and where results go change no result), and a SHA-256 of every
 * data file it names and of every program of its own that its commands run ({@link ProgramFiles}:
 * a script such as {@code ./sim.py}, not a program found on the PATH). A resumed fit must have equal settings; when they differ the journal names
 * each change by its path ({@code job.file.terms[1].weight}, {@code job.data.data/energies.csv}).
 *
 * <pre>{@code
 * Fitter fitter = plan.fitter(budget).jobSettings(JobSettings.of(job));
 * }</pre>
 *
 * @implNote Stateless.
 */
final class JobSettings {

    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

    /**
     * The key of the relative step of {@code L-BFGS-B}'s gradient in the settings of a job with
     * crystal terms and no {@code finite_difference_step}: a setting of the optimizer, not of the
     * job's terms.
     */
    static final String CRYSTAL_GRADIENT_STEP = "crystal_gradient_step";

    private JobSettings() {}

    /**
     * @param job a job read and checked by {@link JobFile#read}
     * @return {@code {file: <the job file's tree>, data: {relative path: sha256}}}, the data
     *     holding the fit terms' files and programs, and {@code validation_data} those of the
     *     held-out terms when the job has any (which the journal takes as no part of the fit), and
     *     {@value #CRYSTAL_GRADIENT_STEP} the step of {@code L-BFGS-B}'s gradient when it is the
     *     default of a job with crystal terms
     * @throws BaseCommand.UserException when a file the job names can no longer be read
     */
    static Map<String, Object> of(JobFile job) {
        // Jackson's tree, as journals have always been written with it, so that they resume; a file
        // Jackson cannot read (an open bound written .inf, which the job reader takes) is read as the
        // job reader reads it, and such a file was never written to a journal otherwise
        Map<String, Object> tree;
        try {
            JsonFactory factory =
                    job.file().getFileName().toString().endsWith(".json") ? new JsonFactory() : new YAMLFactory();
            tree = new ObjectMapper(factory).readValue(job.file().toFile(), MAP);
        } catch (IOException jacksonRefused) {
            try {
                Object root = plain(NodeParser.parse(job.file()));
                tree = root instanceof Map<?, ?> m ? new LinkedHashMap<>(castMap(m)) : new LinkedHashMap<>();
            } catch (JobFileException e) {
                throw new BaseCommand.UserException(job.file() + ": cannot be read again: " + e.getMessage());
            }
        }
        tree.remove("execution");
        tree.remove("output");
        Map<String, Object> data = digests(job, job.terms());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("file", tree);
        s.put("data", data);
        // the held-out terms' files take no part in the fit: under a key of their own, which the
        // journal leaves out when it compares runs, so that an edited file keeps the run (replayed,
        // its held-out terms evaluated anew) and a job without held-out terms adds nothing
        Map<String, Object> heldOut = digests(job, job.validation());
        if (!heldOut.isEmpty()) {
            s.put("validation_data", heldOut);
        }
        // Coulomb in a term's own energy unit (kcal/mol, K, ...) was computed in eV before: a run
        // recorded then is another job. Terms in eV add nothing, so their journals resume as before.
        Map<String, Object> coulomb = new TreeMap<>();
        for (JobFile.TermSpec t : job.terms()) {
            if (t.config() instanceof JobFile.AtomsConfig a
                    && a.potential().stream().anyMatch(p -> p.form() == JobFile.PairForm.COULOMB)
                    && a.coulombConstant() != EnergyUnits.COULOMB_EV) {
                coulomb.put(t.name(), a.coulombConstant());
            }
        }
        if (!coulomb.isEmpty()) {
            s.put("coulomb_constant", coulomb);
        }
        // a crystal term given an n × n × n supercell (n > 1) reported the supercell's edge as its
        // lattice_constant before it reported the conventional cell's: a run recorded then is another
        // job. A conventional cell (n = 1) adds nothing, so its journals resume as before.
        Map<String, Object> repeats = new TreeMap<>();
        for (JobFile.TermSpec t : job.terms()) {
            if (t.config() instanceof JobFile.CrystalConfig c) {
                int n;
                try {
                    n = AtomsTerms.crystalRepeats(c);
                } catch (org.chemfit.ChemFitException e) {
                    throw new BaseCommand.UserException(c.structure() + ": cannot be read again: " + e.getMessage());
                }
                if (n > 1) {
                    repeats.put(t.name(), n);
                }
            }
        }
        if (!repeats.isEmpty()) {
            s.put("crystal_repeats", repeats);
        }
        // L-BFGS-B's gradient took the step of full double precision, 1.49e-8, with crystal terms
        // before it took their default (1e-5): a run recorded then is another job. The job file
        // says nothing of it, so the step is added here; no other job adds anything, so that their
        // journals resume as before.
        if (Methods.crystalDefault(job)
                && "L-BFGS-B".equals(Methods.canonical(job.optimizer().method()))) {
            s.put(CRYSTAL_GRADIENT_STEP, Methods.CRYSTAL_STEP);
        }
        return s;
    }

    /**
     * The optimizer that a job's settings describe, each default applied: the method by its
     * canonical name, the seed, {@code bad_value}, a population method's population ({@code 4 +
     * floor(3 ln n)} for n free parameters when not written), the loss tolerances (the method's
     * own when none is written, {@link Methods#ownTolerances}) and the relative
     * finite-difference step (the crystal default, or the forward difference's {@code 1.49e-8},
     * when not written; left out for a method that takes no differences, whose uncertainty alone
     * takes it), numbers by their value. The budget is left out: a larger one goes on
     * with a run, which the journal decides. Settings of the same optimizer written otherwise
     * (a default written out or left out, {@code method: nelder_mead}) give equal maps; a value
     * the job reader would refuse is kept as written, so that it equals only itself.
     *
     * @param settings settings as {@link #of} gives them, or as a journal recorded them
     * @param job the job being fitted: its terms and parameters give the defaults that depend on them
     * @return the optimizer, every default applied
     */
    static Map<String, Object> effectiveOptimizer(Map<?, ?> settings, JobFile job) {
        Map<String, Object> out = new TreeMap<>();
        Object section = settings.get("file") instanceof Map<?, ?> file ? file.get("optimizer") : null;
        if (section != null && !(section instanceof Map<?, ?>)) {
            out.put("optimizer", section);
            return out;
        }
        Map<?, ?> o = section instanceof Map<?, ?> m ? m : Map.of();
        Object word = o.containsKey("method") ? o.get("method") : "Nelder-Mead";
        String method = word instanceof String w ? Methods.canonical(w) : null;
        if (method == null) {
            out.put("method", word);
            return out;
        }
        out.put("method", method);
        out.put("seed", value(o.containsKey("seed") ? o.get("seed") : 42));
        out.put("bad_value", value(o.containsKey("bad_value") ? o.get("bad_value") : 1e5));
        if (Methods.isBatch(method) && !o.containsKey("batch_size")) {
            long free = job.parameters().stream()
                    .filter(p -> !p.fixed() && p.lower() != p.upper())
                    .count();
            out.put("batch_size", value(Methods.defaultPopulation((int) Math.max(1, free))));
        } else if (o.containsKey("batch_size")) {
            out.put("batch_size", value(o.get("batch_size")));
        }
        Object tolerance = o.get("tolerance");
        double[] own = Methods.ownTolerances(method);
        if (!Methods.takesTolerances(method)) {
            // BOBYQA never read the tolerances a fit recorded before they were refused for it
            tolerance = null;
        }
        if (own != null && (tolerance == null || tolerance instanceof Map<?, ?> t && t.isEmpty())) {
            List<Object> tolerances = new ArrayList<>();
            for (double d : own) {
                tolerances.add(value(d));
            }
            out.put("tolerance", tolerances);
        } else if (own != null
                && tolerance instanceof Map<?, ?> t
                && t.keySet().stream()
                        .allMatch(k -> k.equals("relative") || (k.equals("absolute") && own.length == 2))) {
            List<Object> tolerances = new ArrayList<>();
            tolerances.add(value(t.containsKey("relative") ? t.get("relative") : Methods.RELATIVE_TOLERANCE));
            if (own.length == 2) {
                tolerances.add(value(t.containsKey("absolute") ? t.get("absolute") : Methods.ABSOLUTE_TOLERANCE));
            }
            out.put("tolerance", tolerances);
        } else if (tolerance != null) {
            out.put("tolerance", tolerance);
        }
        Object written = o.get("finite_difference_step");
        // a method without finite differences takes a step for its uncertainty alone, computed anew
        // at the end of every fit: no part of the run, as the held-out terms are none
        Object step = !Methods.takesRelativeStep(method) && validStep(written) ? null : written;
        if (Methods.takesRelativeStep(method) && step == null) {
            boolean crystal =
                    job.terms().stream().anyMatch(t -> t.kind() == JobFile.TermKind.CRYSTAL && t.weight() != 0);
            double d;
            if (!crystal) {
                d = Methods.DEFAULT_STEP;
            } else if ("L-BFGS-B".equals(method)) {
                // a journal written before the crystal default holds no such entry: the step was then 1.49e-8
                d = settings.get(CRYSTAL_GRADIENT_STEP) instanceof Number n ? n.doubleValue() : Methods.DEFAULT_STEP;
            } else {
                d = Methods.CRYSTAL_STEP;
            }
            out.put("finite_difference_step", value(d));
        } else if (step instanceof Map<?, ?> sm && sm.size() == 1 && sm.get("relative") instanceof Number r) {
            out.put("finite_difference_step", value(r));
        } else if (step != null) {
            out.put("finite_difference_step", step);
        }
        for (Map.Entry<?, ?> e : o.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!JobKeys.OPTIMIZER_KEYS.contains(key)) {
                out.put("unknown." + key, e.getValue()); // never read: kept as written
            }
        }
        return out;
    }

    /** @return whether a written step is one the job reader takes: {@code {relative: r}}, 0 &lt; r &lt; 1 */
    private static boolean validStep(@Nullable Object step) {
        return step instanceof Map<?, ?> sm
                && sm.size() == 1
                && sm.get("relative") instanceof Number r
                && r.doubleValue() > 0
                && r.doubleValue() < 1;
    }

    /**
     * The settings to fit with, given those a journal recorded: when a recorded run has the same
     * optimizer as these, defaults applied ({@link #effectiveOptimizer}), and these settings with
     * the optimizer as that run wrote it (its {@code optimizer} section and {@value
     * #CRYSTAL_GRADIENT_STEP}) are that run's job, the budget aside ({@link
     * JournalMismatchException#changesBetween}: equal, or equal but for what takes no part in the
     * fit), these settings with that spelling, so that a default written out in one and left out
     * in the other keeps the run; the budget stays this job's unless it is the same number. The
     * latest such run lends its spelling, whichever run comes after it: a job that another run
     * spelling the optimizer otherwise followed is still its own run. When no run is this job so,
     * the spelling of the latest run of the same optimizer, so that a refusal names only the
     * changes that count; else these settings, unchanged.
     *
     * @param now the settings of the job, as {@link #of} gives them
     * @param recorded the job settings of the journal's runs ({@code settings.job}), the latest first
     * @param job the job
     * @return the settings to fit with
     */
    static Map<String, Object> asRecorded(Map<String, Object> now, List<Map<?, ?>> recorded, JobFile job) {
        Map<String, Object> mine = effectiveOptimizer(now, job);
        @Nullable Map<String, Object> sameOptimizer = null;
        for (Map<?, ?> theirs : recorded) {
            if (!(theirs.get("file") instanceof Map<?, ?> theirFile)
                    || !(now.get("file") instanceof Map<?, ?> ourFile)
                    || !mine.equals(effectiveOptimizer(theirs, job))) {
                continue;
            }
            Map<String, Object> spelled = spelledAs(now, theirs, theirFile, ourFile);
            if (JournalMismatchException.changesBetween(
                            Map.of("job", withoutBudget(theirs)), Map.of("job", withoutBudget(spelled)))
                    .isEmpty()) {
                return spelled;
            }
            if (sameOptimizer == null) {
                sameOptimizer = spelled;
            }
        }
        return sameOptimizer != null ? sameOptimizer : now;
    }

    /** @return these settings with the optimizer as a run wrote it, the budget this job's unless it is the same number */
    private static Map<String, Object> spelledAs(
            Map<String, Object> now, Map<?, ?> theirs, Map<?, ?> theirFile, Map<?, ?> ourFile) {
        Map<String, Object> optimizer = theirFile.get("optimizer") instanceof Map<?, ?> m
                ? new LinkedHashMap<>(castMap(m))
                : new LinkedHashMap<>();
        Object ours = ourFile.get("optimizer") instanceof Map<?, ?> m ? m.get("max_evaluations") : null;
        Object theirBudget = optimizer.get("max_evaluations");
        if (!Objects.equals(value(ours == null ? 200 : ours), value(theirBudget == null ? 200 : theirBudget))) {
            if (ours == null) {
                optimizer.remove("max_evaluations");
            } else {
                optimizer.put("max_evaluations", ours);
            }
        }
        Map<String, Object> file = new LinkedHashMap<>(castMap(ourFile));
        if (optimizer.isEmpty() && !theirFile.containsKey("optimizer")) {
            file.remove("optimizer");
        } else {
            file.put("optimizer", optimizer);
        }
        Map<String, Object> out = new LinkedHashMap<>(now);
        out.put("file", file);
        if (theirs.get(CRYSTAL_GRADIENT_STEP) != null) {
            out.put(CRYSTAL_GRADIENT_STEP, theirs.get(CRYSTAL_GRADIENT_STEP));
        } else {
            out.remove(CRYSTAL_GRADIENT_STEP);
        }
        return out;
    }

    /**
     * @return the settings without the job file's budget ({@code optimizer.max_evaluations}),
     *     which the journal weighs on its own (a larger one goes on with a run that did not end)
     */
    private static Map<String, Object> withoutBudget(Map<?, ?> settings) {
        Map<String, Object> out = new LinkedHashMap<>(castMap(settings));
        if (out.get("file") instanceof Map<?, ?> f && f.get("optimizer") instanceof Map<?, ?> o) {
            Map<String, Object> optimizer = new LinkedHashMap<>(castMap(o));
            optimizer.remove("max_evaluations");
            Map<String, Object> file = new LinkedHashMap<>(castMap(f));
            file.put("optimizer", optimizer);
            out.put("file", file);
        }
        return out;
    }

    /**
     * The parameters whose {@code unit} a resumed run recorded otherwise: an edit of the unit alone
     * takes no part in the fit (units are labels), so the run goes on, and the values it recorded,
     * numbers in the unit it had, are shown in the new one. Two spellings of one unit ({@code kj/mol}
     * and {@code kJ/mol}, {@code A} and {@code Å}) are the same unit.
     *
     * @param recordedJob the {@code job} of the run's recorded settings
     * @param jf the job as it is now
     * @return each such parameter, as {@code lj.epsilon: kJ/mol -> kcal/mol} ({@code (none)} for no unit)
     */
    static List<String> unitEdits(Map<?, ?> recordedJob, JobFile jf) {
        Map<String, @Nullable String> before = new LinkedHashMap<>();
        if (recordedJob.get("file") instanceof Map<?, ?> file && file.get("parameters") instanceof Map<?, ?> params) {
            recordedUnits(params, "", before);
        }
        List<String> edits = new ArrayList<>();
        for (JobFile.ParameterSpec p : jf.parameters()) {
            if (!before.containsKey(p.name())) {
                continue; // a parameter the run did not have: the run's settings say more than its unit
            }
            String was = before.get(p.name());
            String now = jf.units().parameters().get(p.name());
            boolean same = was == null || now == null ? was == null && now == null : sameUnit(was, now);
            if (!same) {
                edits.add(p.name() + ": " + (was == null ? "(none)" : was.strip()) + " -> "
                        + (now == null ? "(none)" : now.strip()));
            }
        }
        return edits;
    }

    /** @return whether two units as written are one: spellings of one energy unit, or of one length (A, Å, Angstrom) */
    private static boolean sameUnit(String a, String b) {
        if (EnergyUnits.sameUnit(a.strip()).equals(EnergyUnits.sameUnit(b.strip()))) {
            return true;
        }
        Double la = EnergyUnits.lengthInAngstrom(a.strip());
        return la != null && la.equals(EnergyUnits.lengthInAngstrom(b.strip()));
    }

    /**
     * Reads the units of the parameters of a recorded {@code parameters} section: a map that holds
     * {@code initial} (or {@code fixed}, {@code bounds}, {@code unit}) is a parameter, named by its
     * path; a number is a parameter without a unit; another map is a group.
     */
    private static void recordedUnits(Map<?, ?> section, String prefix, Map<String, @Nullable String> out) {
        for (Map.Entry<?, ?> e : section.entrySet()) {
            String name = prefix + e.getKey();
            if (e.getValue() instanceof Map<?, ?> m) {
                if (m.containsKey("initial")
                        || m.containsKey("fixed")
                        || m.containsKey("bounds")
                        || m.containsKey("unit")) {
                    out.put(name, m.get("unit") instanceof String u ? u : null);
                } else {
                    recordedUnits(m, name + ".", out);
                }
            } else {
                out.put(name, null);
            }
        }
    }

    /**
     * @param settings settings as {@link #of} gives them
     * @return the SHA-256 of their JSON, keys in order at every level, hex: equal for job files
     *     that differ only by the order of their keys, {@code execution} and {@code output}
     */
    static String digest(Map<String, Object> settings) {
        try {
            byte[] json = new ObjectMapper()
                    .configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
                    .writeValueAsBytes(settings);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
        } catch (IOException e) {
            throw new IllegalStateException("job settings that cannot be written as JSON: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** @return a number by its value (1, 1.0 and 1e0 alike), anything else as it is */
    private static @Nullable Object value(@Nullable Object v) {
        if (v instanceof Number n
                && !(v instanceof Double d && !Double.isFinite(d))
                && !(v instanceof Float f && !Float.isFinite(f))) {
            return new java.math.BigDecimal(n.toString()).stripTrailingZeros();
        }
        return v;
    }

    /**
     * @param job the job
     * @param terms terms of the job
     * @return relative path to SHA-256 of every file the terms read (for an atoms term its
     *     reference CSV and the structures it lists) and of every program of the job's own that
     *     their commands run
     */
    private static Map<String, Object> digests(JobFile job, List<JobFile.TermSpec> terms) {
        Map<String, Object> data = new TreeMap<>();
        for (JobFile.TermSpec t : terms) {
            List<Path> files = new ArrayList<>(t.config().inputFiles());
            if (t.config() instanceof JobFile.AtomsConfig a) {
                // the structures its reference CSV lists are the term's data as much as the CSV is
                try {
                    ReferenceCsv.readWellFormed(a.reference(), null, p -> {}).forEach(e -> files.add(e.file()));
                } catch (org.chemfit.ChemFitException e) {
                    throw new BaseCommand.UserException(a.reference() + ": cannot be read again: " + e.getMessage());
                }
            }
            for (Path f : files) {
                Path abs = f.toAbsolutePath().normalize();
                data.put(job.folder().relativize(abs).toString(), sha256(abs));
            }
        }
        // the scripts the commands run are the job's as much as its templates are
        for (Path abs : ProgramFiles.of(terms, job.folder(), job.programs())) {
            data.put(job.folder().relativize(abs).toString(), sha256(abs));
        }
        return data;
    }

    /** @return the tree as maps (in file order), lists and the scalars' values */
    private static @Nullable Object plain(@Nullable Node n) {
        if (n instanceof Node.MapNode m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.entries.forEach((k, v) -> out.put(k, plain(v)));
            return out;
        }
        if (n instanceof Node.ListNode l) {
            List<Object> out = new ArrayList<>(l.items.size());
            l.items.forEach(v -> out.add(plain(v)));
            return out;
        }
        return n instanceof Node.Scalar sc ? sc.value : null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    /**
     * @param f a file
     * @return the SHA-256 of its bytes, in hexadecimal
     * @throws BaseCommand.UserException when it cannot be read
     */
    static String sha256(Path f) {
        try (InputStream in = Files.newInputStream(f)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int k = in.read(buf); k >= 0; k = in.read(buf)) {
                md.update(buf, 0, k);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new BaseCommand.UserException(f + ": cannot be read: " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

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
import java.util.TreeMap;
import org.chemfit.atoms.ReferenceCsv;
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

    private static String sha256(Path f) {
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

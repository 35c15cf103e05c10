package org.chemfit.cli;

import static org.chemfit.cli.JobKeys.MAX_EVALUATIONS;
import static org.chemfit.cli.JobKeys.TOP_KEYS;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.chemfit.cli.JobFile.CombinationSpec;
import org.chemfit.cli.JobFile.ExecutionSpec;
import org.chemfit.cli.JobFile.OptimizerSpec;
import org.chemfit.cli.JobFile.OutputSpec;
import org.chemfit.cli.JobFile.ParameterSpec;
import org.chemfit.cli.JobFile.TermSpec;
import org.jspecify.annotations.NullUnmarked;

/**
 * Turns a job file's tree into a {@link JobFile}, collecting every broken rule with its place.
 * The schema is checked by hand rather than by Jackson's data binding, because binding stops at
 * the first problem and forgets where values were once they are bound; {@code validate} must
 * report them all, each at its line and column. Each section has its reader ({@link ParametersReader},
 * {@link TermsReader} with one reader per kind of term, {@link CombinationReader},
 * {@link OptimizerReader}, {@link OutputReader}, {@link ExecutionReader}, {@link ProgramsReader});
 * they share one {@link JobReading}, which holds the problems and the checks of typed values, and
 * the words of the format in {@link JobKeys}. This class reads the top level and the job's hash.
 *
 * <pre>{@code
 * JobFile job = JobReader.read(Path.of("examples/argon/fit.yaml"));
 * }</pre>
 *
 * @implNote One instance per file; not thread-safe.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class JobReader {

    private final JobReading r;
    private final TermsReader terms;
    /** Whether the optimizer must be able to fit the job (not so for {@code eval}). */
    private final boolean toFit;

    private JobReader(Path file, Path shown, boolean toFit) {
        this.r = new JobReading(file, shown);
        this.terms = new TermsReader(r);
        this.toFit = toFit;
    }

    /**
     * @param path the job file as the user named it
     * @return the job
     * @throws JobFileException naming the file, line, column and rule of each problem found
     */
    static JobFile read(Path path) {
        return read(path, true);
    }

    /**
     * @param path the job file as the user named it
     * @param toFit whether the job is read to be fitted ({@code fit}, {@code validate}): then the
     *     optimizer method must be able to fit it (free parameters, a sum of squares for the
     *     least-squares methods); {@code eval}, which runs no optimizer, reads it without these checks
     * @return the job
     * @throws JobFileException naming the file, line, column and rule of each problem found
     */
    static JobFile read(Path path, boolean toFit) {
        Path file = path.toAbsolutePath().normalize();
        // Problems name the file as the user wrote it; paths inside resolve against its folder.
        // A key given twice is reported with the rest of the file's problems, which are read with
        // its first value.
        List<JobFileException.Problem> keysGivenTwice = new ArrayList<>();
        Node root = NodeParser.parse(path, keysGivenTwice);
        JobReader reader = new JobReader(file, path, toFit);
        JobFile job = reader.job(root);
        reader.r.problems.addAll(keysGivenTwice);
        if (!reader.r.problems.isEmpty()) {
            List<JobFileException.Problem> sorted = new ArrayList<>(reader.r.problems);
            // the job file's own problems first, in line order; then those of each data file, in its line order
            sorted.sort(Comparator.comparing(
                            (JobFileException.Problem p) -> !p.file().equals(path))
                    .thenComparing(p -> p.file().toString())
                    .thenComparingInt(JobFileException.Problem::line)
                    .thenComparingInt(JobFileException.Problem::column));
            throw new JobFileException(sorted);
        }
        return job;
    }

    private JobFile job(Node root) {
        if (root == null) {
            r.problem(1, 1, "the job file is empty; it needs at least 'parameters' and 'terms'");
            return null;
        }
        Node.MapNode top = r.map(root, "the job file");
        if (top == null) {
            return null;
        }
        // Top-level keys starting with "x-" hold blocks that anchors (&name) let the job reuse; they are not read
        // otherwise.
        Node.MapNode checked = new Node.MapNode(top.line, top.column);
        top.keyPlaces.forEach((k, place) -> {
            if (!k.startsWith("x-")) {
                checked.keyPlaces.put(k, place);
            }
        });
        r.keys(checked, "the job file", TOP_KEYS);
        // a misspelt top-level key ("paramters") is said once, as unknown, not also as missing
        top.misspelt.addAll(checked.misspelt);
        String stem = r.file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        String name = r.optString(top, "name", "name", stem);
        if (top.entries.containsKey("description")) {
            r.string(top.entries.get("description"), "description");
        }
        ParametersReader parameters = new ParametersReader(r);
        int before = r.problems.size();
        List<ParameterSpec> params = parameters.parameters(r.require(top, "parameters", "the job file"));
        if (top.entries.containsKey("bounds")) {
            params = parameters.bounds(top.entries.get("bounds"), params);
        }
        // the free parameters are counted only when every parameter was read
        boolean paramsRead = r.problems.size() == before;
        // the aliases first: the terms' commands are checked against them
        Map<String, List<String>> programs = new ProgramsReader(r).read(top.entries.get("programs"));
        r.programAliases.addAll(programs.keySet());
        List<TermSpec> fitTerms = terms.terms(r.require(top, "terms", "the job file"), params);
        parameters.refuseTermColumns(fitTerms);
        List<TermSpec> validation =
                top.entries.containsKey("validation") ? validation(top.entries.get("validation"), params) : List.of();
        int validationEvery = validationEvery(top);
        CombinationSpec combination = new CombinationReader(r).read(top.entries.get("combination"));
        OptimizerReader optimizerReader = new OptimizerReader(r);
        OptimizerSpec optimizer = optimizerReader.read(top.entries.get("optimizer"));
        if (toFit && paramsRead) {
            optimizerReader.checkFreeParameters(top, optimizer, params);
        } else if (toFit && parameters.allFixed(r.declared)) {
            // whatever failed to read, a job whose parameters are all fixed has nothing to fit
            optimizerReader.nothingToFit(top, optimizer);
        } else if (toFit) {
            // a parameter whose bounds are wrong is still declared free or fixed: a method that needs
            // more free parameters than the job declares is reported with the other problems
            List<String> free = new ArrayList<>();
            for (String declared : r.declared) {
                ParameterSpec p = null;
                for (ParameterSpec q : params == null ? List.<ParameterSpec>of() : params) {
                    if (q.name().equals(declared)) {
                        p = q;
                    }
                }
                if (p == null ? !parameters.isFixed(declared) : !p.fixed() && p.lower() != p.upper()) {
                    free.add(declared);
                }
            }
            optimizerReader.checkFreeCount(top, optimizer, free);
        }
        if (toFit && paramsRead) {
            warnWhenTooFewValues(fitTerms, params);
        }
        if (toFit && r.problems.isEmpty()) {
            HeldOutOverlap.warn(r, fitTerms, validation, top.entries.get("validation"));
        }
        if (toFit) {
            terms.refuseAllZeroWeights();
            optimizerReader.checkResiduals(top, optimizer, combination, fitTerms);
        }
        OutputSpec output = new OutputReader(r).read(top.entries.get("output"));
        ExecutionSpec execution = new ExecutionReader(r).read(top.entries.get("execution"), output);
        if (!r.problems.isEmpty()) {
            return null;
        }
        return new JobFile(
                r.file,
                name,
                params,
                fitTerms,
                combination,
                optimizer,
                execution,
                output,
                digest(fitTerms, validation, programs),
                programs,
                validation,
                r.extras.units(),
                validationEvery,
                r.warnings,
                r.structures,
                r.referenceRows);
    }

    /**
     * Warns when the fit's terms hold fewer reference values than there are free parameters: the
     * data cannot determine them all, whatever the method (a least-squares fit says so again, with
     * no standard errors, once it has run). Terms of weight 0 count nothing; nothing is said when a
     * term's count is not known (a reference that could not be read is a problem of its own).
     */
    private void warnWhenTooFewValues(List<TermSpec> fitTerms, List<ParameterSpec> params) {
        long free = params.stream().filter(p -> !p.fixed()).count();
        long values = 0;
        for (TermSpec t : fitTerms) {
            if (t.weight() == 0) {
                continue;
            }
            if (t.config() instanceof JobFile.AtomsConfig a) {
                Integer rows = r.referenceRows.get(a.reference());
                if (rows == null) {
                    return;
                }
                values += rows;
                if (a.fitsForces()) {
                    Integer forces = r.referenceForces.get(a.reference());
                    if (forces == null) {
                        return;
                    }
                    values += forces;
                }
            } else if (t.config() instanceof JobFile.CrystalConfig c) {
                values +=
                        c.reference().values().stream().mapToLong(v -> v.length).sum();
            } else if (t.config() instanceof JobFile.ExternalConfig x) {
                values +=
                        x.reference().values().stream().mapToLong(v -> v.length).sum();
            } else {
                return;
            }
        }
        if (free > 0 && values < free) {
            r.warnings.add("the fit's terms hold " + values + (values == 1 ? " reference value" : " reference values")
                    + " for " + free + " free parameters: the data cannot determine every parameter (the fit ends at"
                    + " one of many equally good points, with no standard errors); add reference data, or fix"
                    + " parameters");
        }
    }

    /** The validation section: terms like those of {@code terms}, never part of the objective. */
    private List<TermSpec> validation(Node n, List<ParameterSpec> params) {
        if (n instanceof Node.Scalar s && s.value == null) {
            r.problem(n, "validation must be a list of terms (each starting with '- '), got nothing");
            return List.of();
        }
        return terms.terms(n, params, "validation");
    }

    /** {@code validation_every}: a whole number of at least 1, only with a validation section. */
    private int validationEvery(Node.MapNode top) {
        Integer every = r.optInt(top, "validation_every", "validation_every", 1, MAX_EVALUATIONS);
        if (every != null && !top.entries.containsKey("validation")) {
            r.problem(
                    top.entries.get("validation_every"),
                    "validation_every needs a validation section (the terms to evaluate every "
                            + (every == 1 ? "evaluation" : every + " evaluations") + ")");
        }
        return every == null ? 0 : every;
    }

    /** The job file, the files it names, then the programs of its own that its commands run. */
    private JobDigest digest(List<TermSpec> fitTerms, List<TermSpec> validation, Map<String, List<String>> programs) {
        java.util.Set<Path> all = new java.util.LinkedHashSet<>();
        all.add(r.file);
        all.addAll(r.namedFiles);
        all.addAll(ProgramFiles.of(fitTerms, r.folder, programs));
        all.addAll(ProgramFiles.of(validation, r.folder, programs));
        return new JobDigest(r.folder, new ArrayList<>(all));
    }
}

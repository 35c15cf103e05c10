package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.chemfit.FailurePolicy;
import org.chemfit.Quantities;
import org.chemfit.Reducer;
import org.chemfit.atoms.PairPotential.CoulombMethod;
import org.chemfit.atoms.ParameterRef;
import org.chemfit.external.KeepPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed job model: its enums name the words of {@link JobKeys}, and a job file reads into records and enums. */
class JobModelTest {

    private static Set<String> words(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(JobKeys::word).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everyEnumNamesTheWordsOfItsKeyList() {
        assertEquals(new TreeSet<>(JobKeys.KINDS), words(JobFile.TermKind.class));
        assertEquals(new TreeSet<>(JobKeys.LOSS_TYPES), words(JobFile.LossType.class));
        assertEquals(new TreeSet<>(JobKeys.REDUCERS), words(Reducer.class));
        assertEquals(new TreeSet<>(JobKeys.FAILURE_ACTIONS), words(FailurePolicy.Action.class));
        assertEquals(new TreeSet<>(JobKeys.KEEP), words(KeepPolicy.class));
        assertEquals(new TreeSet<>(JobKeys.RELAX_METHODS), words(JobFile.RelaxMethod.class));
        assertEquals(new TreeSet<>(JobKeys.FORMS), words(JobFile.PairForm.class));
        assertEquals(new TreeSet<>(JobKeys.COULOMB_METHODS), words(CoulombMethod.class));
        Set<String> selects = new TreeSet<>();
        JobKeys.SELECTS.values().forEach(selects::addAll);
        assertEquals(selects, words(ParserSpec.Select.class));
        Set<String> parsers = Arrays.stream(ParserSpec.class.getPermittedSubclasses())
                .map(c ->
                        c.getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(JobKeys.PARSERS), parsers);
        assertEquals(Reducer.ROOT_MEAN, JobKeys.constant(Reducer.class, "root_mean"));
    }

    @Test
    void aJobFileReadsIntoRecordsAndEnums(@TempDir Path dir) throws IOException {
        Path job = dir.resolve("typed.yaml");
        Files.writeString(job, """
                parameters: {a: 1.0}
                terms:
                  - name: t
                    kind: external
                    command: [sh, run-it]
                    outputs:
                      e: {parser: regex, file: out.txt, pattern: "E=(\\\\S+)", group: 1, select: first}
                      rho: {parser: column, file: t.dat, column: rho, select: mean_of_last, rows: 5}
                      d: {parser: xvg, file: d.xvg, column: Density, select: mean, from: 10, to: 20}
                      p: {parser: lammps_thermo, file: log.lammps, column: Press, run: -1}
                      j: {parser: json, file: r.json, path: a.b}
                    reference: {e: 1.0, rho: 2.0, d: 3.0, p: 4.0, j: 5.0}
                    loss: {type: mean_squared_error, scale: 2}
                combination: {reducer: root-mean, on_failure: penalty, penalty: 100}
                execution: {keep: all, retries: 2}
                """);
        JobFile jf = JobFile.read(job);

        JobFile.TermSpec t = jf.terms().get(0);
        assertEquals(JobFile.TermKind.EXTERNAL, t.kind());
        Map<String, Double> scales = new LinkedHashMap<>();
        List.of("e", "rho", "d", "p", "j").forEach(q -> scales.put(q, 2.0));
        assertEquals(new JobFile.LossSpec(JobFile.LossType.MEAN_SQUARED_ERROR, scales), t.loss());
        assertEquals(
                List.of(
                        new ParserSpec.Regex(
                                "e", "out.txt", "E=(\\S+)", ParserSpec.ColumnRef.at(1), ParserSpec.Select.FIRST),
                        new ParserSpec.Column(
                                "rho", "t.dat", ParserSpec.ColumnRef.named("rho"), ParserSpec.Select.MEAN_OF_LAST, 5),
                        new ParserSpec.Xvg(
                                "d",
                                "d.xvg",
                                ParserSpec.ColumnRef.named("Density"),
                                ParserSpec.Select.MEAN,
                                10.0,
                                20.0),
                        new ParserSpec.LammpsThermo("p", "log.lammps", "Press", ParserSpec.Select.LAST, 0, -1),
                        new ParserSpec.Json("j", "r.json", "a.b")),
                ((JobFile.ExternalConfig) t.config()).outputs());
        assertEquals(
                new JobFile.CombinationSpec(Reducer.ROOT_MEAN, FailurePolicy.Action.PENALTY, 100.0), jf.combination());
        assertEquals(
                FailurePolicy.penalty(100.0).withRetries(2),
                jf.combination().policy(jf.execution().retries()));
        assertEquals(KeepPolicy.ALL, jf.execution().keep());
    }

    @Test
    void anAtomsTermReadsIntoTypedPairTermsAndDefaults() {
        JobFile jf = JobFile.read(Cli.resource("jobs").resolve("lj.yaml"));
        JobFile.TermSpec t = jf.terms().get(0);
        assertEquals(JobFile.TermKind.ATOMS, t.kind());
        assertEquals(new JobFile.LossSpec(JobFile.LossType.SQUARED_ERROR, Map.of()), t.loss());
        JobFile.PairTermSpec lj = ((JobFile.AtomsConfig) t.config()).potential().get(0);
        assertEquals(
                new JobFile.PairTermSpec(
                        JobFile.PairForm.LENNARD_JONES,
                        "*",
                        "*",
                        Map.of("epsilon", ParameterRef.of("lj.epsilon"), "sigma", ParameterRef.of("lj.sigma")),
                        Double.POSITIVE_INFINITY,
                        false),
                lj);
        assertEquals(CoulombMethod.DIRECT, lj.coulombMethod());
        assertEquals(
                new JobFile.CombinationSpec(Reducer.SUM, FailurePolicy.Action.RAISE, Double.NaN), jf.combination());
        assertEquals(KeepPolicy.FAILED, jf.execution().keep());
    }

    @Test
    void aFactorThatIsNotFiniteIsRefusedWhereItIsWritten(@TempDir Path dir) throws IOException {
        Path data = Cli.resource("jobs").resolve("data");
        Files.copy(data.resolve("energies.csv"), dir.resolve("energies.csv"));
        Files.createDirectory(dir.resolve("dimers"));
        try (var s = Files.list(data.resolve("dimers"))) {
            for (Path p : s.toList()) {
                Files.copy(p, dir.resolve("dimers").resolve(p.getFileName()));
            }
        }
        Path job = dir.resolve("inf.yaml");
        Files.writeString(job, """
                parameters: {eps: 1.0, sig: 2.0}
                terms:
                  - kind: atoms
                    reference: energies.csv
                    potential: {form: lennard_jones, epsilon: "Infinity*eps", sigma: sig}
                """);
        JobFileException e = assertThrows(JobFileException.class, () -> JobFile.read(job));
        String line = e.getMessage().strip();
        assertTrue(
                line.startsWith(job + ":5:")
                        && line.endsWith(": term 'atoms-0' potential epsilon must be a number, a parameter name"
                                + " or factor*name with a finite factor (such as -2*qH), got 'Infinity*eps'"),
                line);
    }

    @Test
    void unnamedTermsGetNamesUniqueInTheJob(@TempDir Path dir) throws IOException {
        Path data = Cli.resource("jobs").resolve("data").resolve("energies.csv");
        String term = "  - kind: atoms\n    reference: " + data
                + "\n    potential: {form: lennard_jones, epsilon: eps, sigma: sig}\n";
        Path job = dir.resolve("unnamed.yaml");
        Files.writeString(job, "parameters: {eps: 1.0, sig: 2.0}\nterms:\n" + term + term + "validation:\n" + term);
        JobFile jf = JobFile.read(job);
        assertEquals(
                List.of("atoms-0", "atoms-1"),
                jf.terms().stream().map(JobFile.TermSpec::name).toList());
        assertEquals(
                List.of("validation-atoms-0"),
                jf.validation().stream().map(JobFile.TermSpec::name).toList());
    }

    @Test
    void aLossSpecMapsToTheLibrarysLossOverNumbersAndArrays() {
        Map<String, double[]> reference = new LinkedHashMap<>();
        reference.put("e", new double[] {1.0});
        reference.put("c", new double[] {0.0, 0.0});
        Quantities q = Quantities.builder()
                .put("e", 2.0)
                .put("c", new double[] {1.0, -1.0})
                .build();
        // |2 - 1| / 2 + |1| + |-1| = 2.5; squares: 0.25 + 1 + 1 = 2.25, their mean 0.75
        assertEquals(
                2.5,
                new JobFile.LossSpec(JobFile.LossType.ABSOLUTE_ERROR, Map.of("e", 2.0))
                        .function(reference)
                        .evaluate(q),
                1e-15);
        assertEquals(
                2.25,
                new JobFile.LossSpec(JobFile.LossType.SQUARED_ERROR, Map.of("e", 2.0))
                        .function(reference)
                        .evaluate(q),
                1e-15);
        assertEquals(
                0.75,
                new JobFile.LossSpec(JobFile.LossType.MEAN_SQUARED_ERROR, Map.of("e", 2.0))
                        .function(reference)
                        .evaluate(q),
                1e-15);
        assertEquals(
                1.0,
                new JobFile.LossSpec(JobFile.LossType.RELATIVE_ERROR, Map.of())
                        .function(Map.of("e", new double[] {4.0}))
                        .evaluate(Quantities.of("e", 8.0)),
                1e-15);
    }

    @Test
    void aParserRefusesASelectItDoesNotOffer() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new ParserSpec.Column("x", "f.dat", ParserSpec.ColumnRef.named("c"), ParserSpec.Select.MEAN, 0));
        assertEquals(
                "parser column does not offer select: mean; it offers first, last, all, mean_of_last", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new ParserSpec.Xvg(
                        "x", "f.xvg", ParserSpec.ColumnRef.at(1), ParserSpec.Select.MEAN_OF_LAST, null, null));
        assertEquals(
                "parser xvg does not offer select: mean_of_last; it offers first, last, mean, all", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new ParserSpec.Regex("x", "f", "(\\d+)", null, ParserSpec.Select.MEAN));
        assertEquals("parser regex does not offer select: mean; it offers first, last, all", e.getMessage());
    }
}

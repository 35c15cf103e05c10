package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real fits of terms whose names hold a comma or a carriage return: evaluations.csv quotes their
 * columns' names (RFC 4180), and the fit's plots and {@code chemfit report} read them back as
 * written, one column each.
 */
class QuotedNamesInEvaluationsCsvTest {

    @TempDir
    Path tmp;

    /**
     * @param names the terms' names, each written in YAML double quotes (so {@code \r} is a carriage return)
     * @return the output folder of a fit of 10 evaluations of one atoms term per name on the argon
     *     dimer curve, after checking that it exited 0 without a warning of evaluations.csv
     */
    private Path fit(String... names) throws Exception {
        Path csv = ExamplesIT.examples().resolve("argon/data/ar2-energies.csv");
        List<String> job = new ArrayList<>(List.of(
                "parameters:",
                "  lj:",
                "    epsilon: {initial: 100.0, bounds: [10.0, 400.0], unit: K}",
                "    sigma: {initial: 3.2, bounds: [2.5, 4.5], unit: A}",
                "terms:"));
        for (String name : names) {
            job.add("  - name: \"" + name + "\"");
            job.add("    kind: atoms");
            job.add("    reference: " + csv);
            job.add("    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}");
        }
        job.add("optimizer: {method: Nelder-Mead, max_evaluations: 10}");
        job.add("output: {folder: out}");
        job.add("");
        Path file = tmp.resolve("fit.yaml");
        Files.writeString(file, String.join("\n", job));
        Cli.Run r = Cli.run("fit", file.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertFalse(r.err().contains(EvaluationLog.FILE), r::toString);
        return tmp.resolve("out");
    }

    /** @return the parameters' lines a report of evaluations.csv alone gives, after its best-loss line */
    private List<String> reportOfTheCsvAlone(Path out) throws Exception {
        Path alone = Files.createDirectories(tmp.resolve("alone"));
        Files.copy(out.resolve(EvaluationLog.FILE), alone.resolve(EvaluationLog.FILE));
        Cli.Run r = Cli.run("report", alone.toString(), "--no-plots");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals("", r.err(), r::toString);
        List<String> lines = r.out().lines().toList();
        assertEquals(
                alone + ": no results.json (the fit is running, or stopped before writing it); 10 evaluations in"
                        + " evaluations.csv",
                lines.get(0),
                r::toString);
        assertTrue(lines.get(1).startsWith("best loss so far: "), r::toString);
        return lines.subList(2, lines.size());
    }

    /** @return the lines "  NAME = BEST" of the parameters of results.json, as the report prints a best row */
    @SuppressWarnings("unchecked")
    private static List<String> bestOfResults(Path out) {
        List<String> lines = new ArrayList<>();
        for (Object o : (List<Object>) Results.read(out.resolve(Results.FILE)).get("parameters")) {
            Map<String, Object> p = (Map<String, Object>) o;
            lines.add("  " + p.get("name") + " = " + p.get("best"));
        }
        return lines;
    }

    /**
     * Two terms whose names hold a comma, "ar2,near" and "ar2,far": their columns are not taken for
     * one column named twice ('"term:ar2'). The fit exits 0 and draws its plots, the parameters'
     * among them; the report reads the folder, and from evaluations.csv alone lists the two
     * parameters at the best row, not a piece of a term's name.
     */
    @Test
    void twoTermsWhoseNamesHoldACommaAreFittedPlottedAndReported() throws Exception {
        Path out = fit("ar2,near", "ar2,far");
        assertEquals(
                List.of(
                        "evaluation",
                        "loss",
                        "best_loss",
                        "seconds",
                        "degraded",
                        "failed_terms",
                        "lj.epsilon",
                        "lj.sigma",
                        "term:ar2,near",
                        "term:ar2,far"),
                EvaluationLog.rows(out.resolve(EvaluationLog.FILE)).get(0).fields());
        for (String plot : List.of("loss", "parameters", "parity-energy", "loss-shares")) {
            assertTrue(Files.isRegularFile(out.resolve("plots/" + plot + ".svg")), plot);
        }
        Files.delete(out.resolve("plots/parameters.svg"));

        Cli.Run r = Cli.run("report", out.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals("", r.err(), r::toString);
        // the terms table, a row per term by its whole name
        assertTrue(r.out().lines().anyMatch(l -> l.matches("ar2,near +atoms +1 .* ok")), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.matches("ar2,far +atoms +1 .* ok")), r::toString);
        assertTrue(Files.isRegularFile(out.resolve("plots/parameters.svg")), "drawn again by the report");

        assertEquals(bestOfResults(out), reportOfTheCsvAlone(out));
    }

    /**
     * A term named with a carriage return ("ar2\rcurve"): its quoted column name holds a line break,
     * which is not the end of the header. The report warns of no row (it took the name's second
     * part, {@code curve"}, for a row of evaluation 'curve"'), and lists the parameters alone.
     */
    @Test
    void aTermNameWithACarriageReturnIsNoRowOfItsOwn() throws Exception {
        Path out = fit("ar2\\rcurve");
        assertTrue(
                Files.readString(out.resolve(EvaluationLog.FILE))
                        .startsWith("evaluation,loss,best_loss,seconds,degraded,failed_terms,lj.epsilon,lj.sigma,"
                                + "\"term:ar2\rcurve\"" + System.lineSeparator() + "0,"),
                "the name quoted, its carriage return kept");
        assertTrue(Files.isRegularFile(out.resolve("plots/parameters.svg")));

        Cli.Run r = Cli.run("report", out.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals("", r.err(), r::toString);
        assertEquals(bestOfResults(out), reportOfTheCsvAlone(out));
    }

    /**
     * One term named "ar2,curve": the report of evaluations.csv alone lists the two parameters, not
     * '"term:ar2' (the first half of the term's column taken for a parameter's).
     */
    @Test
    void aTermNameWithACommaIsNotListedAsAParameter() throws Exception {
        Path out = fit("ar2,curve");
        List<String> listed = reportOfTheCsvAlone(out);
        assertEquals(
                List.of("lj.epsilon", "lj.sigma"),
                listed.stream().map(l -> l.strip().split(" = ")[0]).toList(),
                listed::toString);
        assertEquals(bestOfResults(out), listed, "the values of the best row, as results.json gives them");
    }
}

package org.chemfit.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.chemfit.EvaluationContext;
import org.chemfit.Names;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chemfit eval JOB [--set name=value ...]}: evaluates the objective once, at the initial
 * parameters or at values given on the command line, and prints the per-term breakdown.
 *
 * <pre>{@code
 * chemfit eval examples/argon/fit.yaml --set lj.epsilon=120 --set lj.sigma=3.4
 * }</pre>
 *
 * @implNote One instance per command line.
 */
@Command(name = "eval", description = "Evaluate JOB's objective once and print the per-term breakdown.")
final class EvalCommand extends BaseCommand {

    @picocli.CommandLine.Parameters(paramLabel = "JOB", description = "The job file (YAML or JSON).")
    Path job;

    // A list, not a picocli map: picocli's own message for a value without '=' reads "option option".
    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "Evaluate with this parameter value (repeatable).")
    List<String> sets = new ArrayList<>();

    @Override
    int execute() {
        Map<String, String> set = new LinkedHashMap<>();
        for (String a : sets) {
            int eq = a.indexOf('=');
            if (eq <= 0 || eq == a.length() - 1) {
                throw new UserException("--set needs NAME=VALUE, such as --set lj.epsilon=1.2, got '" + a + "'");
            }
            set.put(a.substring(0, eq).trim(), a.substring(eq + 1));
        }
        JobFile jf = JobFile.read(job);
        FitPlan plan;
        try {
            plan = FitPlan.build(jf, jf.execution().workers(), jf.output().folder());
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        try (plan) {
            List<JobFileException.Problem> templates = plan.checkTemplates();
            if (!templates.isEmpty()) {
                throw new JobFileException(templates);
            }
            Parameters p = plan.initial();
            Map<String, Double> changes = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : set.entrySet()) {
                if (!p.contains(e.getKey())) {
                    String s = Names.closest(e.getKey(), p.names());
                    throw new UserException("--set names unknown parameter '" + e.getKey() + "'" + (s == null ? "" : " (did you mean '" + s
                            + "'?)") + "; parameters: " + String.join(", ", p.names()));
                }
                try {
                    double v = Double.parseDouble(e.getValue().trim());
                    if (!Double.isFinite(v)) {
                        throw new NumberFormatException();
                    }
                    changes.put(e.getKey(), v);
                } catch (NumberFormatException ex) {
                    throw new UserException("--set " + e.getKey() + " must be a finite number, got '" + e.getValue() + "'");
                }
            }
            p = p.withAll(changes);
            EvaluationContext ctx;
            try {
                ctx = plan.evaluateOnce(p);
            } catch (TermFailedException e) {
                err().println("error: the evaluation failed: " + e.getMessage());
                return ExitCodes.FIT_FAILED;
            }
            out().println("parameters: " + p);
            out().println("loss: " + Tables.fmt(ctx.loss()));
            out().println();
            java.util.List<java.util.List<String>> rows = new java.util.ArrayList<>();
            rows.add(java.util.List.of("term", "kind", "weight", "loss", "contribution", "share", "seconds", "status"));
            double total = 0;
            for (EvaluationContext c : ctx.children()) {
                total += Double.isFinite(c.contribution()) ? c.contribution() : 0;
            }
            for (int i = 0; i < ctx.children().size(); i++) {
                EvaluationContext c = ctx.child(i);
                rows.add(java.util.List.of(c.name(), jf.terms().get(i).kind(), Tables.fmt(c.weight()), Tables.fmt(c.value()),
                        Tables.fmt(c.contribution()),
                        total > 0 && Double.isFinite(c.contribution()) ? String.format(java.util.Locale.ROOT, "%.1f%%", 100 * c.contribution() / total) : "-",
                        String.format(java.util.Locale.ROOT, "%.3f", c.seconds()), c.status().name().toLowerCase(java.util.Locale.ROOT)));
            }
            Tables.print(out(), rows);
            for (EvaluationContext c : ctx.children()) {
                if (c.failure() != null) {
                    out().println("term '" + c.name() + "' failed: " + c.failure().getMessage());
                }
            }
            return ExitCodes.OK;
        }
    }
}

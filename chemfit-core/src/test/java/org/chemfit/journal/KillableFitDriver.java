package org.chemfit.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.chemfit.ChemFitException;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;

/**
 * A fit run in its own JVM so that a test can kill it with SIGKILL: three terms, each running an
 * external program (a bash script that counts its runs in a file, sleeps, and prints a number
 * computed by awk), recorded in a journal.
 *
 * <pre>
 * java -cp ... org.chemfit.journal.KillableFitDriver SCRIPT JOURNAL_DIR WORK_DIR RESULT_FILE resume|restart
 * </pre>
 *
 * <p>The result file holds the best loss and parameters as raw bits, so a test compares them bit
 * for bit.
 */
public final class KillableFitDriver {

    static final int TERMS = 3;
    static final int MAX_EVALUATIONS = 20;

    private KillableFitDriver() {
    }

    /** Runs the script in a fresh run directory per attempt and reads the number it printed. */
    record ScriptComputer(Path script, Path workDir, int term) implements QuantityComputer {
        @Override
        public Quantities compute(Parameters p) {
            throw new UnsupportedOperationException("needs a context");
        }

        @Override
        public Quantities compute(Parameters p, EvaluationContext ctx) {
            try {
                Path runDir = Files.createTempDirectory(workDir, ctx.evaluationId() + "-t" + term + "-");
                ctx.put("run_directory", runDir.toString());
                Process proc = new ProcessBuilder("bash", script.toString(), Integer.toString(term),
                        Double.toString(p.get("x")), Double.toString(p.get("y")), runDir.toString())
                        .redirectErrorStream(true).redirectOutput(runDir.resolve("log.txt").toFile()).start();
                if (!proc.waitFor(60, TimeUnit.SECONDS)) {
                    proc.destroyForcibly();
                    throw new ChemFitException("the program of term " + term + " did not finish in 60 s in " + runDir);
                }
                if (proc.exitValue() != 0) {
                    throw new ChemFitException("the program of term " + term + " exited with " + proc.exitValue() + " in " + runDir);
                }
                String out = Files.readString(runDir.resolve("out.txt")).trim();
                return Quantities.of("y", Double.parseDouble(out));
            } catch (IOException e) {
                throw new ChemFitException("term " + term + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChemFitException("term " + term + " interrupted", e);
            }
        }
    }

    static ObjectiveFunction objective(Path script, Path workDir) {
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int i = 0; i < TERMS; i++) {
            terms.add(new ScriptComputer(script, workDir, i).withLoss(q -> q.get("y")));
        }
        return new CombinedObjectiveFunction(terms, List.of(1.0, 0.5, 2.0)).withTermNames(List.of("alpha", "beta", "gamma"));
    }

    /**
     * @param args script, journal directory, work directory, result file, resume|restart
     * @throws Exception when the fit fails (the exit code is then 1)
     */
    public static void main(String[] args) throws Exception {
        Path script = Path.of(args[0]);
        Path journalDir = Path.of(args[1]);
        Path workDir = Path.of(args[2]);
        Path resultFile = Path.of(args[3]);
        JournalMode mode = args[4].equals("restart") ? JournalMode.restart() : JournalMode.resumeLatest();
        Files.createDirectories(workDir);
        Files.createDirectories(journalDir);
        try (Journal journal = Journal.open(journalDir)) {
            Map<String, Double> initial = new LinkedHashMap<>();
            initial.put("x", 0.5);
            initial.put("y", 0.25);
            FitResult r = new Fitter(objective(script, workDir), initial)
                    .seed(5)
                    .maxEvaluations(MAX_EVALUATIONS)
                    .jobSettings(Map.of("program", "counter.sh", "terms", TERMS))
                    .journal(journal, mode)
                    .fit("Nelder-Mead");
            StringBuilder sb = new StringBuilder();
            sb.append("loss ").append(Long.toHexString(Double.doubleToRawLongBits(r.bestLoss()))).append('\n');
            for (String n : r.bestParameters().names()) {
                sb.append(n).append(' ').append(Long.toHexString(Double.doubleToRawLongBits(r.bestParameters().get(n))))
                        .append('\n');
            }
            sb.append("evaluations ").append(r.evaluations()).append('\n');
            sb.append("stop ").append(r.stopReason()).append('\n');
            Path tmp = resultFile.resolveSibling(resultFile.getFileName() + ".tmp");
            Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, resultFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}

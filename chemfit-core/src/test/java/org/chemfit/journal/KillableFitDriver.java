package org.chemfit.journal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.ObjectiveFunction;
import org.chemfit.external.FileBasedQuantityComputer;
import org.chemfit.external.KeepPolicy;
import org.chemfit.external.OutputParsers;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.read.JournalReader;

/**
 * A fit run in its own JVM so that a test can kill it with SIGKILL: three terms, each running an
 * external program through a {@link FileBasedQuantityComputer} (a bash script that counts its runs
 * in a file and prints a number computed by awk), recorded in a journal.
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

    private KillableFitDriver() {}

    /**
     * One term per index: the program runs in a fresh run directory per evaluation and attempt,
     * reads the parameters from a rendered template and writes {@code value <number>} to out.txt.
     */
    static ObjectiveFunction objective(Path script, Path workDir) {
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int i = 0; i < TERMS; i++) {
            FileBasedQuantityComputer program = FileBasedQuantityComputer.builder()
                    .name("t" + i)
                    .workDirectory(workDir)
                    .templateText("params.txt", "{{ x }} {{ y }}\n")
                    .command("bash", script.toString(), Integer.toString(i))
                    .timeout(Duration.ofSeconds(60))
                    .output(OutputParsers.regex("y", "out.txt", "value (\\S+)"))
                    .keep(KeepPolicy.ALL)
                    .build();
            terms.add(program.withLoss(q -> q.get("y")));
        }
        return new CombinedObjectiveFunction(terms, List.of(1.0, 0.5, 2.0))
                .withTermNames(List.of("alpha", "beta", "gamma"));
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
        try (JournalReader journal = JournalReader.open(journalDir)) {
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
            sb.append("loss ")
                    .append(Long.toHexString(Double.doubleToRawLongBits(r.bestLoss())))
                    .append('\n');
            for (String n : r.bestParameters().names()) {
                sb.append(n)
                        .append(' ')
                        .append(Long.toHexString(
                                Double.doubleToRawLongBits(r.bestParameters().get(n))))
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

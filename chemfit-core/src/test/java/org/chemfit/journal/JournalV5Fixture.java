package org.chemfit.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.read.JournalReader;

/**
 * The fit behind the test fixture {@code journal-v5.sqlite}: a journal of schema version 5, whose
 * evaluations of fast terms are records of the first layout ({@code CFE} 1), cut off by a kill in
 * the middle of its ninth evaluation. It is the fit of {@link FastTermsFitDriver} (40 in-process
 * terms with an energy and six forces each, Nelder-Mead) under settings of its own.
 *
 * <p>{@code main OUT_DIR} wrote it (with the version of the time on the class path): the process
 * halts, as under SIGKILL, when the term run number {@link #HALT_AT} starts, leaving its last
 * records in the pending file; {@code main OUT_DIR fold}, with the same version, then resumed the
 * fit, which copied them into the database and replayed the recorded evaluations, and halted it
 * again at its first term run (so the file holds two attempts, both cut off); the write-ahead log
 * was then folded into the file with {@code sqlite3 journal.sqlite "PRAGMA wal_checkpoint(TRUNCATE)"}
 * and the emptied pending file removed.
 *
 * <pre>
 * java -cp chemfit-core/target/classes:chemfit-core/target/test-classes:... \
 *     org.chemfit.journal.JournalV5Fixture OUT_DIR [fold]
 * </pre>
 */
public final class JournalV5Fixture {

    /** The term run at which the fixture's fit was cut off (1-based, 40 per evaluation). */
    static final int HALT_AT = 8 * FastTermsFitDriver.TERMS + 21;

    static final Map<String, Object> SETTINGS = Map.of("fixture", "journal-v5", "terms", FastTermsFitDriver.TERMS);

    private JournalV5Fixture() {}

    /**
     * @param journal the fixture's journal
     * @param runs counts the term runs
     * @param haltAt the term run at which the process halts, or -1
     * @return the fixture's fit
     */
    static Fitter fitter(JournalReader journal, AtomicInteger runs, int haltAt) {
        Map<String, Double> initial = new LinkedHashMap<>();
        initial.put("x", 0.5);
        initial.put("y", 0.25);
        return new Fitter(FastTermsFitDriver.objective(runs, haltAt), initial)
                .seed(3)
                .maxEvaluations(FastTermsFitDriver.MAX_EVALUATIONS)
                .jobSettings(SETTINGS)
                .journal(journal, JournalMode.resumeLatest());
    }

    /**
     * @param args the folder to write journal.sqlite in; then {@code fold} to resume the fit and
     *     halt it at its first term run
     * @throws Exception never: the process halts inside the fit
     */
    public static void main(String[] args) throws Exception {
        Path out = Files.createDirectories(Path.of(args[0]));
        int haltAt = args.length > 1 && args[1].equals("fold") ? 1 : HALT_AT;
        try (JournalReader j = JournalReader.open(out)) {
            fitter(j, new AtomicInteger(), haltAt).fit("Nelder-Mead");
        }
        throw new IllegalStateException("the fit should have been cut off at term run " + haltAt);
    }
}

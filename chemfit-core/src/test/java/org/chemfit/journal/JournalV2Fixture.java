package org.chemfit.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fit behind the test fixture {@code journal-v2.sqlite}: a journal of schema version 2
 * (quantities as binary, one row per finished leaf term), written by ChemFit 0.1 with the group
 * committing writer, and cut off by a kill in the middle of its thirteenth evaluation. It is the
 * fit of {@link LegacyJournalFixture} (three in-process terms, Nelder-Mead) under settings of its
 * own. {@link #main} wrote it (with the version of the time on the class path): the process
 * halts, as under SIGKILL, when the term run number {@link #HALT_AT} starts; the write-ahead log
 * was then folded into the file with {@code sqlite3 journal.sqlite "PRAGMA wal_checkpoint(TRUNCATE)"}.
 *
 * <pre>
 * java -cp chemfit-core/target/classes:chemfit-core/target/test-classes:... \
 *     org.chemfit.journal.JournalV2Fixture OUT_DIR
 * </pre>
 */
public final class JournalV2Fixture {

    /** The term run at which the fixture's fit was cut off (1-based, three per evaluation). */
    static final int HALT_AT = 39;

    static final Map<String, Object> SETTINGS = Map.of("fixture", "journal-v2", "terms", 3);

    private JournalV2Fixture() {}

    /**
     * @param args the folder to write journal.sqlite in
     * @throws Exception never: the process halts inside the fit
     */
    public static void main(String[] args) throws Exception {
        Path out = Files.createDirectories(Path.of(args[0]));
        Journal j = Journal.open(out);
        LegacyJournalFixture.fitter(LegacyJournalFixture.objective(new AtomicInteger(), HALT_AT), j, SETTINGS)
                .fit("Nelder-Mead");
        throw new IllegalStateException("the fit should have been cut off at term run " + HALT_AT);
    }
}

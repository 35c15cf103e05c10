package org.chemfit.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

/**
 * What SQLite itself costs per evaluation for the bytes of a journal record, apart from everything
 * ChemFit does around it: how a future layout of the journal would fare before it is written. Each
 * evaluation is a record of a given size; 100 evaluations are committed per transaction (what the
 * journal's writer commits at once when fast evaluations outrun it), in a database in WAL mode
 * with {@code synchronous=NORMAL}, as the journal opens it. The tables are the journal's,
 * simplified to the columns that the keys and indexes use: records with an index on their
 * evaluation (as {@code term_packs}), and evaluations keyed by run and number with an index on
 * their parameter key, a SHA-256 in hexadecimal (as {@code evaluations}; the journal's rows have
 * about twenty columns more). Four layouts, alternated round by round in one JVM so that the
 * machine's load falls on all alike:
 *
 * <ul>
 *   <li>{@code row + evaluation}: a record row and an evaluation row per evaluation (the journal's
 *       present layout);
 *   <li>{@code row}: a record row per evaluation, nothing else;
 *   <li>{@code commit row + evaluation}: the 100 records of a commit as one row, and an evaluation
 *       row per evaluation;
 *   <li>{@code commit row}: the 100 records of a commit as one row, nothing else.
 * </ul>
 *
 * <p>Prints the median over the rounds (and the range) of the committing thread's CPU time per
 * evaluation, opening, creating and closing the database included (a few milliseconds in 10,000
 * evaluations), and the database's bytes per evaluation once it is closed.
 *
 * <pre>
 * java -cp chemfit-benchmarks/target/benchmarks.jar org.chemfit.benchmarks.SqliteRowCostHarness \
 *     /dev/shm/sqlite-rows 9 4800 1500
 * </pre>
 */
public final class SqliteRowCostHarness {

    private static final int EVALUATIONS = 10_000;
    private static final int PER_COMMIT = 100;
    private static final String[] LAYOUTS = {"row + evaluation", "row", "commit row + evaluation", "commit row"};

    private SqliteRowCostHarness() {}

    /**
     * @param args a folder for the database (made if missing; the database is removed at the end),
     *     the rounds, then one or more record sizes in bytes
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/sqlite-row-cost");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        int[] sizes = args.length > 2
                ? Arrays.stream(args, 2, args.length)
                        .mapToInt(Integer::parseInt)
                        .toArray()
                : new int[] {4800, 1500};
        Files.createDirectories(dir);
        Path db = dir.resolve("rows.sqlite");
        String[] keys = new String[EVALUATIONS];
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < EVALUATIONS; i++) { // as the journal's keys: random places in the index
            keys[i] = HexFormat.of()
                    .formatHex(sha.digest(("lj.epsilon=" + (100.0 + i * 1e-3) + ";lj.sigma=" + (3.2 + i * 1e-6))
                            .getBytes(StandardCharsets.UTF_8)));
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[][][] cpu = new double[sizes.length][LAYOUTS.length][rounds];
        long[][] bytes = new long[sizes.length][LAYOUTS.length];
        for (int r = -2; r < rounds; r++) { // two rounds of warm-up
            for (int s = 0; s < sizes.length; s++) {
                byte[] record = new byte[sizes[s]];
                new Random(1).nextBytes(record); // doubles of a fit do not compress, nor do these
                byte[] group = new byte[sizes[s] * PER_COMMIT];
                for (int i = 0; i < PER_COMMIT; i++) {
                    System.arraycopy(record, 0, group, i * record.length, record.length);
                }
                for (int layout = 0; layout < LAYOUTS.length; layout++) {
                    delete(db);
                    long before = threads.getCurrentThreadCpuTime();
                    write(db, layout, record, group, keys);
                    long took = threads.getCurrentThreadCpuTime() - before;
                    if (r >= 0) {
                        cpu[s][layout][r] = took / 1e3 / EVALUATIONS;
                        bytes[s][layout] = Files.size(db) / EVALUATIONS;
                    }
                }
            }
        }
        delete(db);
        System.out.printf(
                "SQLite, %d evaluations, %d per commit, WAL, synchronous=NORMAL, in %s; median of %d rounds%n",
                EVALUATIONS, PER_COMMIT, dir.toAbsolutePath(), rounds);
        for (int s = 0; s < sizes.length; s++) {
            for (int layout = 0; layout < LAYOUTS.length; layout++) {
                double[] c = cpu[s][layout];
                System.out.printf(
                        "  record %6d B, %-24s CPU per evaluation %7.2f us (%.2f to %.2f), database %6d B per evaluation%n",
                        sizes[s],
                        LAYOUTS[layout],
                        Harnesses.median(c),
                        Arrays.stream(c).min().orElseThrow(),
                        Arrays.stream(c).max().orElseThrow(),
                        bytes[s][layout]);
            }
        }
    }

    /** Deletes the database and its WAL files, where they exist. */
    private static void delete(Path db) throws java.io.IOException {
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(db.resolveSibling(db.getFileName() + suffix));
        }
    }

    /** Writes the evaluations' records in one layout and closes the database (its last checkpoint included). */
    private static void write(Path db, int layout, byte[] record, byte[] group, String[] keys) throws SQLException {
        boolean perCommit = layout >= 2;
        boolean evaluations = layout == 0 || layout == 2;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("CREATE TABLE records (id INTEGER PRIMARY KEY, run_id INTEGER, evaluation_number INTEGER,"
                        + " body BLOB)");
                s.execute("CREATE INDEX records_by_evaluation ON records (run_id, evaluation_number)");
                s.execute("CREATE TABLE evaluations (run_id INTEGER, number INTEGER, parameter_key TEXT, loss REAL,"
                        + " PRIMARY KEY (run_id, number))");
                s.execute("CREATE INDEX evaluations_by_key ON evaluations (run_id, parameter_key)");
            }
            c.setAutoCommit(false);
            try (PreparedStatement rec = c.prepareStatement(
                            "INSERT INTO records (run_id, evaluation_number, body) VALUES (1, ?, ?)");
                    PreparedStatement ev = c.prepareStatement(
                            "INSERT INTO evaluations (run_id, number, parameter_key, loss) VALUES (1, ?, ?, ?)")) {
                for (int first = 0; first < EVALUATIONS; first += PER_COMMIT) {
                    if (perCommit) {
                        rec.setInt(1, first);
                        rec.setBytes(2, group);
                        rec.executeUpdate();
                    }
                    for (int i = first; i < first + PER_COMMIT; i++) {
                        if (!perCommit) {
                            rec.setInt(1, i);
                            rec.setBytes(2, record);
                            rec.executeUpdate();
                        }
                        if (evaluations) {
                            ev.setInt(1, i);
                            ev.setString(2, keys[i]);
                            ev.setDouble(3, i);
                            ev.executeUpdate();
                        }
                    }
                    c.commit();
                }
            }
        }
    }
}

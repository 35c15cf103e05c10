package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Objects;
import org.chemfit.fit.FitResult;

/**
 * What the tests of journals kept as fixtures share: copying one out, reading its schema version,
 * and comparing a resumed fit's result with the uninterrupted one's.
 */
final class JournalFiles {

    private JournalFiles() {}

    /**
     * @param dir a temporary folder
     * @param resource a journal kept beside the tests, e.g. {@code journal-v1.sqlite}
     * @return the copy, as the journal of the output folder {@code dir/out}
     */
    static Path copyOut(Path dir, String resource) throws Exception {
        Path f = dir.resolve("out").resolve(Journal.DEFAULT_FILE_NAME);
        Files.createDirectories(f.getParent());
        try (InputStream in = Objects.requireNonNull(JournalFiles.class.getResourceAsStream(resource), resource)) {
            Files.copy(in, f);
        }
        return f;
    }

    /**
     * Asserts that a resumed fit reached the uninterrupted one's result bit for bit: the best loss,
     * every best parameter, and the number of evaluations.
     *
     * @param uninterrupted the fit run without a kill
     * @param resumed the fit resumed from a journal
     */
    static void assertSameResult(FitResult uninterrupted, FitResult resumed) {
        assertEquals(
                Double.doubleToRawLongBits(uninterrupted.bestLoss()), Double.doubleToRawLongBits(resumed.bestLoss()));
        for (String n : uninterrupted.bestParameters().names()) {
            assertEquals(
                    Double.doubleToRawLongBits(uninterrupted.bestParameters().get(n)),
                    Double.doubleToRawLongBits(resumed.bestParameters().get(n)),
                    n);
        }
        assertEquals(uninterrupted.evaluations(), resumed.evaluations());
    }

    /** @return the journal file's {@code PRAGMA user_version}, its schema version */
    static int userVersion(Path f) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.getInt(1);
        }
    }
}

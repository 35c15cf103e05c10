package org.chemfit.journal;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Objects;

/** What the tests of journals kept as fixtures share: copying one out, and reading its schema version. */
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

    /** @return the journal file's {@code PRAGMA user_version}, its schema version */
    static int userVersion(Path f) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.getInt(1);
        }
    }
}

package org.chemfit.journal;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process that opens a journal, says which file its SQLite native library was loaded from (as
 * its memory map shows it), and then either ends or waits to be killed. Run by {@link
 * SqliteLibraryIT}.
 */
public final class SqliteLibraryDriver {

    private SqliteLibraryDriver() {}

    /**
     * @param args the journal's folder, then {@code end}, {@code wait}, or {@code missing} (the
     *     kept copy is said to be a file that does not exist: sqlite-jdbc loads its own)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        if (args[1].equals("missing")) {
            Path none = Path.of(System.getProperty("java.io.tmpdir"), "chemfit-missing", "no-such-library.so");
            System.out.println("loaded from the kept copy: " + SqliteLibrary.load(none));
        }
        try (Journal j = Journal.open(Path.of(args[0]))) {
            String lib = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .filter(l -> l.contains("sqlitejdbc"))
                    .map(l -> l.substring(l.indexOf('/')))
                    .findFirst()
                    .orElse("none");
            System.out.println("open " + lib + " properties " + System.getProperty(SqliteLibrary.LIB_PATH) + " "
                    + System.getProperty(SqliteLibrary.LIB_NAME) + " " + System.getProperty(SqliteLibrary.TMPDIR)
                    + (j.path().getFileName().toString().endsWith(".sqlite") ? "" : " (unexpected journal name)"));
            System.out.flush();
            if (args[1].equals("wait")) {
                Thread.sleep(120_000);
            }
        }
    }
}

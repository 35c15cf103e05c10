package org.chemfit.journal;

import java.nio.file.Path;

/**
 * A process that opens a journal, says which native library sqlite-jdbc was told to load, and
 * then either ends or waits to be killed. Run by {@link SqliteLibraryIT}.
 */
public final class SqliteLibraryDriver {

    private SqliteLibraryDriver() {}

    /**
     * @param args the journal's folder, then {@code end} or {@code wait}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        try (Journal j = Journal.open(Path.of(args[0]))) {
            System.out.println("open " + System.getProperty(SqliteLibrary.LIB_PATH) + " "
                    + System.getProperty(SqliteLibrary.LIB_NAME)
                    + (j.path().getFileName().toString().endsWith(".sqlite") ? "" : " (unexpected journal name)"));
            System.out.flush();
            if (args[1].equals("wait")) {
                Thread.sleep(120_000);
            }
        }
    }
}

package org.chemfit.journal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import org.chemfit.support.Reasons;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * The journal's file: where it is, whether its bytes are a sound SQLite database, and the
 * connection to it. Nothing here writes to the file: a damaged file is reported with what can
 * still be read and left as it is.
 *
 * <pre>{@code
 * Path f = JournalFile.resolve(Path.of("out"));       // out/journal.sqlite
 * Connection c = JournalFile.connect(f, false);       // header and quick_check passed
 * }</pre>
 *
 * @implNote Stateless and thread-safe; the connection returned belongs to the caller.
 */
final class JournalFile {

    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private JournalFile() {}

    /**
     * An existing directory not itself named {@value Journal#DEFAULT_FILE_NAME}, or a path that does
     * not exist and whose name has no dot (an output folder still to be made), means the journal file
     * {@value Journal#DEFAULT_FILE_NAME} in it; anything else is the journal file itself.
     */
    static Path resolve(Path path) {
        Objects.requireNonNull(path, "path");
        Path own = path.getFileName();
        if (Files.isDirectory(path) && !(own != null && own.toString().equals(Journal.DEFAULT_FILE_NAME))) {
            // a folder named as the journal file is a folder where the journal belongs, refused as such
            return path.resolve(Journal.DEFAULT_FILE_NAME);
        }
        Path name = path.getFileName();
        if (!Files.exists(path) && name != null && !name.toString().contains(".")) {
            return path.resolve(Journal.DEFAULT_FILE_NAME);
        }
        return path;
    }

    /** Creates the folder of a journal file to be written. */
    static void createFolder(Path f) {
        try {
            Path parent = f.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new JournalException("cannot create the folder of journal " + f + ": " + e.getMessage(), e);
        }
    }

    /**
     * @return why SQLite could not open the journal: a folder or file this user may not write
     *     (SQLite says only "unable to open database file"), else SQLite's own message
     */
    static String whyNotOpened(Path f, boolean readOnly, SQLException e) {
        Path dir = f.toAbsolutePath().getParent();
        if (!readOnly && Files.isRegularFile(f) && !Files.isWritable(f)) {
            return "permission denied: the file is not writable by this user";
        }
        if (!readOnly && dir != null && Files.isDirectory(dir) && !Files.isWritable(dir)) {
            return "permission denied: its folder " + dir + " is not writable by this user (SQLite creates its"
                    + " log files beside the journal)";
        }
        if (readOnly && Files.exists(f) && !Files.isReadable(f)) {
            return "permission denied: the file is not readable by this user";
        }
        if (String.valueOf(e.getMessage()).contains("Error opening connection") && !SqliteLibrary.loaded()) {
            return "SQLite's native library could not be loaded: sqlite-jdbc copies it into the temporary folder "
                    + System.getProperty("java.io.tmpdir") + " and loads it from there, which fails when that folder"
                    + " is missing, not writable by this user, or on a file system mounted noexec (a hardened /tmp);"
                    + " give a folder that is none of these as java.io.tmpdir (for the chemfit command,"
                    + " CHEMFIT_JAVA_OPTS=-Djava.io.tmpdir=DIR)";
        }
        return String.valueOf(e.getMessage());
    }

    /**
     * Opens a connection after checking the header, then runs SQLite's {@code quick_check}; writes
     * nothing.
     *
     * @throws JournalCorruptException when the header or the check finds damage
     * @throws JournalException when SQLite cannot open the file
     */
    static Connection connect(Path f, boolean readOnly) {
        List<String> problems = checkHeader(f);
        if (!problems.isEmpty()) {
            String line = textStart(f);
            if (line != null) {
                // a path mistyped (results.json, fit.yaml), not a journal that was damaged
                throw new JournalException("file " + f + " is not a ChemFit journal: it is a text file, not an SQLite"
                        + " database (it begins '" + line + "'); a fit's journal is the file "
                        + Journal.DEFAULT_FILE_NAME + " in its output folder");
            }
            throw corrupt(
                    f,
                    problems,
                    List.of("not known: SQLite is not asked to open a file whose header is wrong (sqlite3's .dump,"
                            + " below, may still read a part of it)"));
        }
        if (!readOnly) {
            refuseSideFilesNotWritable(f);
        }
        SqliteLibrary.prepare(); // before the process's first connection loads the native library
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setBusyTimeout(30_000);
        // sqlite-jdbc otherwise runs a query for the generated key after every insert (a term row)
        cfg.setGetGeneratedKeys(false);
        Path dir = f.toAbsolutePath().getParent();
        // A reader that may write where the journal is opens it for writing but writes nothing
        // (query_only, below): SQLite then removes its log and shared-memory file when the last
        // connection closes, as after a fit, instead of leaving them beside a finished journal.
        boolean readerMayWrite =
                readOnly && Files.isWritable(f) && (dir == null || !Files.isDirectory(dir) || Files.isWritable(dir));
        cfg.setReadOnly(readOnly && !readerMayWrite);
        if (readerMayWrite) {
            // a journal removed since it was found is not made anew, empty, by a reader
            cfg.resetOpenMode(SQLiteOpenMode.CREATE);
        }
        Properties props = cfg.toProperties();
        // A reader in a folder it may not write in (an archive, a colleague's results): SQLite would
        // create its shared-memory file beside a journal in WAL mode, and fails. When the log holds
        // nothing, nobody is writing and the database file alone is the whole journal: it is read as
        // an immutable file, which needs no file beside it.
        boolean folderReadOnly = readOnly && dir != null && Files.isDirectory(dir) && !Files.isWritable(dir);
        boolean immutable = folderReadOnly && Files.isRegularFile(f) && !walHolds(f);
        Connection c;
        try {
            c = DriverManager.getConnection("jdbc:sqlite:" + (immutable ? immutableUri(f) : uri(f)), props);
        } catch (SQLException e) {
            throw new JournalException("cannot open journal " + f + ": " + whyNotOpened(f, readOnly, e), e);
        }
        List<String> check;
        try {
            if (readOnly) {
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA query_only = 1");
                }
            }
            check = pragmaLines(c, "PRAGMA quick_check(20)");
        } catch (SQLException e) {
            if (folderReadOnly && !immutable && walHolds(f) && cannotOpen(e)) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // the reason below is the one reported
                }
                throw new JournalException(
                        "cannot read journal " + f + ": its folder " + dir + " is not writable by this user, and its"
                                + " log " + f.getFileName() + "-wal holds records that only a reader allowed to write"
                                + " beside it can read (SQLite's shared-memory file); copy the folder to one you may"
                                + " write in and read the copy",
                        e);
            }
            check = List.of(e.getMessage());
        }
        if (!check.equals(List.of("ok"))) {
            List<String> readable = readable(c);
            try {
                c.close();
            } catch (SQLException ignored) {
                // the damage is what we report
            }
            throw corrupt(f, check, readable);
        }
        return c;
    }

    /**
     * Refuses, before SQLite opens it for writing, a journal whose log or shared-memory file this
     * user may not write: left by another user's reader (a report or a dashboard of a colleague,
     * who may write in the folder but not the journal), they would let SQLite open the journal and
     * then fail at the first write with "attempt to write a readonly database".
     */
    private static void refuseSideFilesNotWritable(Path f) {
        if ((Files.exists(f) && !Files.isWritable(f)) || JournalLock.held(f)) {
            // the journal itself may not be written, or another fit writes it and owns its log:
            // those are said by the checks that follow, not blamed on a reader
            return;
        }
        List<String> unwritable = new ArrayList<>();
        String owners = "";
        for (String side : List.of("-wal", "-shm")) {
            Path p = f.resolveSibling(f.getFileName() + side);
            if (Files.isRegularFile(p) && !Files.isWritable(p)) {
                unwritable.add(p.getFileName().toString());
                try {
                    String owner = Files.getOwner(p).getName();
                    owners = owners.contains(owner) ? owners : owners.isEmpty() ? owner : owners + " and " + owner;
                } catch (IOException | UnsupportedOperationException e) {
                    // the owner is only named when it can be read
                }
            }
        }
        if (unwritable.isEmpty()) {
            return;
        }
        boolean logEmpty = !walHolds(f);
        throw new JournalException("cannot write journal " + f + ": SQLite's "
                + String.join(" and ", unwritable) + " beside it "
                + (unwritable.size() == 1 ? "is" : "are") + " not writable by this user"
                + (owners.isEmpty() ? "" : " (owned by " + owners + ")")
                + ", as a report or dashboard of another user leaves them"
                + (logEmpty
                        ? "; the log holds no records, so delete " + f.getFileName() + "-wal and " + f.getFileName()
                                + "-shm while nothing has the journal open, and run again"
                        : "; the log holds records, so give both files to this user (chown) rather than delete"
                                + " them, and run again"));
    }

    /** @return whether SQLite's error is that it could not open or create a file (not damage) */
    private static boolean cannotOpen(SQLException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("SQLITE_CANTOPEN") || m.contains("SQLITE_READONLY") || m.contains("SQLITE_PERM");
    }

    /** @return whether the journal's write-ahead log exists and holds anything */
    static boolean walHolds(Path f) {
        Path wal = f.resolveSibling(f.getFileName() + "-wal");
        try {
            return Files.exists(wal) && Files.size(wal) > 0;
        } catch (IOException e) {
            return true;
        }
    }

    /** @return the journal as an SQLite URI of an immutable file (a path's '%', '?' and '#' escaped) */
    static String immutableUri(Path f) {
        return uri(f) + "?immutable=1";
    }

    /**
     * @param f a journal file
     * @return its SQLite URI ({@code file:/out/journal.sqlite}), with the characters a URI gives a
     *     meaning escaped: a plain path holding {@code ?} ({@code out/a?&b/journal.sqlite}) would be
     *     cut there by sqlite-jdbc, which reads what follows as its options, and the journal would be
     *     opened in another folder
     */
    static String uri(Path f) {
        String path = f.toAbsolutePath()
                .toString()
                .replace("%", "%25")
                .replace("?", "%3f")
                .replace("#", "%23");
        return "file:" + path;
    }

    /**
     * @return the start of a file's first line when its first bytes are text (UTF-8 without control
     *     characters but tabs and line ends), else null; a journal's pages are binary from the start
     */
    static @Nullable String textStart(Path f) {
        byte[] head;
        try (InputStream in = Files.newInputStream(f)) {
            head = in.readNBytes(256);
        } catch (IOException e) {
            return null;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(head, 0, utf8Boundary(head)))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
        if (text.isBlank() || text.chars().anyMatch(c -> c < 0x20 && c != '\t' && c != '\n' && c != '\r')) {
            return null;
        }
        String first = text.strip().lines().findFirst().orElse("");
        return first.length() > 60 ? first.substring(0, 60) + "..." : first;
    }

    /** @return the length of the bytes without a UTF-8 sequence cut at their end */
    private static int utf8Boundary(byte[] b) {
        int end = b.length;
        for (int back = 1; back <= 3 && end - back >= 0; back++) {
            int c = b[end - back] & 0xFF;
            if (c >= 0xC0) { // a lead byte: cut before it when its sequence does not fit
                int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
                return len > back ? end - back : end;
            }
            if (c < 0x80) {
                return end;
            }
        }
        return end;
    }

    /**
     * Refuses a journal path that names something other than a file: a folder, or a named pipe,
     * socket or device, whose open would wait for a writer (a pipe) or never end (SQLite and the
     * header's read both open it).
     *
     * @throws JournalException when the path exists and is no regular file
     */
    static void refuseOtherKinds(Path f) {
        if (Files.isRegularFile(f)) {
            return;
        }
        String kind;
        if (Files.isDirectory(f)) {
            kind = "it is a folder, not a file";
        } else if (Files.exists(f)) {
            kind = "it is not a regular file (a named pipe, a socket or a device)";
        } else if (Files.isSymbolicLink(f)) {
            kind = Reasons.danglingLink(f); // SQLite would say only that it cannot open the file
        } else {
            return; // nothing there: a journal to be made
        }
        throw new JournalException("cannot read journal " + f + ": " + kind + "; a journal is an SQLite file");
    }

    /** @return what is wrong with the first 100 bytes (empty when fine or the file is new) */
    static List<String> checkHeader(Path f) {
        refuseOtherKinds(f);
        if (!Files.exists(f)) {
            return List.of();
        }
        long size;
        byte[] head = new byte[100];
        int n;
        try (InputStream in = Files.newInputStream(f)) {
            size = Files.size(f);
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new JournalException("cannot read journal " + f + ": " + Reasons.of(e, f), e);
        }
        if (size == 0) {
            return List.of();
        }
        List<String> p = new ArrayList<>();
        if (n < MAGIC.length || !Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            p.add("the file does not start with the SQLite header \"SQLite format 3\": its first bytes are "
                    + HexFormat.ofDelimiter(" ").formatHex(head, 0, Math.min(n, 16)));
            return p;
        }
        if (n < 100) {
            p.add("the file is " + size + " bytes long, shorter than an SQLite header (100 bytes): it was cut short");
            return p;
        }
        ByteBuffer b = ByteBuffer.wrap(head);
        int pageSize = b.getShort(16) & 0xFFFF;
        if (pageSize == 1) {
            pageSize = 65536;
        }
        if (pageSize < 512 || Integer.bitCount(pageSize) != 1) {
            p.add("the header gives an invalid page size " + pageSize);
            return p;
        }
        int pages = b.getInt(28);
        boolean sizeValid = b.getInt(24) == b.getInt(92) && pages > 0;
        if (sizeValid && !walHolds(f) && size < (long) pages * pageSize) {
            p.add("the file is " + size + " bytes long but its header says " + pages + " pages of " + pageSize
                    + " bytes (" + (long) pages * pageSize + " bytes): it was cut short");
        }
        return p;
    }

    private static JournalCorruptException corrupt(Path f, List<String> problems, List<String> readable) {
        StringBuilder sb = new StringBuilder("journal ").append(f).append(" is damaged: ");
        sb.append(String.join("; ", problems.subList(0, Math.min(5, problems.size()))));
        if (problems.size() > 5) {
            sb.append("; and ").append(problems.size() - 5).append(" more problems");
        }
        sb.append(". Still readable: ")
                .append(String.join("; ", readable))
                .append(". The file was left untouched. ")
                .append("To salvage what is readable into a new file that sqlite3 and pandas read (chemfit does"
                        + " not: rows of it may be lost that others name): sqlite3 ")
                .append(quoted(f))
                // .dump ends with ROLLBACK when a page cannot be read, which would drop every row it
                // wrote: COMMIT keeps them (.recover does better, but many sqlite3 builds lack it).
                // .dump leaves out the marks that say the file is a journal: chemfit knows a salvaged
                // file by that (JournalSchema.identify)
                .append(" .dump | sed 's/^ROLLBACK; -- due to errors$/COMMIT;/' | sqlite3 ")
                .append(quoted(f.resolveSibling(f.getFileName() + ".recovered")))
                .append(" ; or start the fit again in a new output folder (or after moving this file away).");
        return new JournalCorruptException(sb.toString(), f, problems, readable);
    }

    /** @return the path as one word of a POSIX shell's command line */
    private static String quoted(Path p) {
        String s = p.toString();
        return s.matches("[A-Za-z0-9_./+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    /** @return one line per table saying how many rows can still be read */
    private static List<String> readable(Connection c) {
        List<String> out = new ArrayList<>();
        for (String t : JournalSchema.TABLES) {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM " + t)) {
                long n = rs.next() ? rs.getLong(1) : 0;
                String extra = "";
                if (t.equals("evaluations")) {
                    try (ResultSet r2 =
                            s.executeQuery("SELECT count(*), max(number) FROM evaluations WHERE state = 'COMPLETE'")) {
                        if (r2.next()) {
                            extra = " (" + r2.getLong(1) + " complete, the last number " + r2.getObject(2) + ")";
                        }
                    }
                }
                out.add(t + ": " + n + " rows" + extra);
            } catch (SQLException e) {
                out.add(t + ": unreadable (" + e.getMessage() + ")");
            }
        }
        return out;
    }

    static List<String> pragmaLines(Connection c, String sql) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
        }
        return lines;
    }
}

package org.chemfit.journal;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * Where sqlite-jdbc loads its native library from: a copy kept from one process to the next,
 * instead of the fresh copy that sqlite-jdbc writes into the temporary folder on every start.
 *
 * <p>By itself, sqlite-jdbc copies its library (about 1.1 MB on Linux) out of its jar into {@code
 * java.io.tmpdir} under a new name each time a process first opens a database, and first lists
 * that folder to remove the copies of processes that ended. A process that is killed (SIGKILL, the
 * end of an HPC allocation, an out-of-memory kill) leaves its copy and the lock file beside it
 * behind for good, and every later start lists them all again. With the copy kept here, a start
 * only checks a file: on a machine whose temporary folder held the copies of 1,800 killed
 * processes, loading the library took 13 to 24 ms instead of 160 to 190 ms (docs/benchmarks.md,
 * "SQLite's native library").
 *
 * <p>The copy is {@code chemfit-sqlitejdbc-VERSION-CRC.so} (the library's CRC-32 as the jar
 * records it) in {@code java.io.tmpdir/chemfit-USER}, a folder that only its owner can enter,
 * written under another name and then renamed, so that a process never sees half of it. The
 * folder is used only when it is a folder (not a link) owned by the user running the process with
 * no permission for anyone else; otherwise, and when any of sqlite-jdbc's own properties ({@code
 * org.sqlite.lib.path}, {@code org.sqlite.lib.name}, {@code org.sqlite.tmpdir}) is set, or on a
 * file system without POSIX permissions, sqlite-jdbc loads its library its own way. The choice is
 * made through those three system properties, before the process's first connection.
 *
 * <p>Written by hand: sqlite-jdbc offers the properties but no such cache.
 */
final class SqliteLibrary {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteLibrary.class);

    static final String LIB_PATH = "org.sqlite.lib.path";
    static final String LIB_NAME = "org.sqlite.lib.name";
    static final String TMPDIR = "org.sqlite.tmpdir";

    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private SqliteLibrary() {}

    /** Prepared once per process, before the first connection. */
    private static final class Once {
        static final boolean DONE = prepareForThisProcess();
    }

    /** Points sqlite-jdbc at the kept copy of its library, once per process (see the class comment). */
    static void prepare() {
        if (!Once.DONE) {
            LOG.debug("sqlite-jdbc loads its native library its own way");
        }
    }

    private static boolean prepareForThisProcess() {
        if (System.getProperty(LIB_PATH) != null
                || System.getProperty(LIB_NAME) != null
                || System.getProperty(TMPDIR) != null) {
            return false; // the user's choice
        }
        String tmp = System.getProperty("java.io.tmpdir");
        String user = System.getProperty("user.name");
        if (tmp == null || user == null) {
            return false;
        }
        Optional<Path> lib = keptCopy(Path.of(tmp), user);
        if (lib.isEmpty()) {
            return false;
        }
        Path dir = java.util.Objects.requireNonNull(lib.get().getParent(), "a file in a folder");
        System.setProperty(LIB_PATH, dir.toString());
        System.setProperty(LIB_NAME, lib.get().getFileName().toString());
        // sqlite-jdbc lists this folder, not the shared one, for copies of ended processes
        System.setProperty(TMPDIR, dir.toString());
        return true;
    }

    /**
     * @param tmp the temporary folder
     * @param user the user's name
     * @return the kept copy of the library, written now when missing; empty when there is no
     *     library to copy or no folder that is safe to keep it in
     */
    static Optional<Path> keptCopy(Path tmp, String user) {
        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
        URL url = SQLiteJDBCLoader.class.getResource(resource);
        if (url == null) {
            return Optional.empty(); // no library in the jar for this system: sqlite-jdbc looks elsewhere
        }
        try {
            Path dir = tmp.resolve("chemfit-" + user.replaceAll("[^A-Za-z0-9._-]", "_"));
            if (!ownFolder(dir, user)) {
                return Optional.empty();
            }
            URLConnection c = url.openConnection();
            long crc = -1;
            long size = c.getContentLengthLong();
            if (c instanceof JarURLConnection jar) {
                ZipEntry e = jar.getJarEntry();
                crc = e == null ? -1 : e.getCrc();
            }
            String name = "chemfit-sqlitejdbc-" + SQLiteJDBCLoader.getVersion()
                    + (crc >= 0 ? String.format(java.util.Locale.ROOT, "-%08x", crc) : "-" + size)
                    + suffix(LibraryLoaderUtil.getNativeLibName());
            Path lib = dir.resolve(name);
            if (Files.isRegularFile(lib, LinkOption.NOFOLLOW_LINKS) && (size < 0 || Files.size(lib) == size)) {
                return Optional.of(lib);
            }
            Path part = Files.createTempFile(dir, name, ".part");
            try {
                try (InputStream in = c.getInputStream()) {
                    Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                }
                if (size >= 0 && Files.size(part) != size) {
                    return Optional.empty();
                }
                Files.setPosixFilePermissions(part, OWNER_ONLY);
                Files.move(part, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(part);
            }
            return Optional.of(lib);
        } catch (IOException | RuntimeException e) {
            LOG.debug("sqlite-jdbc's native library is not kept: {}", e.toString());
            return Optional.empty();
        }
    }

    /** @return ".so", ".dylib" or ".dll", as the library's name ends */
    private static String suffix(String libName) {
        int dot = libName.lastIndexOf('.');
        return dot < 0 ? "" : libName.substring(dot);
    }

    /**
     * Creates the folder, readable by its owner only, when missing.
     *
     * @return whether it is a folder (not a link) of the user, that no one else may read or write
     */
    static boolean ownFolder(Path dir, String user) throws IOException {
        PosixFileAttributeView view =
                Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return false; // no POSIX permissions on this file system
        }
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException e) {
            // made by an earlier process: checked below
        }
        PosixFileAttributes a = view.readAttributes();
        @Nullable UserPrincipal me = null;
        try {
            me = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
        } catch (IOException | UnsupportedOperationException e) {
            // a user without a name the system knows: not checked, not used
        }
        return a.isDirectory()
                && !a.isSymbolicLink()
                && me != null
                && me.equals(a.owner())
                && a.permissions().equals(OWNER_ONLY);
    }
}

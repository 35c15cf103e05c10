package org.chemfit.journal;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
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
 * behind for good, and every later start lists them all again. With the copy kept here, loading
 * took 13 to 24 ms instead of 160 to 190 ms on a machine whose temporary folder held the copies of
 * 1,800 killed processes (docs/benchmarks.md, "SQLite's native library").
 *
 * <p>The copy is {@code chemfit-sqlitejdbc-VERSION-CRC} (the library's CRC-32 as the jar records
 * it; its contents are checked against it before each use) in {@code java.io.tmpdir/chemfit-USER},
 * written under another name and then renamed, so that a process never sees half of it; copies of
 * other versions and parts left by a killed copy are removed when a new copy is written. The
 * folder is used only when it is a folder (not a link) of the process's user that no one else may
 * read or write, in a folder where no one else can rename it (owned by that user or root, and
 * sticky, as {@code /tmp} is, or writable by its owner only). Otherwise, and when any of sqlite-jdbc's own properties ({@code
 * org.sqlite.lib.path}, {@code org.sqlite.lib.name}, {@code org.sqlite.tmpdir}) is set, or on a
 * system other than Linux (the process's user id is read from {@code /proc/self}), sqlite-jdbc
 * loads its library its own way.
 *
 * <p>The library is loaded here, through those three properties, which are then cleared: nothing
 * of this outlives the loading. When loading the kept copy fails (it was removed a moment after it
 * was checked, say), sqlite-jdbc logs why and loads its library its own way.
 *
 * <p>Written by hand: sqlite-jdbc offers the properties but no such cache.
 */
final class SqliteLibrary {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteLibrary.class);

    static final String LIB_PATH = "org.sqlite.lib.path";
    static final String LIB_NAME = "org.sqlite.lib.name";
    static final String TMPDIR = "org.sqlite.tmpdir";

    private static final String PREFIX = "chemfit-sqlitejdbc-";

    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    /** How old a copy of another version, or a part of a copy, is before it is removed. */
    private static final long STALE_MILLIS = 60_000;

    private SqliteLibrary() {}

    /** Prepared once per process, before the first connection. */
    private static final class Once {
        static final boolean KEPT = prepareForThisProcess();
    }

    /** Loads sqlite-jdbc's library from the kept copy, once per process (see the class comment). */
    static void prepare() {
        if (!Once.KEPT) {
            LOG.debug("sqlite-jdbc loads its native library its own way");
        }
    }

    private static boolean prepareForThisProcess() {
        try {
            if (System.getProperty(LIB_PATH) != null
                    || System.getProperty(LIB_NAME) != null
                    || System.getProperty(TMPDIR) != null) {
                return false; // the user's choice
            }
            String tmp = System.getProperty("java.io.tmpdir");
            if (tmp == null) {
                return false;
            }
            Optional<Path> lib = keptCopy(Path.of(tmp), System.getProperty("user.name"));
            return lib.isPresent() && load(lib.get());
        } catch (RuntimeException e) {
            LOG.debug("sqlite-jdbc's native library is not kept: {}", e.toString());
            return false;
        }
    }

    /**
     * Loads the library from {@code lib}; when that fails, lets sqlite-jdbc load it its own way.
     *
     * @return whether it was loaded from {@code lib}
     */
    static boolean load(Path lib) {
        Path dir = java.util.Objects.requireNonNull(lib.getParent(), "a file in a folder");
        boolean loaded;
        System.setProperty(LIB_PATH, dir.toString());
        System.setProperty(LIB_NAME, lib.getFileName().toString());
        // sqlite-jdbc lists this folder, not the shared one, for copies of ended processes
        System.setProperty(TMPDIR, dir.toString());
        try {
            loaded = SQLiteJDBCLoader.initialize();
        } catch (Exception | UnsatisfiedLinkError e) {
            loaded = false;
            LOG.debug("sqlite-jdbc could not load {}: {}", lib, e.toString());
        } finally {
            System.clearProperty(LIB_PATH);
            System.clearProperty(LIB_NAME);
            System.clearProperty(TMPDIR);
        }
        if (!loaded) {
            try {
                SQLiteJDBCLoader.initialize(); // its own way; a failure shows at the connection
            } catch (Exception e) {
                LOG.debug("sqlite-jdbc could not load its native library: {}", e.toString());
            }
        }
        return loaded;
    }

    /** @return whether sqlite-jdbc's native library is loaded in this process (it loads it when asked, once) */
    static boolean loaded() {
        try {
            return SQLiteJDBCLoader.isNativeMode();
        } catch (Exception | LinkageError e) {
            return false;
        }
    }

    /** @return the name of the user's folder in the temporary folder */
    static String folderName(String user) {
        return "chemfit-" + user.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /**
     * @param tmp the temporary folder
     * @param user the user's name, or null when unknown
     * @return the kept copy of the library, written now when missing or not the library; empty when
     *     there is no library to copy or no folder that is safe to keep it in
     */
    static Optional<Path> keptCopy(Path tmp, @org.jspecify.annotations.Nullable String user) {
        try {
            OptionalInt uid = processUid();
            if (uid.isEmpty()) {
                return Optional.empty();
            }
            String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
            URL url = SQLiteJDBCLoader.class.getResource(resource);
            if (url == null) {
                return Optional.empty(); // no library in the jar for this system: sqlite-jdbc looks elsewhere
            }
            Path dir = tmp.resolve(folderName(user == null || user.isBlank() ? "uid" + uid.getAsInt() : user));
            if (!safeParent(tmp, uid.getAsInt())) {
                return Optional.empty();
            }
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException e) {
                // made by an earlier process: checked below
            }
            if (!ownFolder(dir, uid.getAsInt())) {
                return Optional.empty();
            }
            URLConnection c = url.openConnection();
            long size = c.getContentLengthLong();
            long crc = -1;
            if (c instanceof JarURLConnection jar) {
                ZipEntry e = jar.getJarEntry();
                crc = e == null ? -1 : e.getCrc();
            }
            String name = PREFIX
                    + SQLiteJDBCLoader.getVersion()
                    + (crc >= 0 ? String.format(Locale.ROOT, "-%08x", crc) : "-" + size)
                    + suffix(LibraryLoaderUtil.getNativeLibName());
            Path lib = dir.resolve(name);
            if (Files.isRegularFile(lib, LinkOption.NOFOLLOW_LINKS) && holds(lib, size, crc)) {
                return Optional.of(lib);
            }
            Path part = Files.createTempFile(dir, name, ".part");
            try {
                try (InputStream in = c.getInputStream()) {
                    Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                }
                if (!holds(part, size, crc)) {
                    return Optional.empty();
                }
                Files.setPosixFilePermissions(part, OWNER_ONLY);
                Files.move(part, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(part);
            }
            removeStale(dir, lib);
            return Optional.of(lib);
        } catch (IOException | RuntimeException e) {
            LOG.debug("sqlite-jdbc's native library is not kept: {}", e.toString());
            return Optional.empty();
        }
    }

    /** @return whether the file has the size and, when known, the CRC-32 given */
    private static boolean holds(Path f, long size, long crc) throws IOException {
        if (size >= 0 && Files.size(f) != size) {
            return false;
        }
        if (crc < 0) {
            return true;
        }
        CRC32 sum = new CRC32();
        sum.update(Files.readAllBytes(f));
        return sum.getValue() == crc;
    }

    /** Removes copies of other versions and parts of copies, unless made in the last minute. */
    private static void removeStale(Path dir, Path lib) throws IOException {
        long before = System.currentTimeMillis() - STALE_MILLIS;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*")) {
            for (Path f : files) {
                FileTime t = Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS);
                if (!f.equals(lib) && t.toMillis() < before) {
                    Files.deleteIfExists(f); // a process that loaded it keeps its mapping
                }
            }
        }
    }

    /** @return ".so", ".dylib" or ".dll", as the library's name ends */
    private static String suffix(String libName) {
        int dot = libName.lastIndexOf('.');
        return dot < 0 ? "" : libName.substring(dot);
    }

    /** @return the user id of this process (the owner of /proc/self), or empty where unknown */
    static OptionalInt processUid() {
        Path self = Path.of("/proc/self");
        try {
            Object uid = Files.getAttribute(self, "unix:uid");
            return uid instanceof Integer i ? OptionalInt.of(i) : OptionalInt.empty();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return OptionalInt.empty(); // not Linux: the library is left to sqlite-jdbc
        }
    }

    /**
     * @return whether no other user can rename or replace an entry of the folder: it is owned by
     *     the user or root, and it is sticky (as {@code /tmp} is) or only its owner may write in it
     */
    static boolean safeParent(Path tmp, int uid) throws IOException {
        Map<String, Object> a = Files.readAttributes(tmp, "unix:uid,mode");
        int owner = number(a, "uid");
        int mode = number(a, "mode");
        boolean sticky = (mode & 01000) != 0;
        boolean othersWrite = (mode & 0022) != 0;
        return (owner == uid || owner == 0) && (sticky || !othersWrite);
    }

    /** @return whether it is a folder (not a link) of the user, that no one else may read, write or enter */
    static boolean ownFolder(Path dir, int uid) throws IOException {
        Map<String, Object> a =
                Files.readAttributes(dir, "unix:uid,mode,isDirectory,isSymbolicLink", LinkOption.NOFOLLOW_LINKS);
        int mode = number(a, "mode");
        return Boolean.TRUE.equals(a.get("isDirectory"))
                && !Boolean.TRUE.equals(a.get("isSymbolicLink"))
                && number(a, "uid") == uid
                && (mode & 0777) == 0700;
    }

    private static int number(Map<String, Object> attributes, String name) throws IOException {
        if (attributes.get(name) instanceof Integer i) {
            return i;
        }
        throw new IOException("no " + name + " among the file's attributes");
    }
}

package org.chemfit.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folder one attempt of an external term runs in: its name, its atomic creation, the files
 * the attempt writes into it ({@code failure.json}, the programs' standard streams), and what the
 * {@link KeepPolicy} does with it once the attempt is over.
 *
 * <p>A run directory is named {@code <term>-<evaluation>[-<path>][-retry<n>]-p<pid>-<random>}:
 * unique across threads and processes that share one work directory, and recognisable later by
 * the term and process that created it ({@link #removeCutOff}); {@link #termPart} gives each term
 * name a part of its own.
 *
 * <pre>{@code
 * RunDirectory dir = RunDirectory.create(root, "fcc", ctx.evaluationId(), ctx.path(), 0);
 * Files.writeString(dir.path().resolve("in.lammps"), text);
 * boolean kept = dir.release(KeepPolicy.FAILED, RunDirectory.Outcome.SUCCEEDED, List.of("in.lammps")); // false: deleted
 * }</pre>
 *
 * @implNote Confined to the thread of its attempt; the static methods are safe from any thread.
 */
final class RunDirectory {

    /** The report a failed or cancelled attempt leaves in its run directory. */
    static final String FAILURE_REPORT = "failure.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String PID = Long.toString(ProcessHandle.current().pid());
    /** The messages are those of the term, so they are logged under its name. */
    private static final Logger LOG = LoggerFactory.getLogger(FileBasedQuantityComputer.class);

    /** How an attempt ended, which decides with the keep policy whether its directory stays. */
    enum Outcome {
        /** The quantities were parsed. */
        SUCCEEDED,
        /** A step failed; {@code failure.json} says which. */
        FAILED,
        /** The thread was interrupted; {@code failure.json} says it was cancelled. */
        CANCELLED
    }

    private final Path path;

    private RunDirectory(Path path) {
        this.path = path;
    }

    /**
     * Creates a new run directory, atomically: of many creators of one name exactly one succeeds,
     * the others draw another random suffix. The work directory is created when missing.
     *
     * @param workDirectory the root under which run directories are created
     * @param term the term's name
     * @param evaluationId the evaluation's id
     * @param termPath the term's path in its combined objective (may be empty)
     * @param attempt the attempt number, 0 for the first
     * @return the new run directory
     * @throws IOException when it cannot be created
     */
    static RunDirectory create(Path workDirectory, String term, String evaluationId, String termPath, int attempt)
            throws IOException {
        StringBuilder sb =
                new StringBuilder(64).append(termPart(term)).append('-').append(safe(evaluationId));
        if (!termPath.isEmpty()) {
            sb.append('-').append(safe(termPath));
        }
        if (attempt > 0) {
            sb.append("-retry").append(attempt);
        }
        sb.append("-p").append(PID).append('-');
        String prefix = sb.toString();
        for (int tries = 0; ; tries++) {
            Path dir = workDirectory.resolve(
                    prefix + Long.toString(ThreadLocalRandom.current().nextLong() >>> 24, 36));
            try {
                // mkdir is atomic: of many creators of one name, exactly one succeeds
                return new RunDirectory(Files.createDirectory(dir));
            } catch (FileAlreadyExistsException e) {
                if (tries > 20) {
                    throw e;
                }
            } catch (NoSuchFileException e) {
                Files.createDirectories(workDirectory);
            }
        }
    }

    /** @return the directory */
    Path path() {
        return path;
    }

    @Override
    public String toString() {
        return path.toString();
    }

    /**
     * @param commands how many commands the term runs
     * @param index the command's index, from 0
     * @param stream {@code "stdout"}, {@code "stderr"} or {@code "stdin"}
     * @return the name of the file that holds that stream of that command
     */
    static String programFile(int commands, int index, String stream) {
        return (commands == 1 ? "program" : "program" + (index + 1)) + "." + stream;
    }

    /**
     * Creates the folders of a file to be written and checks that they lie inside this directory
     * once symbolic links staged into it are followed.
     *
     * @param target a file inside this directory
     * @return null when the file's folder is inside, or where the file would really be written
     * @throws IOException when a folder cannot be created or resolved
     */
    @Nullable
    Path prepareFolderOf(Path target) throws IOException {
        if (target.getParent() == null || target.getParent().equals(path)) {
            return null;
        }
        Files.createDirectories(target.getParent());
        Path parent = target.getParent().toRealPath();
        return parent.startsWith(path.toRealPath()) ? null : parent.resolve(target.getFileName());
    }

    /**
     * Waits until every file exists and is not empty (a file a background process has created but
     * not yet written is not there yet). Woken by the file system's change events (inotify on
     * Linux); re-checks once a second as well, for network file systems that send no events.
     *
     * @param files the files, relative to this directory
     * @param limit how long to wait
     * @return the files still missing at the deadline
     * @throws IOException when the folders cannot be watched
     * @throws InterruptedException when the thread is interrupted
     */
    List<String> awaitFiles(List<String> files, Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        try (WatchService ws = path.getFileSystem().newWatchService()) {
            Set<Path> watched = new LinkedHashSet<>();
            while (true) {
                List<String> missing = new ArrayList<>();
                for (String f : files) {
                    Path p = path.resolve(f);
                    if (!written(p)) {
                        missing.add(f);
                        Path parent = p.getParent();
                        while (parent != null && !Files.isDirectory(parent)) {
                            parent = parent.getParent();
                        }
                        if (parent != null && watched.add(parent)) {
                            parent.register(
                                    ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
                        }
                    }
                }
                long left = deadline - System.nanoTime();
                if (missing.isEmpty() || left <= 0) {
                    return missing;
                }
                WatchKey key = ws.poll(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
    }

    /** @return whether a file exists with something in it (a folder counts as there) */
    private static boolean written(Path p) {
        try {
            return Files.isDirectory(p) || Files.size(p) > 0;
        } catch (IOException e) {
            return false; // not there (yet), or gone again
        }
    }

    /**
     * Writes {@code failure.json}, aside first and then renamed, so that a reader never sees half
     * a report. Does nothing when the directory is gone; a write that fails (a full disk) is
     * ignored, since the exception of the failure still carries every fact.
     *
     * @param report the facts, in the order they are written
     */
    void writeFailureReport(Map<String, Object> report) {
        if (!Files.isDirectory(path)) {
            return;
        }
        try {
            Path tmp = path.resolve(".failure.json.tmp");
            JSON.writeValue(tmp.toFile(), report);
            Files.move(
                    tmp,
                    path.resolve(FAILURE_REPORT),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // the exception still carries every fact; a full disk must not hide the original failure
        }
    }

    /**
     * Applies the keep policy to this directory once its attempt is over: {@link KeepPolicy#ALL}
     * keeps it, {@link KeepPolicy#FAILED} deletes it after a success, {@link KeepPolicy#NONE}
     * always deletes it.
     *
     * @param keep the policy
     * @param outcome how the attempt ended
     * @param expected names, directly in the directory, of files it most likely holds: removed by
     *     name first, so that a directory that holds nothing else is removed with no listing
     * @return whether the directory is kept
     */
    boolean release(KeepPolicy keep, Outcome outcome, List<String> expected) {
        boolean kept = keeps(keep, outcome);
        if (!kept) {
            if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                // replaced by a link (or a file) since it was made: the link goes, never a file in
                // the folder it points at that happens to have one of the expected names
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // left behind; the result is not affected
                }
                return false;
            }
            File folder = path.toFile();
            for (String name : expected) {
                // a name that is not there costs one failed call; what is left is found below
                new File(folder, name).delete();
            }
            if (!folder.delete()) {
                deleteTree(path);
            }
        }
        return kept;
    }

    /**
     * @param keep the policy
     * @param outcome how an attempt ended
     * @return whether the policy keeps the directory of an attempt that ended so
     */
    static boolean keeps(KeepPolicy keep, Outcome outcome) {
        return keep == KeepPolicy.ALL || keep == KeepPolicy.FAILED && outcome != Outcome.SUCCEEDED;
    }

    /**
     * Removes the run directories of runs that earlier processes of the same fit left behind when
     * they were cut off: see {@link FileBasedQuantityComputer#removeCancelledRuns}.
     *
     * @param workDirectory the root the term creates its run directories under
     * @param term the term's name
     * @param keep the term's keep policy
     * @param processIds the process ids of the earlier attempts
     * @param finished names of run directories of finished runs, never removed
     * @return the directories removed
     */
    static List<Path> removeCutOff(
            Path workDirectory,
            @Nullable String term,
            KeepPolicy keep,
            Collection<Long> processIds,
            Collection<String> finished) {
        List<Path> removed = new ArrayList<>();
        if (keep == KeepPolicy.ALL || term == null || processIds.isEmpty() || !Files.isDirectory(workDirectory)) {
            return removed;
        }
        Pattern own = ownNames(term);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(workDirectory)) {
            for (Path dir : entries) {
                String file = dir.getFileName().toString();
                Matcher m = own.matcher(file);
                if (!m.matches()
                        || !processIds.contains(Long.parseLong(m.group(1)))
                        || finished.contains(file)
                        || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                        || holdsFailure(dir)) {
                    continue;
                }
                deleteTree(dir);
                if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                    LOG.info(
                            "removed the run directory {} of a run cut off by an earlier attempt (keep: {})",
                            dir,
                            keep.name().toLowerCase(Locale.ROOT));
                    removed.add(dir);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot look for run directories of cut-off runs in {}: {}", workDirectory, e.toString());
        }
        return removed;
    }

    /** @return the process id a run directory's name gives */
    private static String pidOf(Pattern own, Path dir) {
        Matcher m = own.matcher(String.valueOf(dir.getFileName()));
        return m.matches() ? m.group(1) : "?";
    }

    /**
     * @param term the term's name
     * @return the names of the run directories the term creates, {@code
     *     <term>-<evaluation>...-p<pid>-<suffix>}, with the process id as group 1
     */
    static Pattern ownNames(String term) {
        return Pattern.compile(Pattern.quote(termPart(term)) + "-[A-Za-z0-9._-]+?-p(\\d{1,18})-[0-9a-z]+");
    }

    /**
     * Ends the processes that earlier processes of the same fit started in this term's run
     * directories and left running: see {@link FileBasedQuantityComputer#endCutOffPrograms}.
     *
     * @param workDirectory the root the term creates its run directories under
     * @param term the term's name
     * @param processIds the process ids of the earlier attempts
     * @param grace the time between SIGTERM and SIGKILL
     * @return per run directory, how many processes were ended there
     */
    static Map<Path, Integer> endCutOff(
            Path workDirectory, @Nullable String term, Collection<Long> processIds, Duration grace) {
        Map<Path, Integer> counts = new java.util.LinkedHashMap<>();
        Path root = processIds.isEmpty() ? null : realRoot(workDirectory, term);
        if (root == null || term == null) {
            return counts;
        }
        Pattern own = ownNames(term);
        List<ProcessRunner.Leftover> ours = new ArrayList<>();
        leftIn(workDirectory, root, own, processIds).forEach((dir, left) -> {
            ours.addAll(left);
            counts.put(dir, left.size());
        });
        ProcessRunner.endLeftovers(ours, grace);
        for (Map.Entry<Path, Integer> e : counts.entrySet()) {
            LOG.warn(
                    "external term '{}': {} process{} started by an earlier attempt of the fit (pid {} is gone)"
                            + " still ran in its run directory {}; {} killed (SIGTERM, then SIGKILL after {} s)"
                            + " before the run directory is removed or used again",
                    term,
                    e.getValue(),
                    e.getValue() == 1 ? "" : "es",
                    pidOf(own, e.getKey()),
                    e.getKey(),
                    e.getValue() == 1 ? "it was" : "they were",
                    grace.toMillis() / 1000.0);
        }
        return counts;
    }

    /**
     * @param workDirectory the root a term creates its run directories under
     * @param term the term's name
     * @return the root's real path, where programs left running are looked for; null when the
     *     term has no name or the root is not a folder that can be resolved (nothing to look at)
     */
    private static @Nullable Path realRoot(Path workDirectory, @Nullable String term) {
        if (term == null || !Files.isDirectory(workDirectory)) {
            return null;
        }
        try {
            return workDirectory.toRealPath();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * @param workDirectory the root the term creates its run directories under
     * @param root its real path
     * @param own the names of the term's run directories ({@link #ownNames})
     * @param processIds the ids of the processes whose programs are looked for
     * @return per run directory (under {@code workDirectory}), the processes that still run in it
     *     with the tag of a program that the process its name gives started, when that process is
     *     among {@code processIds} and gone ({@link ProcessRunner#leftBy})
     */
    private static Map<Path, List<ProcessRunner.Leftover>> leftIn(
            Path workDirectory, Path root, Pattern own, Collection<Long> processIds) {
        Map<Path, List<ProcessRunner.Leftover>> found = new java.util.LinkedHashMap<>();
        for (ProcessRunner.Leftover l : ProcessRunner.leftBy(processIds)) {
            Path cwd = l.cwd();
            if (cwd == null || !cwd.startsWith(root) || cwd.getNameCount() <= root.getNameCount()) {
                continue;
            }
            String dir = cwd.getName(root.getNameCount()).toString();
            Matcher m = own.matcher(dir);
            if (m.matches() && Long.parseLong(m.group(1)) == l.jvm()) {
                found.computeIfAbsent(workDirectory.resolve(dir), d -> new ArrayList<>())
                        .add(l);
            }
        }
        return found;
    }

    /**
     * Ends the processes that processes now gone started in this term's run directories and left
     * running: see {@link FileBasedQuantityComputer#endProgramsOfEndedProcesses}.
     *
     * @param workDirectory the root the term creates its run directories under
     * @param term the term's name
     * @param grace the time between SIGTERM and SIGKILL
     * @return per run directory, how many processes were ended there
     */
    static Map<Path, Integer> endLeftByEnded(Path workDirectory, @Nullable String term, Duration grace) {
        Map<Path, Integer> counts = new java.util.LinkedHashMap<>();
        Path root = realRoot(workDirectory, term);
        if (root == null || term == null) {
            return counts;
        }
        Pattern own = ownNames(term);
        // the processes that created the term's run directories, as their names tell: only those
        // that are gone are looked at (ProcessRunner.leftBy), so a process that runs now is never touched
        Set<Long> creators = new LinkedHashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(workDirectory)) {
            for (Path dir : entries) {
                Matcher m = own.matcher(String.valueOf(dir.getFileName()));
                if (m.matches() && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    creators.add(Long.parseLong(m.group(1)));
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot look for programs left running in the run directories in {}: {}", workDirectory, e);
            return counts;
        }
        if (creators.isEmpty()) {
            return counts;
        }
        List<ProcessRunner.Leftover> ours = new ArrayList<>();
        Map<Path, List<ProcessRunner.Leftover>> found = leftIn(workDirectory, root, own, creators);
        found.forEach((dir, left) -> {
            for (ProcessRunner.Leftover l : left) {
                // named before it is ended, while /proc still tells it
                LOG.warn(
                        "external term '{}': program '{}' (pid {}), started by process {} that is gone, still ran in"
                                + " its run directory {}; it is ended (SIGTERM, then SIGKILL after {} s) and the"
                                + " run directory is kept",
                        term,
                        ProcessRunner.programName(l.process()),
                        l.process().pid(),
                        l.jvm(),
                        dir,
                        grace.toMillis() / 1000.0);
            }
            ours.addAll(left);
            counts.put(dir, left.size());
        });
        ProcessRunner.endLeftovers(ours, grace);
        return counts;
    }

    /** @return whether the run directory holds the report of a failure (not of a cancellation); unreadable: yes */
    private static boolean holdsFailure(Path dir) {
        Path report = dir.resolve(FAILURE_REPORT);
        if (!Files.exists(report, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try {
            JsonNode cancelled = JSON.readTree(report.toFile()).get("cancelled");
            return cancelled == null || !cancelled.asBoolean(false);
        } catch (IOException | RuntimeException e) {
            return true; // what cannot be read is kept, to be looked at
        }
    }

    /**
     * The term's part of its run directories' names, one per term name: the name itself when it is
     * made of ASCII letters, digits, '.' and '_' only and at most 48 characters long; otherwise the
     * name made safe and cut to 39 characters, '~' and eight hexadecimal digits of the name's CRC-32.
     * So {@code sim-b} and {@code sim_b} (or two long names that begin alike) get directories of their
     * own, and the one term's look for cut-off runs ({@link #removeCutOff}, {@link #endCutOff}) never
     * takes the other's: '~' is in no name that is kept as it is.
     *
     * @param term the term's name
     * @return its part of a run directory's name
     */
    static String termPart(String term) {
        String s = safe(term);
        if (s.equals(term)) {
            return s;
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(term.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return s.substring(0, Math.min(s.length(), 39)) + '~' + String.format("%08x", crc.getValue());
    }

    /** @return the text made safe for a file name: letters, digits, '.', '_'; at most 48 characters */
    private static String safe(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length() && sb.length() < 48; i++) {
            char c = s.charAt(i);
            sb.append(Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '_' ? c : '_');
        }
        return sb.length() == 0 ? "_" : sb.toString();
    }

    private static void deleteTree(Path dir) {
        if (deleteFlat(dir)) {
            return;
        }
        try {
            deleteRecursively(dir);
        } catch (IOException e) {
            // a directory that cannot be deleted is left behind; the result is not affected
        }
    }

    /**
     * Deletes a folder that holds files, links and empty folders only, as a run directory mostly
     * does, in few calls: a listing by name, then each entry and the folder removed as they are (a
     * file or a link by an unlink, a folder by an rmdir after the unlink fails), with no look at an
     * entry's type first; never follows links.
     *
     * @return whether the folder is gone; when not, what is left (a folder that is not empty, a
     *     name that the platform's encoding of file names does not give back byte for byte) is
     *     for {@link #deleteRecursively}
     */
    private static boolean deleteFlat(Path dir) {
        File folder = dir.toFile();
        String[] names = folder.list();
        if (names == null) {
            return false;
        }
        boolean all = true;
        for (String name : names) {
            all &= new File(folder, name).delete();
        }
        return all && folder.delete();
    }

    /**
     * Deletes a tree; never follows links. Where the directory's stream is a secure one (Linux), the
     * tree is emptied relative to the open directory ({@link #empty}); elsewhere each entry is
     * deleted by its path (a look at its type, then the removal). An entry that vanishes meanwhile
     * counts as deleted.
     */
    private static void deleteRecursively(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            if (entries instanceof SecureDirectoryStream<Path> secure) {
                empty(secure);
            } else {
                for (Path e : entries) {
                    try {
                        Files.delete(e);
                    } catch (DirectoryNotEmptyException notEmpty) {
                        deleteRecursively(e);
                    } catch (NoSuchFileException gone) {
                        // removed by someone else meanwhile
                    }
                }
            }
        }
        try {
            Files.delete(dir);
        } catch (NoSuchFileException gone) {
            // removed by someone else meanwhile
        }
    }

    /**
     * Empties an open directory: each entry unlinked relative to it, one call that removes a file or
     * a link as it is and fails for a folder, with no look at the entry's type first; a folder is
     * opened relative to it too, without following a link (so that a folder replaced by a link
     * meanwhile is not entered), emptied and removed. An entry that vanishes meanwhile counts as
     * deleted.
     *
     * @param dir the open directory
     * @throws IOException when an entry cannot be removed
     */
    private static void empty(SecureDirectoryStream<Path> dir) throws IOException {
        for (Path e : dir) {
            Path name = e.getFileName();
            try {
                dir.deleteFile(name);
                continue;
            } catch (NoSuchFileException gone) {
                continue;
            } catch (IOException notAFile) {
                SecureDirectoryStream<Path> sub;
                try {
                    sub = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException gone) {
                    continue;
                } catch (IOException notAFolder) {
                    notAFile.addSuppressed(notAFolder);
                    throw notAFile;
                }
                try (sub) {
                    empty(sub);
                }
            }
            try {
                dir.deleteDirectory(name);
            } catch (NoSuchFileException gone) {
                // removed by someone else meanwhile
            }
        }
    }
}

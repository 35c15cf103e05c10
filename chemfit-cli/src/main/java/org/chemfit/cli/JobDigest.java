package org.chemfit.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chemfit.cli.BaseCommand.UserException;
import org.chemfit.cluster.JobFingerprint;
import org.jspecify.annotations.Nullable;

/**
 * The SHA-256 of a job: over the job file and every file it names, each as its path relative to
 * the job's folder, a zero byte and its bytes ({@link JobFingerprint#ofFiles}, the fingerprint
 * cluster members compare). Computed the first time it is asked for: a fit, a worker and the
 * results need it, while {@code eval}, {@code validate} and {@code report} do not, and hashing the
 * data files was a sixth of what such a command did before its answer. A fit computes it as soon
 * as it has read the job ({@link #pin()}). {@code JobFingerprint}
 * loads no Hazelcast class, so a digest costs no cluster start-up.
 *
 * <pre>{@code
 * JobDigest d = new JobDigest(folder, List.of(jobFile, structure));
 * String hex = d.value();
 * }</pre>
 *
 * @implNote Thread-safe; two equal digests name the same files.
 */
final class JobDigest {

    private final Path folder;
    private final List<Path> files;
    private volatile @Nullable String value;
    private volatile @Nullable Map<String, String> perFile;

    /**
     * @param folder the job's folder (paths are hashed relative to it)
     * @param files the job file first, then the files it names, absolute
     */
    JobDigest(Path folder, List<Path> files) {
        this.folder = folder;
        this.files = List.copyOf(files);
    }

    /**
     * @return the hex SHA-256
     * @throws UserException when a file cannot be read (it was readable when the job was read)
     */
    String value() {
        String v = value;
        if (v == null) {
            v = compute();
            value = v;
        }
        return v;
    }

    /** @return the job file first, then the files it names, absolute */
    List<Path> files() {
        return files;
    }

    /**
     * Each file's own SHA-256, as {@code sha256sum} gives it, by its path relative to the job's
     * folder, the job file first: what {@code results.json} lists under {@code job.files}, so that
     * a reader can check which data a result came from file by file ({@link #value()} is one hash
     * over them all). Read the first time it is asked for, as {@link #value()} is.
     *
     * @return relative path to hex SHA-256, in the order of the files
     * @throws UserException when a file cannot be read
     */
    Map<String, String> perFile() {
        Map<String, String> m = perFile;
        if (m == null) {
            m = java.util.Collections.unmodifiableMap(computePerFile());
            perFile = m;
        }
        return m;
    }

    /**
     * Computes both hashes now: a fit does so when it has read its files, so that its results
     * name the files it read, not those an edit or a removal during the fit left (and a file
     * removed then does not stop the fit from writing its results).
     *
     * @throws UserException when a file cannot be read
     */
    void pin() {
        value();
        perFile();
    }

    private Map<String, String> computePerFile() {
        Map<String, String> out = new LinkedHashMap<>();
        Path base = folder.toAbsolutePath().normalize();
        byte[] buf = new byte[1 << 16];
        for (Path f : files) {
            Path p = f.toAbsolutePath().normalize();
            MessageDigest md;
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
            try (InputStream in = Files.newInputStream(p)) {
                for (int k = in.read(buf); k >= 0; k = in.read(buf)) {
                    md.update(buf, 0, k);
                }
            } catch (IOException e) {
                throw new UserException("cannot read " + p + " for the job's hashes: " + Messages.reason(e));
            }
            out.put(base.relativize(p).toString(), HexFormat.of().formatHex(md.digest()));
        }
        return out;
    }

    private String compute() {
        try {
            return JobFingerprint.ofFiles(folder, files);
        } catch (IllegalArgumentException e) {
            // the message names the file and says why in a user's words
            throw new UserException(e.getMessage());
        }
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof JobDigest d && d.folder.equals(folder) && d.files.equals(files);
    }

    @Override
    public int hashCode() {
        return folder.hashCode() * 31 + files.hashCode();
    }

    @Override
    public String toString() {
        String v = value;
        return v == null ? "(not computed yet)" : v;
    }
}

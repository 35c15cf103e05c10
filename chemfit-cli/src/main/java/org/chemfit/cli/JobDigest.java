package org.chemfit.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.chemfit.cli.BaseCommand.UserException;
import org.jspecify.annotations.Nullable;

/**
 * The SHA-256 of a job: over the job file and every file it names, each as its path relative to
 * the job's folder, a zero byte and its bytes. Computed the first time it is asked for: a fit, a
 * worker and the results need it, while {@code eval}, {@code validate} and {@code report} do not,
 * and hashing the data files was a sixth of what such a command did before its answer.
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

    private String compute() {
        Path current = files.get(0);
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (Path p : files) {
                current = p;
                md.update(folder.relativize(p.toAbsolutePath().normalize())
                        .toString()
                        .getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                try (InputStream in = Files.newInputStream(p)) {
                    for (int k = in.read(buf); k >= 0; k = in.read(buf)) {
                        md.update(buf, 0, k);
                    }
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        } catch (IOException e) {
            throw new UserException("cannot read " + current + ", a file the job names: " + Messages.reason(e));
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

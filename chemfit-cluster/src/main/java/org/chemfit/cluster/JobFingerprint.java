package org.chemfit.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.ObjectiveFunction;
import org.chemfit.support.Reasons;
import org.chemfit.support.StableOrder;

/**
 * The fingerprint (SHA-256, hex) of the job a cluster member runs. Every member proves it runs the
 * driver's job: the fingerprint travels in the ready token and in every task, result and cancel,
 * under the HMAC of the secret, and a member whose fingerprint differs is refused with a message
 * naming both fingerprints.
 *
 * <pre>{@code
 * String job = JobFingerprint.ofFiles(Path.of("job"), List.of(Path.of("job/settings.txt"), Path.of("job/energies.csv")));
 * ClusterOptions options = ClusterOptions.builder(secret).jobFingerprint(job).build();   // the driver
 * ClusterWorker.start(member, objective, secret, 8, 0, job);                               // each worker
 * }</pre>
 *
 * <p>Without a fingerprint of its files, a member uses {@link #ofObjective} of its objective: the
 * shape of its term tree (names, weights, failure policies), which tells two different jobs apart
 * only when their trees differ.
 *
 * @implNote Stateless and thread-safe.
 */
public final class JobFingerprint {

    private JobFingerprint() {}

    /**
     * Hashes files: for each, in the order given, its path relative to {@code base} and its bytes.
     * Files given as a {@code Set.of} set, whose order differs between the driver's JVM and each
     * worker's, are taken in the order of their relative paths.
     *
     * @param base the folder names are made relative to (the job file's), so that the same job in
     *     another folder or on another machine has the same fingerprint
     * @param files the job file and every file the job reads
     * @return the fingerprint, 64 hex digits
     * @throws IllegalArgumentException when a file cannot be read, naming it
     */
    public static String ofFiles(Path base, Collection<Path> files) {
        Objects.requireNonNull(base, "base");
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        Path b = base.toAbsolutePath().normalize();
        List<Path> inOrder = new ArrayList<>(files.size());
        for (Path f : files) {
            inOrder.add(f.toAbsolutePath().normalize());
        }
        if (StableOrder.isSalted(files)) {
            inOrder.sort(java.util.Comparator.comparing(p -> b.relativize(p).toString()));
        }
        for (Path p : inOrder) {
            md.update(b.relativize(p).toString().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            try (InputStream in = Files.newInputStream(p)) {
                for (int k = in.read(buf); k >= 0; k = in.read(buf)) {
                    md.update(buf, 0, k);
                }
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "cannot read " + p + " for the job's fingerprint: " + Reasons.of(e, p), e);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Hashes the shape of an objective's term tree: names, weights (their exact bits), failure
     * policies and nesting. Terms themselves are not hashed (a lambda has no stable identity).
     *
     * @param objective the objective
     * @return the fingerprint, 64 hex digits
     */
    public static String ofObjective(CombinedObjectiveFunction objective) {
        StringBuilder sb = new StringBuilder();
        describe(objective, sb);
        return HexFormat.of().formatHex(sha256().digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static void describe(CombinedObjectiveFunction c, StringBuilder sb) {
        sb.append('(').append(c.failurePolicy()).append(';');
        List<ObjectiveFunction> terms = c.terms();
        for (int i = 0; i < terms.size(); i++) {
            sb.append(c.termNames().get(i))
                    .append('*')
                    .append(Long.toHexString(
                            Double.doubleToRawLongBits(c.weights().get(i))));
            if (terms.get(i) instanceof CombinedObjectiveFunction n) {
                describe(n, sb);
            }
            sb.append(',');
        }
        sb.append(')');
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}

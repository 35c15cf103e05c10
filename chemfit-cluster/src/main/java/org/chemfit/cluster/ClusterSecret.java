package org.chemfit.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shared secret of a cluster: every task and result carries an HMAC-SHA256 keyed by it, and
 * a member that cannot prove it gets no tasks. Read it from an environment variable or a file,
 * never from a command line (where {@code ps} shows it to every user of the machine).
 *
 * <pre>{@code
 * ClusterSecret secret = ClusterSecret.fromEnvironment();          // CHEMFIT_CLUSTER_SECRET
 * ClusterSecret same = ClusterSecret.fromFile(Path.of("secret"));  // first line of the file
 * }</pre>
 *
 * @implNote Immutable and thread-safe. {@link #toString()} never shows the secret.
 */
public final class ClusterSecret {

    /** The environment variable {@link #fromEnvironment()} reads. */
    public static final String ENV = "CHEMFIT_CLUSTER_SECRET";

    /** The environment variable naming a file that holds the secret. */
    public static final String ENV_FILE = "CHEMFIT_CLUSTER_SECRET_FILE";

    /** The shortest secret accepted, in bytes. */
    public static final int MIN_BYTES = 16;

    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    /**
     * One initialised {@code Mac} per thread: {@code Mac.getInstance} looks the algorithm up among
     * the security providers and {@code init} expands the key, which cost more than the HMAC of a
     * frame itself; a {@code Mac} is not thread-safe, and {@code doFinal} resets it for the next use.
     */
    private final ThreadLocal<Mac> macs;

    private ClusterSecret(byte[] bytes) {
        this.key = new SecretKeySpec(bytes, ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /**
     * @param secret the secret text, at least {@value #MIN_BYTES} bytes in UTF-8
     * @return the secret
     * @throws IllegalArgumentException when it is shorter
     */
    public static ClusterSecret of(String secret) {
        Objects.requireNonNull(secret, "secret");
        byte[] b = secret.getBytes(StandardCharsets.UTF_8);
        if (b.length < MIN_BYTES) {
            throw new IllegalArgumentException("the cluster secret must be at least " + MIN_BYTES + " bytes long, got "
                    + b.length + " (make one with: head -c 32 /dev/urandom | base64)");
        }
        return new ClusterSecret(b);
    }

    /**
     * Reads the secret from {@code CHEMFIT_CLUSTER_SECRET}, or from the file named by
     * {@code CHEMFIT_CLUSTER_SECRET_FILE}.
     *
     * @return the secret
     * @throws IllegalStateException when neither variable is set
     * @throws IllegalArgumentException when the secret is too short or the file cannot be read
     */
    public static ClusterSecret fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    static ClusterSecret fromEnvironment(Map<String, String> env) {
        String s = env.get(ENV);
        if (s != null && !s.isBlank()) {
            return of(s.strip());
        }
        String f = env.get(ENV_FILE);
        if (f != null && !f.isBlank()) {
            return fromFile(Path.of(f));
        }
        throw new IllegalStateException("no cluster secret: set " + ENV + " (or " + ENV_FILE
                + " to a file holding it) to the same value on the driver and on every worker");
    }

    /**
     * @param file a file whose first line is the secret (keep it readable by its owner only)
     * @return the secret
     * @throws IllegalArgumentException when the file cannot be read, is empty, or the secret is too short
     */
    public static ClusterSecret fromFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read the cluster secret file " + file + ": " + org.chemfit.support.Reasons.of(e, file), e);
        }
        String line = text.lines().findFirst().orElse("").strip();
        if (line.isEmpty()) {
            throw new IllegalArgumentException("the cluster secret file " + file + " is empty");
        }
        try {
            return of(line);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param data the bytes to authenticate
     * @return their HMAC-SHA256 under this secret (32 bytes)
     */
    byte[] mac(byte[] data, int offset, int length) {
        Mac m = macs.get();
        m.update(data, offset, length);
        return m.doFinal();
    }

    private Mac newMac() {
        try {
            Mac m = Mac.getInstance(ALGORITHM);
            m.init(key);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /**
     * @return whether {@code tag} is the HMAC of the data, compared in constant time
     */
    boolean verify(byte[] data, int offset, int length, byte[] tag) {
        return MessageDigest.isEqual(mac(data, offset, length), tag);
    }

    @Override
    public String toString() {
        return "ClusterSecret[hidden]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterSecret s && Arrays.equals(key.getEncoded(), s.key.getEncoded());
    }

    @Override
    public int hashCode() {
        return 0;
    }
}

package org.chemfit.testfixtures;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A folder this user may not write in, for as long as it is open: for root, which the folder's
 * permissions do not stop, made immutable ({@code chattr +i}); for anyone else, read-only by its
 * permissions. Where neither can be done (a container without the right to make files immutable,
 * a file system without them) the test fails when the environment variable {@code CI} is set and
 * is skipped, with the reason, otherwise ({@link MachineRequirement}). Shared with the tests of the
 * other modules through core's test jar.
 */
public final class ReadOnlyFolder implements AutoCloseable {

    private final Path dir;
    private final boolean immutable;

    private ReadOnlyFolder(Path dir, boolean immutable) {
        this.dir = dir;
        this.immutable = immutable;
    }

    /**
     * @param dir an existing folder
     * @return the folder made read-only for this user until the result is closed
     * @throws Exception when it cannot be changed (the test fails under CI, and is skipped
     *     otherwise, when that is not possible here)
     */
    public static ReadOnlyFolder of(Path dir) throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            MachineRequirement.require(
                    chattr("+i", dir) == 0,
                    "chattr +i " + dir + " failed: this file system or container cannot make a folder immutable"
                            + " (it needs the capability CAP_LINUX_IMMUTABLE and a file system with the"
                            + " immutable flag, such as ext4 or xfs)");
        } else {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        ReadOnlyFolder f = new ReadOnlyFolder(dir, root);
        if (Files.isWritable(dir)) {
            f.close();
            MachineRequirement.require(
                    false,
                    dir + " stays writable for user " + System.getProperty("user.name")
                            + " after it was made read-only");
        }
        return f;
    }

    private static int chattr(String flag, Path dir) throws java.io.IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("chattr", flag, dir.toString()))
                .redirectErrorStream(true)
                .start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    @Override
    public void close() throws java.io.IOException {
        if (immutable) {
            try {
                chattr("-i", dir);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.IOException("interrupted while making " + dir + " writable again", e);
            }
        } else {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}

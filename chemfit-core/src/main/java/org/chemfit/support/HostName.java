package org.chemfit.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The name of the machine this JVM runs on, as its users know it: {@code HOSTNAME}, else
 * {@code /etc/hostname}, else what the resolver says, else {@code unknown}. The journal records it
 * with each attempt; a cluster worker names itself by it in the failures it sends back.
 *
 * <pre>{@code
 * String host = HostName.get();   // "node07"
 * }</pre>
 *
 * @implNote Stateless; thread-safe. Looks the name up on each call.
 */
public final class HostName {

    private HostName() {}

    /** @return the machine's name, never blank */
    public static String get() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h.trim();
        }
        try {
            Path etc = Path.of("/etc/hostname");
            if (Files.isReadable(etc)) {
                String s = Files.readString(etc).trim();
                if (!s.isEmpty()) {
                    return s;
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}

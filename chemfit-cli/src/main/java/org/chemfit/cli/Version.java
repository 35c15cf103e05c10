package org.chemfit.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/**
 * The software version, from the properties Maven writes at build time.
 *
 * @implNote Stateless and thread-safe.
 */
final class Version implements CommandLine.IVersionProvider {

    /** @return the version, for example "0.1.0-SNAPSHOT", or "unknown" when not built by Maven */
    static String get() {
        try (InputStream in = Version.class.getResourceAsStream("/chemfit-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "chemfit " + get(),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
        };
    }
}

package org.chemfit.cli;

import picocli.CommandLine;

/**
 * The entry point of the {@code chemfit} command.
 *
 * <pre>{@code
 * java -jar chemfit.jar fit examples/argon/fit.yaml
 * }</pre>
 *
 * @implNote Stateless.
 */
public final class Main {

    private Main() {}

    /** The JDK's system property that chooses how child processes are started on Linux. */
    static final String LAUNCH_MECHANISM = "jdk.lang.Process.launchMechanism";

    /**
     * @param args the command line
     */
    public static void main(String[] args) {
        useFastProcessLaunch();
        System.exit(new CommandLine(new ChemFitCommand()).execute(args));
    }

    /**
     * Starts external programs with {@code vfork} on Linux unless the user chose a mechanism
     * ({@code -Djdk.lang.Process.launchMechanism=...}): the JDK's default there goes through a
     * helper program ({@code jspawnhelper}) and costs about 1 ms more per program started, which a
     * fit of many short external runs pays thousands of times (docs/benchmarks.md, "External
     * terms"). The property is read once, when the first process starts, so it is set before
     * anything else runs.
     */
    static void useFastProcessLaunch() {
        if (System.getProperty(LAUNCH_MECHANISM) == null
                && System.getProperty("os.name", "")
                        .toLowerCase(java.util.Locale.ROOT)
                        .contains("linux")) {
            System.setProperty(LAUNCH_MECHANISM, "VFORK");
        }
    }
}

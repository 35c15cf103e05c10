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

    private Main() {
    }

    /**
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ChemFitCommand()).execute(args));
    }
}

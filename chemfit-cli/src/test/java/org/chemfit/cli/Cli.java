package org.chemfit.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import picocli.CommandLine;

/** Runs the chemfit command in this JVM with its output captured, as a user would see it. */
final class Cli {

    private Cli() {}

    /** What a command printed and returned. */
    record Run(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.tree();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /**
     * Finds LAMMPS on the PATH, as the command does. Without it the test fails when CI is set (CI
     * must install it) and is skipped, with the reason, otherwise.
     *
     * @return the path of lmp
     */
    static Path requireLammps() {
        Path lmp = ExternalTerms.findProgram("lmp", Path.of("."));
        if (lmp == null) {
            String msg = "LAMMPS ('lmp') is not on PATH; install it with 'apt-get install -y lammps'";
            if (System.getenv("CI") != null) {
                Assertions.fail(msg + " (CI is set, so this test must not be skipped)");
            }
            Assumptions.abort(msg + "; skipping because CI is not set");
        }
        return lmp;
    }

    /** @return a folder of the test resources */
    static Path resource(String name) {
        try {
            return Path.of(Cli.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

package org.chemfit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Data files the command-line tests write into their temporary folders. */
final class TestData {

    private TestData() {}

    /** The rock-salt MgO cell of examples/mgo-buckingham: 4 Mg and 4 O, periodic along a, b and c. */
    static final String MGO = String.join(
            "\n",
            "8",
            "Lattice=\"4.2112 0.0 0.0 0.0 4.2112 0.0 0.0 0.0 4.2112\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"",
            "Mg 0.000000 0.000000 0.000000",
            "Mg 2.105600 2.105600 0.000000",
            "Mg 2.105600 0.000000 2.105600",
            "Mg 0.000000 2.105600 2.105600",
            "O 2.105600 0.000000 0.000000",
            "O 4.211200 2.105600 0.000000",
            "O 4.211200 0.000000 2.105600",
            "O 2.105600 2.105600 2.105600",
            "");

    /** The conventional fcc cell of argon, edge 5.26 Å: 4 atoms, periodic along a, b and c. */
    static final String[] ARGON_FCC = {
        "4",
        "Lattice=\"5.26 0.0 0.0 0.0 5.26 0.0 0.0 0.0 5.26\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"",
        "Ar 0.00 0.00 0.00",
        "Ar 2.63 2.63 0.00",
        "Ar 2.63 0.00 2.63",
        "Ar 0.00 2.63 2.63"
    };

    /**
     * Copies a folder and everything in it.
     *
     * @return the copy
     */
    static Path copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return to;
    }

    /**
     * Writes the lines, each ended by a line break, to a file of the folder, making its folders.
     *
     * @return the file
     */
    static Path write(Path dir, String name, String... lines) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, String.join("\n", lines) + "\n");
        return p;
    }

    /**
     * Runs validate, fit and eval on a job; each must refuse it with exit 2 and exactly these
     * problems, and nothing may run (no output folder {@code out} beside the job).
     *
     * @param dir the folder of the job
     * @param job the job file
     * @param expected the problems, one a line, as printed
     */
    static void refusedEverywhere(Path dir, Path job, String... expected) {
        java.util.List<String> lines = new java.util.ArrayList<>(java.util.List.of(expected));
        lines.add(expected.length + " problem" + (expected.length == 1 ? "" : "s")
                + " found; the job file format is described in docs/job-file.md");
        for (String command : java.util.List.of("validate", "fit", "eval")) {
            Cli.Run r = command.equals("fit")
                    ? Cli.run("fit", job.toString(), "--progress", "none")
                    : Cli.run(command, job.toString());
            org.junit.jupiter.api.Assertions.assertEquals(ExitCodes.USAGE, r.code(), command + ": " + r);
            org.junit.jupiter.api.Assertions.assertEquals(lines, r.err().lines().toList(), command + ": " + r);
        }
        org.junit.jupiter.api.Assertions.assertFalse(
                Files.exists(dir.resolve("out")), "nothing ran: no output folder, no journal, no run directory");
    }
}

package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lammps_thermo parser that fails shows the log's excerpt once: the ends of the files after it
 * (the declared log, the program's stdout that printed the same lines) do not show it again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LammpsThermoExcerptTest {

    private static final String LOG = """
            LAMMPS (2 Aug 2023)
            units metal
            pair_style lj/cut 8.0
            Per MPI rank memory allocation (min/avg/max) = 2.5 | 2.5 | 2.5 Mbytes
               Step          PotEng
                     0  -1.5
                    10  -1.6
            Loop time of 0.001 on 1 procs for 10 steps with 2 atoms
            Total wall time: 0:00:00
            """;

    @TempDir
    Path root;

    /**
     * Runs a program that writes the log to log.lammps, declared as the term's log file, and
     * prints it on its stdout too (as LAMMPS does without {@code -screen none}) or prints only a
     * line of its own.
     */
    private TermFailedException failure(String log, boolean screen, OutputParser parser) throws Exception {
        Path text = Files.writeString(root.resolve("log.txt"), log);
        Path script = Files.writeString(
                root.resolve("lmp.sh"),
                "cp '" + text + "' log.lammps\n" + (screen ? "cat log.lammps\n" : "echo 'wrapper: done'\n"));
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("md")
                .workDirectory(root.resolve("runs"))
                .command("sh", script.toString())
                .logFile("log.lammps")
                .output(parser)
                .build();
        Parameters p = Parameters.of(Map.of("x", 1.0));
        return assertThrows(TermFailedException.class, () -> c.compute(p, new EvaluationContext(p, "e1")));
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void aMissingColumnShowsTheLogsExcerptOnce() throws Exception {
        TermFailedException e = failure(LOG, true, OutputParsers.lammpsThermo("e", "log.lammps", "TotEng"));
        String m = e.getMessage();
        OutputParseException pe = assertInstanceOf(OutputParseException.class, e.getCause());
        String excerpt = Objects.requireNonNull(pe.excerpt());
        assertEquals(
                "  2: units metal\n"
                        + "  3: pair_style lj/cut 8.0\n"
                        + "  4: Per MPI rank memory allocation (min/avg/max) = 2.5 | 2.5 | 2.5 Mbytes\n"
                        + "  5:    Step          PotEng\n"
                        + "  6:          0  -1.5\n"
                        + "  7:         10  -1.6\n"
                        + "  8: Loop time of 0.001 on 1 procs for 10 steps with 2 atoms\n"
                        + "  9: Total wall time: 0:00:00",
                excerpt);
        assertTrue(
                m.startsWith("external term 'md' failed at step parse: cannot parse 'log.lammps' with LAMMPS thermo"
                        + " 'TotEng' (last row of the last table) for 'e': thermo table 0 has no column 'TotEng';"
                        + " its columns are Step PotEng (run directory "),
                m);
        assertEquals(1, count(m, excerpt), m);
        // every line of the excerpt once, with its number or without: neither stdout's end nor the log's repeats it
        for (String line : List.of(
                "units metal",
                "pair_style lj/cut 8.0",
                "Loop time of 0.001 on 1 procs for 10 steps with 2 atoms",
                "Total wall time: 0:00:00")) {
            assertEquals(1, count(m, line), line + " in\n" + m);
        }
        assertFalse(m.contains("program.stdout (last"), m);
        assertFalse(m.contains("log.lammps (last"), m);
        assertTrue(m.endsWith(excerpt), m);
        // failure.json keeps the ends of every file
        JsonNode f = new ObjectMapper()
                .readTree(e.runDirectory().orElseThrow().resolve("failure.json").toFile());
        assertEquals(LOG.strip(), f.get("stdout_tail").asText().strip());
        assertEquals(LOG.strip(), f.get("log_tails").get("log.lammps").asText().strip());
    }

    @Test
    void aLogWithoutATableShowsItsExcerptOnceAndTheOtherOutputStill() throws Exception {
        String log = "LAMMPS (2 Aug 2023)\nunits metal\nread_data data.lmp\nTotal wall time: 0:00:00\n";
        TermFailedException e = failure(log, false, OutputParsers.lammpsThermo("e", "log.lammps", "PotEng"));
        String m = e.getMessage();
        String excerpt = "  1: LAMMPS (2 Aug 2023)\n  2: units metal\n  3: read_data data.lmp\n"
                + "  4: Total wall time: 0:00:00";
        assertTrue(
                m.contains("no thermo table found (is it a LAMMPS log with one-line thermo output?) (run directory "),
                m);
        assertEquals(1, count(m, excerpt), m);
        assertEquals(1, count(m, "read_data data.lmp"), m);
        assertFalse(m.contains("log.lammps (last"), m);
        // stdout says something else: it is still shown after the excerpt
        assertTrue(m.endsWith(excerpt + "\nprogram.stdout (last 1 lines):\nwrapper: done"), m);
    }

    @Test
    void onlyAFilesEndThatHoldsTheWholeExcerptIsLeftOut() {
        Map<String, String> tails = new LinkedHashMap<>();
        tails.put("a.log", "w\nx\ny  \nz");
        tails.put("b.out", "y\nq");
        tails.put("c.out", "long line of text, cut in the excerpt");
        ProgramOutput o = new ProgramOutput(List.of(), tails);
        // a.log holds y and z one after the other (y with trailing spaces); b.out only y
        assertEquals(
                "\nb.out (last 2 lines):\ny\nq\nc.out (last 1 lines):\nlong line of text, cut in the excerpt",
                o.describe(20, "  3: y\n> 4: z"));
        // an excerpt whose line is cut (marked with ...) still matches the whole line
        assertEquals(
                "\na.log (last 4 lines):\nw\nx\ny  \nz\nb.out (last 2 lines):\ny\nq",
                o.describe(20, "  7: long line of ..."));
        // a file's end shown with too few lines to hold the excerpt is shown
        assertEquals(
                "\na.log (last 1 lines):\nz\nb.out (last 1 lines):\nq\nc.out (last 1 lines):\n"
                        + "long line of text, cut in the excerpt",
                o.describe(1, "  3: y\n> 4: z"));
        // no excerpt, or one of an empty file: every end is shown
        assertEquals(o.describe(20), o.describe(20, null));
        assertEquals(o.describe(20), o.describe(20, "  (the file is empty)"));
        assertEquals(
                List.of("units metal", "", "Step"), ProgramOutput.excerptLines("  2: units metal\n  3: \n> 4: Step"));
    }
}

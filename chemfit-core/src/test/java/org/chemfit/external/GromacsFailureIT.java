package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real GROMACS, made to fail: an {@code .mdp} file with an integrator that does not exist. The
 * term fails at {@code gmx grompp}, and GROMACS's own words (its {@code ERROR} line and its
 * {@code Fatal error:} block) reach the exception's message and {@code failure.json}; the commands
 * after it never run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GromacsFailureIT {

    @TempDir
    Path root;

    private static final String TOPOLOGY = """
            [ defaults ]
            1 2 no 1.0 1.0
            [ atomtypes ]
            Ar 18 39.948 0.0 A {{ lj.sigma }} {{ lj.epsilon }}
            [ moleculetype ]
            AR 0
            [ atoms ]
            1 Ar 1 AR Ar 1 0.0 39.948
            [ system ]
            two argon atoms
            [ molecules ]
            AR 2
            """;

    private static final String STRUCTURE = """
            two argon atoms
            2
                1AR      Ar    1   1.000   1.000   1.000
                2AR      Ar    2   1.380   1.000   1.000
               3.00000   3.00000   3.00000
            """;

    @Test
    void aBrokenMdpFailsTheTermWithGromacsOwnErrorText() throws Exception {
        String gmx = TestSupport.requireGromacs();
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("broken")
                .workDirectory(root)
                .templateText("md.mdp", "integrator = warp-drive\nnsteps = 10\ncutoff-scheme = Verlet\n")
                .templateText("topol.top", TOPOLOGY)
                .templateText("conf.gro", STRUCTURE)
                .command(gmx, "grompp", "-f", "md.mdp", "-c", "conf.gro", "-p", "topol.top", "-o", "run.tpr")
                .command(gmx, "mdrun", "-s", "run.tpr", "-deffnm", "run", "-ntmpi", "1", "-ntomp", "1")
                .command(Command.of(gmx, "energy", "-f", "run.edr", "-o", "energy.xvg")
                        .stdin(StandardInput.text("Potential\n\n")))
                .output(XvgParser.column("e", "energy.xvg", "Potential").last())
                .build();
        Parameters p = Parameters.of(Map.of("lj.epsilon", 0.99774, "lj.sigma", 0.3405));
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(p, new EvaluationContext(p, "e1")));

        String m = e.getMessage();
        assertTrue(m.contains("external term 'broken' failed at step run: command '" + gmx + " grompp -f md.mdp"), m);
        assertTrue(m.contains("exited with code 1"), m);
        // GROMACS's own text: the offending value and line, then its Fatal error block
        assertTrue(m.contains("ERROR 1 [file md.mdp, line "), m);
        assertTrue(m.contains("Invalid enum 'warp-drive' for variable integrator"), m);
        assertTrue(m.contains("Fatal error:\nThere was 1 error in input file(s)"), m);
        assertEquals(1, e.exitCode().orElseThrow());

        Path dir = e.runDirectory().orElseThrow();
        JsonNode f = new ObjectMapper().readTree(dir.resolve("failure.json").toFile());
        assertEquals("run", f.get("step").asText());
        assertEquals(1, f.get("exit_code").asInt());
        assertEquals(
                List.of(gmx, "grompp"),
                List.of(
                        f.get("command").get(0).asText(),
                        f.get("command").get(1).asText()));
        String tail = f.get("stderr_tail").asText();
        assertTrue(tail.contains("Invalid enum 'warp-drive' for variable integrator"), tail);
        assertTrue(tail.contains("Fatal error:\nThere was 1 error in input file(s)"), tail);
        assertEquals(1, f.get("commands").size(), "mdrun and energy never ran");
        assertTrue(Files.notExists(dir.resolve("program2.stdout")));
    }
}

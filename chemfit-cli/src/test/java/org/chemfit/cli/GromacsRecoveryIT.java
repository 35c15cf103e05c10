package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.external.Command;
import org.chemfit.external.FileBasedQuantityComputer;
import org.chemfit.external.Programs;
import org.chemfit.external.StandardInput;
import org.chemfit.external.XvgParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real GROMACS: the reference values are what GROMACS itself computes at known Lennard-Jones
 * parameters (through the Java API), and {@code chemfit fit} on a job file recovers those
 * parameters from a start 15 % and 3 % away.
 *
 * <p>The quantities are the potential energy per atom and the pressure of a compressed fcc crystal
 * (a single-point evaluation, no dynamics), so they carry no statistical noise. What limits the
 * recovery is GROMACS's precision: it computes in single precision (relative error about 1e-7) and
 * {@code gmx energy} prints six decimals (1e-6 kJ/mol of about 8 kJ/mol, 1e-6 bar of about 4000
 * bar), which moves the minimum of the loss by about 1e-6 relative; and the optimizer's own
 * convergence, stopped at a loss change of 1e-9 (energies to 3e-8 kJ/mol). The tolerance, 1e-4
 * relative on both parameters, is a hundred times those, and a thousand times smaller than the
 * start's distance from the answer.
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class GromacsRecoveryIT {

    @TempDir
    Path tmp;

    @Test
    void aFitRecoversTheParametersThatProducedItsReferences() throws Exception {
        GromacsJobs.assumeMdrunRunsHere();
        // 1. the references, computed by GROMACS at the known parameters through the Java API
        String gmx = Programs.firstOnPath(List.of("gmx", "gmx_mpi", "gmx_d"));
        Path t = GromacsJobs.templates();
        FileBasedQuantityComputer crystal = FileBasedQuantityComputer.builder()
                .name("reference")
                .workDirectory(tmp.resolve("reference-runs"))
                .templateText("static.mdp", GromacsJobs.STATIC_MDP)
                .template("topol.top", t.resolve("topol.top"))
                .template("conf.gro", t.resolve("conf.gro"))
                .variable("cells", 4)
                .variable("lattice", 0.51)
                .command(gmx, "grompp", "-f", "static.mdp", "-c", "conf.gro", "-p", "topol.top", "-o", "run.tpr")
                .command(
                        gmx, "mdrun", "-s", "run.tpr", "-deffnm", "run", "-ntmpi", "1", "-ntomp", "1", "-pin", "off",
                        "-reprod")
                .command(Command.of(gmx, "energy", "-f", "run.edr", "-o", "energy.xvg", "-nmol", "256")
                        .stdin(StandardInput.text("Potential\nPressure\n\n")))
                .output(XvgParser.column("potential", "energy.xvg", "Potential").last())
                .output(XvgParser.column("pressure", "energy.xvg", "Pressure").last())
                .build();
        Quantities ref = crystal.compute(
                Parameters.of(Map.of("lj.epsilon", GromacsJobs.EPSILON, "lj.sigma", GromacsJobs.SIGMA)));
        double potential = ref.get("potential");
        double pressure = ref.get("pressure");
        // the lattice energy of LJ fcc near its minimum is about -8.6 epsilon (less with a 0.9 nm cut-off)
        assertTrue(potential < -7.5 && potential > -8.6, "potential per atom " + potential);
        assertTrue(pressure > 1000, "the crystal is compressed: pressure " + pressure);

        // 2. the fit, through the job file and the command line
        Path job = GromacsJobs.staticJob(tmp.resolve("fit"), potential, pressure, 120);
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(0, v.code(), v::toString);
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(0, r.code(), r::toString);
        JsonNode res = new ObjectMapper()
                .readTree(job.getParent().resolve("out/results.json").toFile());
        double eps = res.at("/best_parameters/lj/epsilon").asDouble();
        double sigma = res.at("/best_parameters/lj/sigma").asDouble();
        String facts = "epsilon " + eps + ", sigma " + sigma + ", loss " + res.at("/loss/best") + ", "
                + res.get("evaluations") + "\n" + r;
        assertEquals(GromacsJobs.EPSILON, eps, 1e-4 * GromacsJobs.EPSILON, facts);
        assertEquals(GromacsJobs.SIGMA, sigma, 1e-4 * GromacsJobs.SIGMA, facts);
        System.out.println("recovered " + facts.lines().findFirst().orElseThrow());
        assertTrue(Files.isRegularFile(job.getParent().resolve("out/journal.sqlite")));
    }
}

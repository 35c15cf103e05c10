package org.chemfit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Job files for the GROMACS integration tests, built on the templates of
 * {@code examples/argon-gromacs} (the topology and the fcc structure) so that the tests run what
 * the example runs.
 */
final class GromacsJobs {

    /**
     * Aborts the calling test, as skipped with the reason, when this machine's GROMACS cannot run
     * a simulation at all (see {@link org.chemfit.testfixtures.Gromacs#assumeMdrunRunsHere}).
     *
     * @throws Exception when GROMACS or the CPU's flags cannot be read
     */
    static void assumeMdrunRunsHere() throws Exception {
        org.chemfit.testfixtures.Gromacs.assumeMdrunRunsHere();
    }

    /** Lennard-Jones argon as in Rahman's and Verlet's work: epsilon/k_B = 120 K (kJ/mol), sigma = 3.405 A (nm). */
    static final double EPSILON = 0.99774;

    static final double SIGMA = 0.3405;

    /**
     * A single-point evaluation (no dynamics) of a compressed fcc crystal of 256 atoms: its
     * potential energy per atom and its pressure. Deterministic and noise-free.
     */
    static final String STATIC_MDP = """
            ; single-point energy and pressure of a fixed structure
            integrator              = md
            nsteps                  = 0
            continuation            = yes
            nstcalcenergy           = 1
            nstenergy               = 1
            cutoff-scheme           = Verlet
            verlet-buffer-tolerance = -1
            rlist                   = 0.9
            vdwtype                 = cut-off
            vdw-modifier            = potential-shift
            rvdw                    = 0.9
            coulombtype             = cut-off
            rcoulomb                = 0.9
            DispCorr                = EnerPres
            tcoupl                  = no
            pcoupl                  = no
            gen-vel                 = no
            """;

    private GromacsJobs() {}

    static Path templates() {
        return ExamplesIT.examples().resolve("argon-gromacs/templates");
    }

    /** The commands of one evaluation: grompp, mdrun on one thread with -reprod, energy with its selection on stdin. */
    static String commands(String mdp, String terms) {
        return """
                    commands:
                      - [gmx, grompp, -f, %s, -c, conf.gro, -p, topol.top, -o, run.tpr]
                      - [gmx, mdrun, -s, run.tpr, -deffnm, run, -ntmpi, 1, -ntomp, 1, -pin, "off", -reprod]
                      - run: [gmx, energy, -f, run.edr, -o, energy.xvg, -nmol, 256]
                        stdin: "%s"
                """.formatted(mdp, terms);
    }

    /**
     * Writes a job that fits epsilon and sigma to the static crystal's energy and pressure.
     *
     * @return the job file
     */
    static Path staticJob(Path dir, double potential, double pressure, int budget) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("static.mdp"), STATIC_MDP);
        Path job = dir.resolve("fit.yaml");
        Files.writeString(
                job,
                String.format(
                        Locale.ROOT,
                        """
                name: crystal-recovery
                programs:
                  gmx: [gmx, gmx_mpi, gmx_d]
                parameters:
                  lj:
                    epsilon: {initial: 0.85, bounds: [0.6, 1.4]}
                    sigma: {initial: 0.33, bounds: [0.31, 0.37]}
                terms:
                  - name: crystal
                    kind: external
                    templates: {static.mdp: static.mdp, topol.top: "%s", conf.gro: "%s"}
                    variables: {cells: 4, lattice: 0.51}
                %s    outputs:
                      potential: {parser: xvg, file: energy.xvg, column: Potential, select: last}
                      pressure: {parser: xvg, file: energy.xvg, column: Pressure, select: last}
                    reference: {potential: %s, pressure: %s}
                    loss: {type: squared_error, scale: {potential: 1.0e-3, pressure: 1.0}}
                optimizer:
                  method: Nelder-Mead
                  max_evaluations: %d
                  tolerance: {relative: 1.0e-14, absolute: 1.0e-9}
                output:
                  folder: out
                  plots: false
                """,
                        templates().resolve("topol.top"),
                        templates().resolve("conf.gro"),
                        commands("static.mdp", "Potential\\nPressure\\n\\n"),
                        Double.toString(potential),
                        Double.toString(pressure),
                        budget));
        return job;
    }

    /**
     * Writes a job that fits epsilon and sigma to the density and energy of a short NPT run of the
     * liquid (the example's .mdp, 256 atoms, 6 ps), with the given reference values.
     *
     * @return the job file
     */
    static Path liquidJob(Path dir, int budget) throws IOException {
        Files.createDirectories(dir);
        Path job = dir.resolve("fit.yaml");
        Files.writeString(
                job,
                String.format(
                        Locale.ROOT,
                        """
                name: liquid-resume
                programs:
                  gmx: [gmx, gmx_mpi, gmx_d]
                parameters:
                  lj:
                    epsilon: {initial: 1.0, bounds: [0.8, 1.3]}
                    sigma: {initial: 0.34, bounds: [0.32, 0.36]}
                terms:
                  - name: liquid
                    kind: external
                    templates: {md.mdp: "%s", topol.top: "%s", conf.gro: "%s"}
                    variables: {cells: 4, lattice: 0.575, temperature: 87.3, steps: 600, cutoff: 0.9}
                %s    outputs:
                      density: {parser: xvg, file: energy.xvg, column: Density, select: mean, from: 3}
                      potential: {parser: xvg, file: energy.xvg, column: Potential, select: mean, from: 3}
                    reference: {density: 1395.0, potential: -5.711}
                    loss: {type: squared_error, scale: {density: 5.0, potential: 0.02}}
                optimizer:
                  method: Nelder-Mead
                  max_evaluations: %d
                output:
                  folder: out
                  plots: false
                """,
                        templates().resolve("md.mdp"),
                        templates().resolve("topol.top"),
                        templates().resolve("conf.gro"),
                        commands("md.mdp", "Potential\\nDensity\\n\\n"),
                        budget));
        return job;
    }
}

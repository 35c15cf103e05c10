package org.chemfit.external;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.chemfit.LossFunction;
import org.chemfit.LossFunctions;
import org.chemfit.Parameters;
import org.chemfit.Quantities;

/** LAMMPS terms of a Lennard-Jones argon model, shared by the integration tests. */
final class Argon {

    /** The parameters at which LAMMPS produces the reference values. */
    static final double EPSILON = 0.0104;

    static final double SIGMA = 3.40;

    private Argon() {}

    static Parameters parameters(double epsilon, double sigma) {
        return Parameters.of(Map.of("lj", Map.of("epsilon", epsilon, "sigma", sigma)));
    }

    /**
     * A LAMMPS term. Open MPI's singleton start-up is made cheap (40 ms instead of 350 ms per run) by
     * two environment settings that change nothing in the results; isolated singletons all use one
     * session directory under TMPDIR, so each run gets a TMPDIR of its own (concurrent runs failed
     * in MPI_Init without it).
     */
    static FileBasedQuantityComputer.Builder lammps(String name, String template, Path work) {
        return FileBasedQuantityComputer.builder()
                .name(name)
                .workDirectory(work)
                .template("in.lammps", TestSupport.resource("/external/lammps/" + template))
                .env("OMPI_MCA_pml", "ob1")
                .env("OMPI_MCA_ess_singleton_isolated", "1")
                .privateTmpDir()
                .command("lmp", "-in", "in.lammps", "-log", "log.lammps", "-screen", "none", "-nocite")
                .logFile("log.lammps")
                .timeout(Duration.ofSeconds(60));
    }

    /**
     * Lattice energy per atom and volume after relaxing the fcc cell.
     *
     * @param launcher put in front of lmp (none: lmp runs itself)
     */
    static FileBasedQuantityComputer fcc(Path work, String... launcher) {
        return lammps("fcc", "in.fcc", work)
                .launcher(launcher)
                .output(OutputParsers.lammpsThermo("energy", "log.lammps", "PotEng")
                        .last())
                .output(OutputParsers.lammpsThermo("volume", "log.lammps", "Volume")
                        .last())
                .build();
    }

    /**
     * Pressure of the perfect crystal at a fixed lattice constant.
     *
     * @param launcher put in front of lmp (none: lmp runs itself)
     */
    static FileBasedQuantityComputer pressure(Path work, String... launcher) {
        return lammps("pressure", "in.pressure", work)
                .launcher(launcher)
                .variable("a", 5.6)
                .output(OutputParsers.lammpsThermo("pressure", "log.lammps", "Press")
                        .last())
                .build();
    }

    /**
     * Energy of a dimer at 3.9 A.
     *
     * @param launcher put in front of lmp (none: lmp runs itself)
     */
    static FileBasedQuantityComputer dimer(Path work, String... launcher) {
        return lammps("dimer", "in.dimer", work)
                .launcher(launcher)
                .variable("r", 3.9)
                .output(OutputParsers.lammpsThermo("energy", "log.lammps", "PotEng")
                        .last())
                .build();
    }

    /** @return a squared relative error against every number of the reference quantities */
    static LossFunction relativeLoss(Quantities reference) {
        Map<String, Double> ref = new LinkedHashMap<>();
        Map<String, Double> scale = new LinkedHashMap<>();
        for (String n : reference.names()) {
            ref.put(n, reference.get(n));
            scale.put(n, Math.abs(reference.get(n)));
        }
        return LossFunctions.squaredError(ref, scale);
    }
}

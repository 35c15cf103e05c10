/**
 * ChemFit's core: the model (objective terms, parameters, quantities, losses), local concurrent
 * evaluation, external programs, the atomistic toolkit, optimizers and the fit loop, and the
 * journal.
 *
 * <pre>{@code
 * var objective = new CombinedObjectiveFunction(List.of(energies, forces), List.of(1.0, 0.1));
 * FitResult r = new Fitter(objective, Parameters.of(Map.of("lj.epsilon", 0.01))).fit();
 * }</pre>
 *
 * <p>What this module exports is its API. {@code org.chemfit.internal} (the scheduler's leaf
 * tasks and the shared steps of evaluation) is exported only to the cluster module, which runs
 * leaf tasks on other machines; {@code org.chemfit.support} (name suggestions, predictions and
 * error metrics for the command line's reports, the reasons of failures in a user's words) only to the
 * command line, the cluster module and the dashboard.
 */
module org.chemfit {
    // Hipparchus and Pebble have no module descriptor: they are automatic modules, named from
    // their jar file (hipparchus.core, hipparchus.optim) or their manifest (io.pebbletemplates)
    requires static transitive org.jspecify; // the @Nullable of the API, needed to compile only
    requires hipparchus.core;
    requires hipparchus.optim;
    requires io.pebbletemplates;
    requires com.fasterxml.jackson.databind;
    requires java.sql;
    requires org.slf4j;
    requires org.xerial.sqlitejdbc;

    exports org.chemfit;
    exports org.chemfit.atoms;
    exports org.chemfit.external;
    exports org.chemfit.fit;
    exports org.chemfit.journal;
    exports org.chemfit.journal.read;
    exports org.chemfit.schedule;
    exports org.chemfit.internal to
            org.chemfit.cluster;
    exports org.chemfit.support to
            org.chemfit.cli,
            org.chemfit.cluster,
            org.chemfit.dashboard;
}

/**
 * The {@code chemfit} command: job files, subcommands, progress, reports and plots. A program,
 * not a library: it exports nothing. picocli builds the commands and fills their options by
 * reflection, and Hazelcast creates the command's logger factory by its class name, hence the
 * package is open to both.
 *
 * <pre>{@code
 * ./chemfit fit examples/argon/fit.yaml
 * }</pre>
 */
module org.chemfit.cli {
    requires static transitive org.jspecify; // the @Nullable of the API, needed to compile only
    requires org.chemfit;
    requires org.chemfit.cluster;
    requires org.chemfit.dashboard;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires info.picocli;
    requires java.desktop;
    requires java.logging; // the levels of Hazelcast's log (HazelcastLog)
    requires org.slf4j;
    requires org.yaml.snakeyaml;

    opens org.chemfit.cli to
            info.picocli,
            com.hazelcast.core;
}

/**
 * The {@code chemfit} command: job files, subcommands, progress, reports and plots. A program,
 * not a library: it exports nothing. picocli builds the commands and fills their options by
 * reflection, hence the package is open to it.
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
    requires org.slf4j;
    requires org.yaml.snakeyaml;

    opens org.chemfit.cli to
            info.picocli;
}

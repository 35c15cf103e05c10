/**
 * The live dashboard and the static {@code report.html} of a fit, read from its journal. The
 * command line starts them ({@code chemfit dashboard}, {@code chemfit report}); nothing else
 * uses them, so the package is exported to the command line only.
 *
 * <pre>{@code
 * chemfit dashboard runs/argon      # serves the dashboard of the journal in runs/argon
 * }</pre>
 */
module org.chemfit.dashboard {
    requires static transitive org.jspecify; // the @Nullable of the API, needed to compile only
    requires org.chemfit;
    requires com.fasterxml.jackson.databind;
    requires jdk.httpserver;
    requires org.slf4j;

    exports org.chemfit.dashboard to
            org.chemfit.cli;
}

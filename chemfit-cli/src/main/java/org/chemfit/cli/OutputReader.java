package org.chemfit.cli;

import static org.chemfit.cli.JobKeys.OUTPUT_KEYS;

import java.nio.file.Path;
import org.chemfit.cli.JobFile.OutputSpec;
import org.jspecify.annotations.NullUnmarked;

/**
 * Reads the {@code output} section: the output folder (default: results beside the job file),
 * whether plots are drawn, and which evaluations' terms the journal keeps.
 *
 * <pre>{@code
 * OutputSpec o = new OutputReader(reading).read(top.entries.get("output"));
 * }</pre>
 *
 * @implNote One instance per job file, used while it is read; not thread-safe.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class OutputReader {

    /** The output folder when the job names none, beside the job file. */
    static final String DEFAULT_FOLDER = "results";

    private final JobReading r;

    OutputReader(JobReading reading) {
        this.r = reading;
    }

    OutputSpec read(Node n) {
        Path folder = r.folder.resolve(DEFAULT_FOLDER);
        boolean plots = true;
        boolean improvingTermsOnly = false;
        if (n != null) {
            Node.MapNode m = r.map(n, "output");
            if (m != null) {
                r.keys(m, "output", OUTPUT_KEYS);
                if (m.entries.containsKey("folder")) {
                    Path p = r.path(m.entries.get("folder"), "output folder", false);
                    String why = p == null ? null : Messages.notAFolder(p);
                    if (why != null) {
                        r.problem(
                                m.entries.get("folder"),
                                "output folder " + p + " cannot be created or written: " + why);
                    }
                    folder = p == null ? folder : p;
                }
                if (m.entries.containsKey("plots")) {
                    Boolean b = r.bool(m.entries.get("plots"), "output plots");
                    plots = b == null || b;
                }
                if (m.entries.containsKey("journal_terms")) {
                    String t = r.choice(m.entries.get("journal_terms"), "output journal_terms", JobKeys.JOURNAL_TERMS);
                    improvingTermsOnly = "improving".equals(t);
                }
            }
        }
        return new OutputSpec(folder, plots, improvingTermsOnly);
    }
}

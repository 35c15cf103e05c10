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
                    if (p != null && m.entries.get("folder") instanceof Node.Scalar sc) {
                        shellWords(String.valueOf(sc.value), p, sc);
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

    /**
     * An output folder written as a shell would expand it ({@code ~/fits/out}, {@code $SCRATCH/out})
     * is taken as written: a folder named {@code ~} beside the job file, which a later {@code rm -rf ~}
     * meant for it would take for the home folder. One that starts with {@code ~} and does not exist
     * is refused; a variable is warned of.
     *
     * @param written the folder as the job file writes it
     * @param resolved the folder it names
     * @param node where it is written
     */
    private void shellWords(String written, Path resolved, Node node) {
        if (java.nio.file.Files.exists(resolved) || !JobReading.shellWords(written)) {
            return;
        }
        String why = "output folder '" + written + "' is taken as it is written, not as a shell expands it: it would"
                + " be made as " + resolved + "; give the folder itself, relative to the job file's folder or"
                + " absolute (such as " + System.getProperty("user.home") + "/fits/out)";
        if (written.startsWith("~")) {
            r.problem(node, why);
        } else {
            r.warnings.add(r.shown + ":" + node.line + ":" + node.column + ": " + why);
        }
    }
}

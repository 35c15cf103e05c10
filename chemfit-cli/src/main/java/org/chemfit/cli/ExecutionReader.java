package org.chemfit.cli;

import static org.chemfit.cli.JobKeys.EXECUTION_KEYS;
import static org.chemfit.cli.JobKeys.KEEP;
import static org.chemfit.cli.JobKeys.MAX_RETRIES;
import static org.chemfit.cli.JobKeys.MAX_WORKERS;

import java.nio.file.Path;
import java.time.Duration;
import org.chemfit.cli.JobFile.ExecutionSpec;
import org.chemfit.cli.JobFile.OutputSpec;
import org.chemfit.external.KeepPolicy;
import org.jspecify.annotations.NullUnmarked;

/**
 * Reads the {@code execution} section: workers, timeout, retries, run directory and keep policy.
 *
 * <pre>{@code
 * ExecutionSpec e = new ExecutionReader(reading).read(top.entries.get("execution"), output);
 * }</pre>
 *
 * @implNote One instance per job file, used while it is read; not thread-safe.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class ExecutionReader {

    private final JobReading r;

    ExecutionReader(JobReading reading) {
        this.r = reading;
    }

    ExecutionSpec read(Node n, OutputSpec output) {
        int workers = 1;
        Duration timeout = null;
        int retries = 0;
        Path runDir = null; // the output folder's runs/, wherever the output goes
        KeepPolicy keep = KeepPolicy.FAILED;
        String workersAt = null;
        if (n != null) {
            Node.MapNode m = r.map(n, "execution");
            if (m != null) {
                r.keys(m, "execution", EXECUTION_KEYS);
                Integer w = r.optInt(m, "workers", "execution workers", 1, MAX_WORKERS);
                workers = w == null ? workers : w;
                Node wn = m.entries.get("workers");
                if (w != null) {
                    workersAt = r.shown + ":" + wn.line + ":" + wn.column;
                }
                if (m.entries.containsKey("timeout")) {
                    timeout = r.duration(m.entries.get("timeout"), "execution timeout");
                }
                Integer rt = r.optInt(m, "retries", "execution retries", 0, MAX_RETRIES);
                retries = rt == null ? retries : rt;
                if (m.entries.containsKey("run_directory")) {
                    Path p = r.path(m.entries.get("run_directory"), "execution run_directory", false);
                    String why = p == null ? null : Messages.notWritableFolder(p);
                    if (why != null) {
                        r.problem(
                                m.entries.get("run_directory"),
                                "execution run_directory " + p + " cannot be created or written: " + why);
                    }
                    runDir = p == null ? runDir : p;
                }
                if (m.entries.containsKey("keep")) {
                    KeepPolicy k = r.choice(m.entries.get("keep"), "execution keep", KEEP, KeepPolicy.class);
                    keep = k == null ? keep : k;
                }
            }
        }
        return new ExecutionSpec(workers, timeout, retries, runDir, keep, workersAt);
    }
}

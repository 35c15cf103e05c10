package org.chemfit.benchmarks;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.IntConsumer;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.external.FileBasedQuantityComputer;
import org.chemfit.external.OutputParsers;

/**
 * The external term of {@link ExternalTermBenchmark} (a one-line template, {@code /bin/true}, a
 * regular expression on the rendered file), defined by {@link ExternalTermsSideBySide} in the class
 * loader of each build it compares, so that it runs that build's library.
 *
 * @implNote A harness part, not a library class; single-threaded.
 */
public final class SideBySideTerm implements IntConsumer {

    private final FileBasedQuantityComputer term;
    private final Parameters params = Parameters.of(Map.of("x", 1.25));
    private final String prefix;

    /**
     * @param root the folder the run directories are made in
     * @param prefix what the evaluation ids begin with
     */
    public SideBySideTerm(String root, String prefix) {
        this.prefix = prefix;
        this.term = FileBasedQuantityComputer.builder()
                .name("bench")
                .workDirectory(Path.of(root))
                .templateText("out.txt", "energy = {{ x }}\n")
                .command("/bin/true")
                .output(OutputParsers.regex("energy", "out.txt", "energy = (\\S+)"))
                .build();
    }

    /**
     * Runs the term once.
     *
     * @param i the call's number, which names its evaluation
     */
    @Override
    public void accept(int i) {
        double energy =
                term.compute(params, new EvaluationContext(params, prefix + i)).get("energy");
        if (energy != 1.25) {
            throw new IllegalStateException("wrong parse result " + energy);
        }
    }
}

package org.chemfit.external;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;

/**
 * Runs many evaluations of one external term at once, every one with the same evaluation id, so
 * that only the run directories' unique part keeps them apart. Used by a test that starts it in
 * several JVMs sharing one work directory.
 *
 * <pre>{@code
 * java -cp ... org.chemfit.external.RunDirectoryStress <workDirectory> <first value> <count>
 * }</pre>
 *
 * @implNote A test program; exits non-zero when an evaluation read a value that is not its own.
 */
public final class RunDirectoryStress {

    private RunDirectoryStress() {}

    /**
     * @param args the work directory, the first value, the number of evaluations
     * @throws Exception when an evaluation fails
     */
    public static void main(String[] args) throws Exception {
        run(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
    }

    static void run(Path root, int first, int count) throws Exception {
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("stress")
                .workDirectory(root)
                .keep(KeepPolicy.ALL)
                .templateText("in.txt", "x = {{ x }}\n")
                .command("bash", TestSupport.fakeProgram().toString(), "ok")
                .output(OutputParsers.regex("result", "out.txt", "result = (\\S+)"))
                .build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                double x = first + i;
                fs.add(pool.submit(() -> {
                    Parameters p = Parameters.of(Map.of("x", x));
                    double r = c.compute(p, new EvaluationContext(p, "same")).get("result");
                    if (r != 2 * x) {
                        throw new IllegalStateException("evaluation of x = " + x + " read " + r);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

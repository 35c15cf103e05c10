package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scripts that terms write into their run directories and run at once, from several threads: a
 * script is refused as a "text file busy" while a process forked by another thread in that moment
 * still holds the descriptor it was written through; the start is tried again, so every run
 * gives its value. Real processes, real files.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class WrittenScriptsStartTest {

    @TempDir
    Path root;

    @Test
    void renderedScriptsRunFromManyThreadsAtOnce() throws Exception {
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("sim")
                .workDirectory(root)
                .templateText("run.sh", "#!/bin/sh\necho \"e = {{ x }}\"\n")
                .inputWriter((dir, p) -> dir.resolve("run.sh").toFile().setExecutable(true))
                .command("./run.sh")
                .output(OutputParsers.regex("e", "program.stdout", "e = (\\S+)"))
                .build();
        int threads = 6;
        int each = 60;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Double>> runs = new ArrayList<>();
            for (int i = 0; i < threads * each; i++) {
                double x = i;
                runs.add(pool.submit(() -> {
                    Quantities q = c.compute(Parameters.of(Map.of("x", x)));
                    return q.get("e");
                }));
            }
            for (int i = 0; i < runs.size(); i++) {
                assertEquals(i, runs.get(i).get(), 0.0, "run " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

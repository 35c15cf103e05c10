package org.chemfit.external;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real processes a test starts to stand for a fit, a worker or their programs, each in a folder
 * and with environment variables of its own (a tag), all killed after each test.
 */
final class StartedPrograms implements AfterEachCallback {

    private final List<Process> started = new ArrayList<>();

    /**
     * @param dir the process's working directory
     * @param env variables added to this JVM's environment
     * @param argv the program and its arguments
     * @return the process, killed after the test
     * @throws IOException when it cannot be started
     */
    Process start(Path dir, Map<String, String> env, String... argv) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        started.forEach(Process::destroyForcibly);
        started.clear();
    }
}

package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chemfit worker} and {@code chemfit fit --cluster}, each in its own JVM on 127.0.0.1
 * (the secret travels in the environment, as it must): the cluster fit of the argon example
 * gives the serial fit's result, bit for bit, and every term ran on the worker.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterCliIT {

    static final String SECRET =
            "cluster-cli-test-secret-" + ProcessHandle.current().pid();

    @TempDir
    Path tmp;

    final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killAll() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(20, TimeUnit.SECONDS);
        }
    }

    Process chemfit(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "--add-modules",
                "java.se",
                "--add-opens",
                "java.base/java.lang=ALL-UNNAMED",
                "--add-opens",
                "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".out").toFile());
        pb.environment().remove("CHEMFIT_CLUSTER_SECRET_FILE");
        pb.environment().put("CHEMFIT_CLUSTER_SECRET", SECRET);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    String output(String name) throws IOException {
        Path f = tmp.resolve(name + ".out");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    @Test
    void aClusterFitOfTheArgonExampleIsTheSerialFit() throws Exception {
        Path job = ExamplesIT.examples().resolve("argon/fit.yaml");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String cluster = "cli-" + ProcessHandle.current().pid();
        String join = "127.0.0.1:" + port;
        Process worker = chemfit(
                "worker",
                "worker",
                job.toString(),
                "--cluster",
                cluster,
                "--join",
                join,
                "--port",
                Integer.toString(port + 1),
                "--threads",
                "2");
        Path clusterOut = tmp.resolve("cluster");
        Process driver = chemfit(
                "driver",
                "fit",
                job.toString(),
                "--output",
                clusterOut.toString(),
                "--cluster",
                cluster,
                "--join",
                join,
                "--port",
                Integer.toString(port),
                "--max-evaluations",
                "40",
                "--progress",
                "none",
                "--no-plots",
                "--member-wait",
                "90");
        assertTrue(
                driver.waitFor(3, TimeUnit.MINUTES),
                "the cluster fit ends:\n" + output("driver") + "\nworker:\n" + output("worker"));
        assertEquals(0, driver.exitValue(), output("driver") + "\nworker:\n" + output("worker"));
        assertTrue(output("driver").contains("on cluster '" + cluster + "'"), output("driver"));

        Path serialOut = tmp.resolve("serial");
        Cli.Run serial = Cli.run(
                "fit",
                job.toString(),
                "--output",
                serialOut.toString(),
                "--max-evaluations",
                "40",
                "--progress",
                "none",
                "--no-plots");
        assertEquals(0, serial.code(), serial::toString);

        ObjectMapper json = new ObjectMapper();
        JsonNode c = json.readTree(clusterOut.resolve("results.json").toFile());
        JsonNode s = json.readTree(serialOut.resolve("results.json").toFile());
        for (String field :
                List.of("/best_parameters/lj/epsilon", "/best_parameters/lj/sigma", "/loss/best", "/loss/initial")) {
            assertEquals(
                    Double.doubleToRawLongBits(s.at(field).asDouble()),
                    Double.doubleToRawLongBits(c.at(field).asDouble()),
                    field + ": " + s.at(field) + " vs " + c.at(field));
        }
        assertEquals(
                s.at("/evaluations/total").asInt(), c.at("/evaluations/total").asInt());
        assertEquals(40, c.at("/evaluations/total").asInt(), c::toString);
        assertEquals(s.at("/terms/0/computed/energy"), c.at("/terms/0/computed/energy"));

        // the driver ran no term itself (--driver-threads 0): the worker ran them all
        String w = output("worker");
        assertTrue(w.contains("joined cluster '" + cluster + "' with 2 thread(s)"), w);
        worker.destroy(); // SIGTERM, as at the end of an allocation
        assertTrue(worker.waitFor(60, TimeUnit.SECONDS), "the worker stops on SIGTERM:\n" + output("worker"));
    }

    @Test
    void aWorkerWithTheSecretButAnotherJobIsRefusedAndTheMessageNamesBothFingerprints() throws Exception {
        // the argon example twice; in the second copy one reference energy has one more digit
        Path a = copyTree(ExamplesIT.examples().resolve("argon"), tmp.resolve("a"));
        Path b = copyTree(ExamplesIT.examples().resolve("argon"), tmp.resolve("b"));
        Path csv = b.resolve("data/ar2-energies.csv");
        List<String> lines = new ArrayList<>(Files.readAllLines(csv));
        String[] last = lines.get(lines.size() - 1).split(",", -1);
        last[1] = last[1] + "1";
        lines.set(lines.size() - 1, String.join(",", last));
        Files.write(csv, lines);
        String driverJob = JobFile.read(a.resolve("fit.yaml")).hash();
        String workerJob = JobFile.read(b.resolve("fit.yaml")).hash();
        assertTrue(!driverJob.equals(workerJob));

        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String cluster = "cli-job-" + ProcessHandle.current().pid();
        String join = "127.0.0.1:" + port;
        Process worker = chemfit(
                "other-worker",
                "worker",
                b.resolve("fit.yaml").toString(),
                "--cluster",
                cluster,
                "--join",
                join,
                "--port",
                Integer.toString(port + 1),
                "--threads",
                "1");
        Process driver = chemfit(
                "job-driver",
                "fit",
                a.resolve("fit.yaml").toString(),
                "--output",
                tmp.resolve("out").toString(),
                "--cluster",
                cluster,
                "--join",
                join,
                "--port",
                Integer.toString(port),
                "--max-evaluations",
                "5",
                "--progress",
                "none",
                "--no-plots",
                "--member-wait",
                "20");
        assertTrue(worker.waitFor(3, TimeUnit.MINUTES), "the refused worker exits:\n" + output("other-worker"));
        assertEquals(ExitCodes.USAGE, worker.exitValue(), output("other-worker"));
        String w = output("other-worker");
        assertTrue(w.contains("(job " + workerJob + ")"), w);
        assertTrue(
                w.contains(
                        "error: the driver refused this worker: it runs job " + workerJob + " but the driver runs job "
                                + driverJob + "; start every worker with the driver's job file and the files it reads"),
                w);
        // with no worker of its job, the driver's terms fail once the member wait is over
        assertTrue(driver.waitFor(3, TimeUnit.MINUTES), "the driver ends:\n" + output("job-driver"));
        assertEquals(ExitCodes.FIT_FAILED, driver.exitValue(), output("job-driver"));
        assertTrue(output("job-driver").contains("refused for a wrong secret or another job: ["), output("job-driver"));
    }

    static Path copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return to;
    }

    @Test
    void aWorkerWithoutTheClusterNameOrSecretIsAUsageError() {
        Cli.Run r = Cli.run("worker", "no-such-job.yaml");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains("--cluster NAME is required"), r::toString);
    }
}

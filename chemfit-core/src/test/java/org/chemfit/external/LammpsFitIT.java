package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.TermFailedException;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.schedule.AsyncWrapperCOB;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Fits a Lennard-Jones argon model to values that LAMMPS itself produced at known parameters. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LammpsFitIT {

    @TempDir
    Path work;

    @Test
    void recoversEpsilonAndSigmaFromThreeLammpsTermsRunConcurrently() throws IOException {
        TestSupport.requireLammps();
        Parameters truth = Argon.parameters(Argon.EPSILON, Argon.SIGMA);
        List<FileBasedQuantityComputer> computers = List.of(Argon.fcc(work), Argon.pressure(work), Argon.dimer(work));
        // the references come from LAMMPS at the true parameters, not from this test's text
        List<Quantities> references = computers.stream()
                .map(c -> c.compute(truth, new EvaluationContext(truth, "reference")))
                .toList();
        CombinedObjectiveFunction combined = combined(computers, references);
        assertEquals(0.0, combined.evaluate(truth), 0.0, "the truth reproduces its own references");

        // The same terms, each run of LAMMPS started by a launcher that first waits until the other
        // two have started (a file each in a folder): an evaluation whose terms ran one after another
        // fails there, after 60 s, instead of passing by luck.
        Path meet = Files.createDirectories(work.resolve("meet"));
        Path rendezvous = work.resolve("rendezvous.sh");
        Files.writeString(rendezvous, """
                # usage: rendezvous.sh FOLDER PEERS NAME COMMAND...: writes FOLDER/started-NAME, waits until
                # PEERS runs have (at most 60 s, else exit 4), then runs the command
                dir=$1; peers=$2; name=$3; shift 3
                touch "$dir/started-$name"
                waited=0
                while [ "$(ls "$dir" | grep -c '^started-')" -lt "$peers" ]; do
                  if [ "$waited" -ge 600 ]; then echo "rendezvous.sh: $name met no other run in 60 s" >&2; exit 4; fi
                  sleep 0.1
                  waited=$((waited + 1))
                done
                exec "$@"
                """);
        String[] fcc = {"sh", rendezvous.toString(), meet.toString(), "3", "fcc"};
        String[] pressure = {"sh", rendezvous.toString(), meet.toString(), "3", "pressure"};
        String[] dimer = {"sh", rendezvous.toString(), meet.toString(), "3", "dimer"};
        CombinedObjectiveFunction meeting = combined(
                List.of(Argon.fcc(work, fcc), Argon.pressure(work, pressure), Argon.dimer(work, dimer)), references);

        ExecutorService pool = Executors.newFixedThreadPool(3);
        FitResult r;
        try (AsyncWrapperCOB objective = new AsyncWrapperCOB(combined, pool);
                AsyncWrapperCOB met = new AsyncWrapperCOB(meeting, pool)) {
            r = new Fitter(objective, Argon.parameters(1.12 * Argon.EPSILON, 0.96 * Argon.SIGMA))
                    .maxEvaluations(400)
                    .fit("BOBYQA");
            // the three LAMMPS runs of one evaluation run at once
            EvaluationContext ctx = new EvaluationContext(r.bestParameters(), "overlap");
            assertEquals(r.bestLoss(), met.evaluate(r.bestParameters(), ctx), 1e-12);
            try (var started = Files.list(meet)) {
                assertEquals(3, started.count(), "each of the three runs started");
            }
            assertTrue(overlaps(ctx), "no two terms overlapped: " + ctx.toMap(true));
        } finally {
            pool.shutdownNow();
        }

        double eps = r.bestParameters().get("lj.epsilon");
        double sigma = r.bestParameters().get("lj.sigma");
        assertEquals(
                Argon.EPSILON, eps, 1e-3 * Argon.EPSILON, "epsilon after " + r.evaluations() + " evaluations: " + r);
        assertEquals(Argon.SIGMA, sigma, 1e-3 * Argon.SIGMA, "sigma after " + r.evaluations() + " evaluations: " + r);
        assertTrue(r.bestLoss() < 1e-6 * r.initialLoss(), "loss " + r.bestLoss() + " from " + r.initialLoss());
    }

    /** @return the terms, each scored by its squared relative error against its reference */
    private static CombinedObjectiveFunction combined(
            List<FileBasedQuantityComputer> computers, List<Quantities> references) {
        List<ObjectiveFunction> terms = new java.util.ArrayList<>();
        for (int i = 0; i < computers.size(); i++) {
            terms.add(computers.get(i).withLoss(Argon.relativeLoss(references.get(i))));
        }
        return new CombinedObjectiveFunction(terms).withTermNames(List.of("fcc", "pressure", "dimer"));
    }

    static boolean overlaps(EvaluationContext ctx) {
        List<EvaluationContext> c = ctx.children();
        for (int i = 0; i < c.size(); i++) {
            for (int j = i + 1; j < c.size(); j++) {
                if (c.get(i).startEpochNanos() < c.get(j).endEpochNanos()
                        && c.get(j).startEpochNanos() < c.get(i).endEpochNanos()) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void aRealLogWithMinimizeAndRunTablesIsReadTableByTable() {
        TestSupport.requireLammps();
        Parameters truth = Argon.parameters(Argon.EPSILON, Argon.SIGMA);
        FileBasedQuantityComputer md = Argon.lammps("md", "in.argon-md", work)
                .variable("temperature", 40)
                .variable("bins", 14)
                .output(OutputParsers.lammpsThermo("relaxed", "log.lammps", "PotEng")
                        .run(0)
                        .last())
                .output(OutputParsers.lammpsThermo("steps", "log.lammps", "Step")
                        .all())
                .output(OutputParsers.lammpsThermo("mdMean", "log.lammps", "PotEng")
                        .mean())
                .output(OutputParsers.lammpsThermo("mdAll", "log.lammps", "PotEng")
                        .all())
                .output(OutputParsers.column("g", "rdf.dat", "c_rdf[2]").all())
                .build();
        Quantities q = md.compute(truth);
        double fccPerAtom = Argon.fcc(work).compute(truth).get("energy");
        // 32 atoms relaxed by minimize give the same energy per atom as the 4-atom cell
        assertEquals(fccPerAtom, q.get("relaxed"), 1e-9 * Math.abs(fccPerAtom));
        assertEquals(
                List.of(0.0, 50.0, 100.0),
                java.util.Arrays.stream(q.array("steps")).boxed().toList());
        double[] all = q.array("mdAll");
        assertEquals((all[0] + all[1] + all[2]) / 3, q.get("mdMean"), 1e-15);
        assertEquals(14, q.array("g").length);
        assertTrue(java.util.Arrays.stream(q.array("g")).max().getAsDouble() > 1, "the crystal's first peak");
    }

    @Test
    void aLammpsErrorFailsTheTermWithLammpsOwnMessage() {
        TestSupport.requireLammps();
        FileBasedQuantityComputer broken = Argon.lammps("broken", "in.dimer", work)
                .variable("r", 3.9)
                .templateText("extra.lammps", "pair_style no/such/style\n")
                .command("lmp", "-in", "extra.lammps", "-log", "log2.lammps", "-nocite")
                .output(OutputParsers.lammpsThermo("energy", "log.lammps", "PotEng"))
                .build();
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> broken.compute(Argon.parameters(0.01, 3.4)));
        assertEquals(1, e.exitCode().getAsInt());
        assertTrue(
                e.getMessage().contains("command 'lmp -in extra.lammps -log log2.lammps -nocite' exited with code 1"),
                e.getMessage());
        Quantities ok = Argon.dimer(work).compute(Argon.parameters(0.01, 3.4));
        assertTrue(ok.get("energy") < 0, "the dimer at 3.9 A sits in the attractive well: " + ok);
    }

    /**
     * LAMMPS killed at its timeout before its log's buffer filled leaves the log empty: the failure
     * says so, and how to have each thermo line written as it comes; with {@code thermo_modify flush
     * yes} the log holds the run's start and the hint is not given.
     */
    @Test
    void aLammpsRunKilledAtItsTimeoutWithAnEmptyLogSaysWhy() throws IOException {
        TestSupport.requireLammps();
        String longRun = "velocity all create 10.0 1\nfix 1 all nve\nthermo 0\nrun 500000000\n";
        String input = Files.readString(TestSupport.resource("/external/lammps/in.dimer"))
                .replace("run             0", longRun);
        FileBasedQuantityComputer buffered = longRun(input);
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> buffered.compute(Argon.parameters(0.01, 3.4)));
        assertTrue(
                e.getMessage()
                        .contains("command 'lmp -in in.lammps -log run.log -screen none -nocite' timed out after 3 s"
                                + " and its process tree was killed; a run that needs longer needs a longer timeout"
                                + " (run directory "),
                e.getMessage());
        assertTrue(
                e.getMessage().contains("\nhint: LAMMPS's log run.log is empty: LAMMPS keeps its log in a buffer"),
                e.getMessage());
        assertTrue(e.getMessage().contains("thermo_modify flush yes in the input"), e.getMessage());

        FileBasedQuantityComputer flushed = longRun(input.replace("thermo 0", "thermo 0\nthermo_modify flush yes"));
        TermFailedException f =
                assertThrows(TermFailedException.class, () -> flushed.compute(Argon.parameters(0.01, 3.4)));
        assertTrue(f.getMessage().contains("a run that needs longer needs a longer timeout"), f.getMessage());
        assertTrue(!f.getMessage().contains("is empty"), "the log holds the run's start: " + f.getMessage());
    }

    /** A dimer's LAMMPS term of this input, which it runs with a timeout of 3 s. */
    private FileBasedQuantityComputer longRun(String input) {
        return FileBasedQuantityComputer.builder()
                .name("long")
                .workDirectory(work)
                .templateText("in.lammps", input)
                .env("OMPI_MCA_pml", "ob1")
                .env("OMPI_MCA_ess_singleton_isolated", "1")
                .privateTmpDir()
                .variable("r", 3.9)
                .command("lmp", "-in", "in.lammps", "-log", "run.log", "-screen", "none", "-nocite")
                .logFile("run.log")
                .timeout(java.time.Duration.ofSeconds(3))
                .killGrace(java.time.Duration.ofMillis(500))
                .output(OutputParsers.lammpsThermo("energy", "run.log", "PotEng")
                        .last())
                .build();
    }
}

package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mistakes that {@code fit} and {@code eval} used to meet only while running are job errors found
 * when the job is read: {@code validate} reports them at the job file's line (or the data file's),
 * with exit code 2, and {@code fit} and {@code eval} refuse the same job the same way before
 * anything runs (no journal, no run directory).
 */
class UpFrontChecksTest {

    @TempDir
    Path dir;

    private static final String MGO = TestData.MGO;

    private Path write(String name, String... lines) throws IOException {
        return TestData.write(dir, name, lines);
    }

    /** Runs validate, fit and eval on the job; each must refuse it with exit 2 and the given text. */
    private void refusedEverywhere(Path job, String... expected) {
        for (String command : List.of("validate", "fit", "eval")) {
            Cli.Run r = command.equals("fit")
                    ? Cli.run("fit", job.toString(), "--progress", "none")
                    : Cli.run(command, job.toString());
            assertEquals(ExitCodes.USAGE, r.code(), command + ": " + r);
            for (String e : expected) {
                assertTrue(r.err().contains(e), command + " should say '" + e + "': " + r);
            }
            assertFalse(r.err().contains("Exception"), r::toString);
            assertFalse(r.err().contains("internal error"), r::toString);
            assertTrue(r.err().contains("found; the job file format is described in docs/job-file.md"), r::toString);
            assertFalse(r.out().contains("is valid"), r::toString);
        }
        assertFalse(Files.exists(dir.resolve("out")), "nothing ran: no output folder, no journal, no run directory");
    }

    /**
     * A misspelt key is said once, as unknown with the key it was meant for, not also as that key
     * missing; a cutoff that cannot be read is said once, not also taken for no cutoff, which a
     * periodic cell refuses for each of its structures.
     */
    @Test
    void aMisspeltKeyAndAnUnreadableCutoffAreEachSaidOnce() throws IOException {
        write("data/ar.xyz", TestData.ARGON_FCC);
        write("data/ar.csv", "file,reference_energy,tag", "ar.xyz,-0.32,fcc", "ar.xyz,-0.31,again");
        Path job = write(
                "job.yaml",
                "parameters:",
                "  eps: {initial: 0.01, bounds: [0.001, 0.1]}",
                "  sigma: {initial: 3.4, bounds: [3.0, 4.0]}",
                "terms:",
                "  - name: solid",
                "    kind: atoms",
                "    reference: data/ar.csv",
                "    potential:",
                "      - {form: lennard_jones, species: [Ar, Ar], epsilon: eps, sigm: sigma, cutoff: 8.5 A}",
                "output: {folder: out}");
        refusedEverywhere(
                job,
                job + ":9:64: unknown key 'sigm' in term 'solid' potential[0] (lennard_jones) (did you mean 'sigma'?)",
                job + ":9:85: term 'solid' potential[0] cutoff must be a number, got a string ('8.5 A')",
                "2 problems found");
        Cli.Run r = Cli.run("validate", job.toString());
        assertFalse(r.err().contains("missing required key"), r::toString);
        assertFalse(r.err().contains("without a cutoff"), r::toString);
        // a top-level key alike
        Path top = write("top.yaml", "paramters:", "  eps: {initial: 0.01, bounds: [0.001, 0.1]}", "terms: []");
        Cli.Run t = Cli.run("validate", top.toString());
        assertEquals(ExitCodes.USAGE, t.code(), t::toString);
        assertTrue(
                t.err().contains(top + ":1:1: unknown key 'paramters' in the job file (did you mean 'parameters'?)"),
                t::toString);
        assertFalse(t.err().contains("missing required key 'parameters'"), t::toString);
        // and the keys that decide a map's other keys: a term's kind, a pair term's form, a parser
        write("data/e.csv", "file,reference_energy,tag", "ar.xyz,-0.32,fcc");
        Path selectors = write(
                "selectors.yaml",
                "parameters: {eps: {initial: 0.01, bounds: [0.001, 0.1]}}",
                "terms:",
                "  - name: solid",
                "    knd: atoms",
                "    reference: data/e.csv",
                "    potential: [{form: lennard_jones, species: [Ar, Ar], epsilon: eps, sigma: 3.4}]",
                "  - name: other",
                "    kind: atoms",
                "    reference: data/e.csv",
                "    potential: [{from: lennard_jones, species: [Ar, Ar], epsilon: eps, sigma: 3.4}]",
                "  - name: program",
                "    kind: external",
                "    command: [echo, 'e = 1']",
                "    outputs: {e: {parsr: regex, file: program.stdout, pattern: 'e = (\\S+)'}}",
                "    reference: {e: 1.0}");
        Cli.Run s = Cli.run("validate", selectors.toString());
        assertEquals(ExitCodes.USAGE, s.code(), s::toString);
        assertTrue(s.err().contains(":4:5: unknown key 'knd' in terms[0] (did you mean 'kind'?)"), s::toString);
        assertTrue(
                s.err().contains(":10:18: unknown key 'from' in term 'other' potential[0] (did you mean 'form'?)"),
                s::toString);
        assertTrue(
                s.err().contains(":14:19: unknown key 'parsr' in term 'program' output 'e' (did you mean 'parser'?)"),
                s::toString);
        assertFalse(s.err().contains("missing required key"), s::toString);
        assertTrue(s.err().contains("3 problems found"), s::toString);
    }

    // ---------------------------------------------------------------- 1: the method's own requirements

    private Path argonJob(String sigma, String optimizer) throws IOException {
        Path data = Cli.resource("jobs/data/energies.csv");
        return write(
                "job.yaml",
                "parameters:",
                "  lj:",
                "    epsilon: {initial: 1.0, bounds: [0.1, 10.0]}",
                "    sigma: " + sigma,
                "terms:",
                "  - name: curve",
                "    kind: atoms",
                "    reference: " + data,
                "    potential:",
                "      - {form: lennard_jones, species: [Ar, Ar], epsilon: lj.epsilon, sigma: lj.sigma}",
                "optimizer:",
                optimizer,
                "output: {folder: out}");
    }

    /** Runs validate and fit on the job, which must refuse it with exactly these problems; eval must evaluate it. */
    private void refusedByTheFitOnly(Path job, String... expected) {
        List<String> lines = new java.util.ArrayList<>(List.of(expected));
        lines.add(expected.length + " problem" + (expected.length == 1 ? "" : "s")
                + " found; the job file format is described in docs/job-file.md");
        for (String command : List.of("validate", "fit")) {
            Cli.Run r = command.equals("fit")
                    ? Cli.run("fit", job.toString(), "--progress", "none")
                    : Cli.run(command, job.toString());
            assertEquals(ExitCodes.USAGE, r.code(), command + ": " + r);
            assertEquals(lines, r.err().lines().toList(), command + ": " + r);
        }
        assertFalse(Files.exists(dir.resolve("out")), "nothing ran: no output folder, no journal, no run directory");
        // eval runs no optimizer: the job's parameters, as given or set, are evaluated
        Cli.Run eval = Cli.run("eval", job.toString(), "--set", "lj.epsilon=1.1");
        assertEquals(ExitCodes.OK, eval.code(), eval::toString);
        assertTrue(eval.out().contains("lj.epsilon = 1.1"), eval::toString);
    }

    @Test
    void aFitWhoseEveryTermHasWeightZeroIsRefusedButEvaluated() throws IOException {
        Path data = Cli.resource("jobs/data/energies.csv");
        Path job = write(
                "job.yaml",
                "parameters:",
                "  lj:",
                "    epsilon: {initial: 1.0, bounds: [0.1, 10.0]}",
                "    sigma: {initial: 2.2, bounds: [1.0, 4.0]}",
                "terms:",
                "  - name: curve",
                "    kind: atoms",
                "    weight: 0",
                "    reference: " + data,
                "    potential:",
                "      - {form: lennard_jones, species: [Ar, Ar], epsilon: lj.epsilon, sigma: lj.sigma}",
                "output: {folder: out}");
        refusedByTheFitOnly(
                job,
                job + ":8:13: every term of the fit has weight 0: the objective is 0 whatever the parameters,"
                        + " so the fit cannot determine them; give a term a positive weight (a held-out term"
                        + " belongs under validation)");
    }

    @Test
    void bobyqaWithOneFreeParameterIsAJobErrorAtItsMethodLine() throws IOException {
        Path job = argonJob("{initial: 2.2, fixed: true}", "  method: BOBYQA");
        refusedByTheFitOnly(
                job,
                job + ":12:11: optimizer method BOBYQA cannot fit this job's 1 free parameter (lj.epsilon): "
                        + "BOBYQA needs at least 2 free parameters, got 1; use Nelder-Mead or Powell for a one-parameter fit"
                        + " (or least-squares, levenberg-marquardt or L-BFGS-B, which take one too)");
    }

    @Test
    void everyParameterFixedLeavesNothingToFit() throws IOException {
        Path job = argonJob("{initial: 2.2, bounds: [2.2, 2.2]}", "  method: Powell");
        Files.writeString(job, Files.readString(job).replace("bounds: [0.1, 10.0]", "fixed: true"));
        refusedByTheFitOnly(
                job,
                job + ":12:11: optimizer method Powell has nothing to fit: every parameter is fixed (or has equal "
                        + "bounds); a fit needs at least one free parameter: remove fixed: true from one, or widen its"
                        + " bounds");
    }

    @Test
    void nothingToFitIsReportedWithTheBoundsProblemsOfFixedParameters() throws IOException {
        Path job = argonJob("{initial: 2.2, bounds: [4.0, 1.0], fixed: true}", "  method: BOBYQA");
        Files.writeString(job, Files.readString(job).replace("bounds: [0.1, 10.0]", "fixed: true"));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                List.of(
                        job + ":4:35: parameter 'lj.sigma' lower bound must not exceed its upper bound, got [4, 1]",
                        job + ":12:11: optimizer method BOBYQA has nothing to fit: every parameter is fixed (or has"
                                + " equal bounds); a fit needs at least one free parameter: remove fixed: true from"
                                + " one, or widen its bounds",
                        "2 problems found; the job file format is described in docs/job-file.md"),
                r.err().lines().toList(),
                r::toString);
    }

    @Test
    void bobyqaWithOneFreeParameterIsReportedWithItsBoundsProblems() throws IOException {
        Path job = argonJob("{initial: 2.2, fixed: true}", "  method: BOBYQA");
        Files.writeString(job, Files.readString(job).replace("bounds: [0.1, 10.0]", "bounds: [10.0, 0.1]"));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                List.of(
                        job + ":3:37: parameter 'lj.epsilon' lower bound must not exceed its upper bound, got [10,"
                                + " 0.1]",
                        job + ":12:11: optimizer method BOBYQA cannot fit this job's 1 free parameter (lj.epsilon):"
                                + " BOBYQA needs at least 2 free parameters, got 1; use Nelder-Mead or Powell for a"
                                + " one-parameter fit (or least-squares, levenberg-marquardt or L-BFGS-B, which take"
                                + " one too)",
                        "2 problems found; the job file format is described in docs/job-file.md"),
                r.err().lines().toList(),
                r::toString);
    }

    @Test
    void bobyqaWithTwoFreeParametersAndTheDefaultMethodWithOnePass() throws IOException {
        Cli.Run two = Cli.run(
                "validate",
                argonJob("{initial: 2.2, bounds: [1.0, 4.0]}", "  method: BOBYQA")
                        .toString());
        assertEquals(ExitCodes.OK, two.code(), two::toString);
        assertTrue(two.out().contains("2 parameters (2 free)"), two::toString);
        Cli.Run one = Cli.run(
                "validate",
                argonJob("{initial: 2.2, fixed: true}", "  max_evaluations: 10").toString());
        assertEquals(ExitCodes.OK, one.code(), one::toString);
        assertTrue(one.out().contains("2 parameters (1 free)"), one::toString);
        assertTrue(one.out().contains("method Nelder-Mead"), one::toString);
        // counts of one in the singular
        Path single = write(
                "single.yaml",
                "parameters: {lj: {sigma: {initial: 2.2, bounds: [1.0, 4.0]}}}",
                "terms:",
                "  - name: curve",
                "    kind: atoms",
                "    reference: " + Cli.resource("jobs/data/energies.csv"),
                "    potential:",
                "      - {form: lennard_jones, species: [Ar, Ar], epsilon: 1.0, sigma: lj.sigma}",
                "optimizer: {method: Nelder-Mead, max_evaluations: 1}",
                "execution: {workers: 1}",
                "output: {folder: out}");
        Cli.Run s = Cli.run("validate", single.toString());
        assertEquals(ExitCodes.OK, s.code(), s::toString);
        assertTrue(
                s.out()
                        .contains(single + " is valid: 1 parameter (1 free), 1 term, method Nelder-Mead,"
                                + " budget 1 evaluation, 1 worker\n"),
                s::toString);
    }

    // ---------------------------------------------------------------- 2 and 4: crystal terms

    private Path crystalJob(String coulomb, int formulaUnits) throws IOException {
        write("data/mgo.xyz", MGO);
        return write(
                "job.yaml",
                "parameters:",
                "  mgo:",
                "    A: {initial: 1285.0, bounds: [300.0, 3000.0]}",
                "    q: {initial: 2.0, bounds: [1.2, 2.0]}",
                "terms:",
                "  - name: periclase",
                "    kind: crystal",
                "    structure: data/mgo.xyz",
                "    formula_units: " + formulaUnits,
                "    potential:",
                "      - " + coulomb,
                "      - {form: buckingham, species: [Mg, O], A: mgo.A, rho: 0.3, C: 0.0, cutoff: 12.0}",
                "      - {form: buckingham, species: [O, O], A: 22764.0, rho: 0.149, C: 27.8, cutoff: 12.0}",
                "    reference: {lattice_constant: 4.2112}",
                "optimizer: {method: Nelder-Mead, max_evaluations: 5}",
                "output: {folder: out}");
    }

    @Test
    void aPlainCoulombSumInAPeriodicCellIsRefusedAtItsLine() throws IOException {
        Path job = crystalJob("{form: coulomb, charges: {Mg: mgo.q, O: -1*mgo.q}, method: direct}", 4);
        refusedEverywhere(
                job,
                job + ":11:9: term 'periclase' potential[0]: a plain Coulomb sum (method direct) without a cutoff is "
                        + "refused in the periodic cell of data/mgo.xyz: the cell is periodic along a, b, c, and a plain sum "
                        + "over periodic images does not converge; use method: ewald");
    }

    @Test
    void aPlainCoulombSumInAPeriodicStructureOfAnAtomsTermIsRefusedToo() throws IOException {
        write("data/mgo.xyz", MGO);
        Path csv = write("data/ref.csv", "file,reference_energy,tag", "mgo.xyz,-40.0,rocksalt");
        Path job = write(
                "job.yaml",
                "parameters: {q: {initial: 2.0, bounds: [1.2, 2.0]}}",
                "terms:",
                "  - name: cells",
                "    kind: atoms",
                "    reference: data/ref.csv",
                "    potential:",
                "      - {form: coulomb, charges: {Mg: q, O: -1*q}}",
                "      - {form: buckingham, species: [Mg, O], A: 1285.0, rho: 0.3, C: 0.0, cutoff: 12.0}",
                "output: {folder: out}");
        refusedEverywhere(
                job,
                job + ":7:9: term 'cells' potential[0]: a plain Coulomb sum (method direct) without a cutoff is "
                        + "refused in the periodic cell of " + dir.resolve("data/mgo.xyz") + " (" + csv
                        + " line 2, tag 'rocksalt'): the cell is periodic along a, b, c");
    }

    @Test
    void theSameCellWithTheEwaldSumPasses() throws IOException {
        Path job = crystalJob("{form: coulomb, charges: {Mg: mgo.q, O: -1*mgo.q}, method: ewald}", 4);
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
    }

    @Test
    void formulaUnitsThatDoNotDivideTheCellAreRefused() throws IOException {
        Path job = crystalJob("{form: coulomb, charges: {Mg: mgo.q, O: -1*mgo.q}, method: ewald}", 3);
        refusedEverywhere(
                job,
                job + ":9:20: term 'periclase' formula_units 3 does not fit the cell of data/mgo.xyz: it holds "
                        + "Mg4O4 (8 atoms), and the atoms of each species must split evenly into the formula units; "
                        + "formula_units must be one of 1, 2, 4");
    }

    @Test
    void aZeroCrystalReferenceUnderRelativeErrorIsRefusedAtItsLine() throws IOException {
        Path job = crystalJob("{form: coulomb, charges: {Mg: mgo.q, O: -1*mgo.q}, method: ewald}", 4);
        Files.writeString(
                job,
                Files.readString(job)
                        .replace(
                                "    reference: {lattice_constant: 4.2112}",
                                "    reference: {lattice_constant: 4.2112, C44: 0}\n    loss: relative_error"));
        refusedEverywhere(
                job,
                job + ":14:48: term 'periclase' loss relative_error divides by each reference value, but reference "
                        + "'C44' is 0; use loss absolute_error or squared_error for this term");
    }

    // ---------------------------------------------------------------- 3: programs

    private Path externalJob(String command) throws IOException {
        write("in.tmpl", "e = {{ x }}");
        return write(
                "job.yaml",
                "parameters: {x: {initial: 1.0, bounds: [0.0, 2.0]}}",
                "terms:",
                "  - name: sim",
                "    kind: external",
                "    templates: {in.txt: in.tmpl}",
                "    command: " + command,
                "    outputs: {energy: {parser: regex, file: program.stdout, pattern: 'e = (\\S+)'}}",
                "    reference: {energy: 1.0}",
                "output: {folder: out}");
    }

    @Test
    void aMissingScriptIsRefusedWithItsResolvedPath() throws IOException {
        Path job = externalJob("[./scripts/run.sh]");
        refusedEverywhere(
                job,
                job + ":6:14: term 'sim' command: program './scripts/run.sh' does not exist: "
                        + dir.resolve("scripts/run.sh"));
    }

    @Test
    void aScriptThatIsNotExecutableIsRefused() throws IOException {
        Path script = write("scripts/run.sh", "#!/bin/sh", "cat in.txt");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        Path job = externalJob("[./scripts/run.sh]");
        refusedEverywhere(
                job,
                job + ":6:14: term 'sim' command: program './scripts/run.sh' is not executable: " + script
                        + " (make it so with chmod +x, or run it through its interpreter (its first line names it),"
                        + " such as command: [/bin/sh, " + script
                        + "]: the interpreter's arguments are taken in the run"
                        + " directory, so give the script's absolute path, or stage it with files)\n");
        // the advice works as given: the script runs through its interpreter, from the run directory
        Path advised = externalJob("[/bin/sh, " + script + "]");
        Cli.Run ran = Cli.run("eval", advised.toString());
        assertEquals(ExitCodes.OK, ran.code(), ran::toString);
        assertTrue(ran.out().contains("sim"), ran::toString);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Cli.Run ok = Cli.run("validate", externalJob("[./scripts/run.sh]").toString());
        assertEquals(ExitCodes.OK, ok.code(), ok::toString);

        // the interpreter is the one the script's first line names, else the one its extension suggests
        Path python = write("scripts/sim.py", "#!/usr/bin/env python3", "print(1)");
        Path bash = write("scripts/b.sh", "#!/bin/bash -e", "echo 1");
        Path plain = write("scripts/sim2.py", "print(1)");
        Path bare = write("scripts/run", "echo 1");
        for (Path p : List.of(python, bash, plain, bare)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        }
        String rest = "]: the interpreter's arguments are taken in the run directory, so give the script's"
                + " absolute path, or stage it with files)";
        assertEquals(
                " (make it so with chmod +x, or run it through its interpreter (its first line names it), such as"
                        + " command: [python3, " + python + rest,
                ExternalTermReader.notExecutableHint(python));
        assertEquals(
                " (make it so with chmod +x, or run it through its interpreter (its first line names it), such as"
                        + " command: [/bin/bash, -e, " + bash + rest,
                ExternalTermReader.notExecutableHint(bash));
        assertEquals(
                " (make it so with chmod +x, or run it through its interpreter (by its extension .py), such as"
                        + " command: [python3, " + plain + rest,
                ExternalTermReader.notExecutableHint(plain));
        assertEquals(
                " (make it so with chmod +x; its first line names no interpreter)",
                ExternalTermReader.notExecutableHint(bare));
    }

    /**
     * A script staged by files, link or templates runs with its source's permissions: one whose
     * source is not executable is refused as the program, at the command's line, with the key that
     * stages it, the source and how to run it from the run directory; made executable, it runs.
     */
    @Test
    void aStagedScriptWhoseSourceIsNotExecutableIsRefused() throws IOException {
        Path model = write("model.py", "#!/usr/bin/env python3", "print('e = 1.5')");
        Files.setPosixFilePermissions(model, PosixFilePermissions.fromString("rw-r--r--"));
        for (String stage : List.of("files", "link", "templates")) {
            Path job = stagedJob(stage + ": {runme.py: model.py}", "command: [./runme.py]", "program.stdout");
            refusedEverywhere(
                    job,
                    job + ":6:14: term 'sim' command: program './runme.py' is not executable: it is staged by " + stage
                            + " 'runme.py' from " + model + ", which is not, and a staged file has its source's"
                            + " permissions (make it so with chmod +x, or run it through its interpreter (its first"
                            + " line names it), such as command: [python3, runme.py]: the interpreter's arguments are"
                            + " taken in the run directory, where the term stages it)\n");
        }
        // made executable, the staged script runs, a rendered one too
        Files.setPosixFilePermissions(model, PosixFilePermissions.fromString("rwxr-xr-x"));
        org.chemfit.testfixtures.MachineRequirement.require(
                ExternalTerms.findOnPath("python3", System.getenv("PATH")) != null, "python3 is not on the PATH");
        for (String stage : List.of("files", "templates")) {
            Path job = stagedJob(stage + ": {runme.py: model.py}", "command: [./runme.py]", "program.stdout");
            Cli.Run ran = Cli.run("eval", job.toString());
            assertEquals(ExitCodes.OK, ran.code(), ran::toString);
            // the script printed e = 1.5, against the reference 1.0
            assertTrue(ran.out().contains("loss: 0.25\n"), ran::toString);
        }
    }

    /**
     * An executable script of an interpreter's language without a #! line would run under /bin/sh:
     * validate warns at the command's line with the line to add or the command to write, for a
     * script of the job's folder and one staged by files or link; one with the line, or a .sh script,
     * is not warned of. Run anyway, the shell fails on its first line of Python.
     */
    @Test
    void anExecutableScriptWithoutAnInterpreterLineIsWarnedOf() throws IOException {
        Path model = write("model.py", "import sys", "print('e = 1.5')");
        Files.setPosixFilePermissions(model, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path job = externalJob("[./model.py]");
        Cli.Run own = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, own.code(), own::toString);
        assertTrue(
                own.err()
                        .contains(job + ":6:14: term 'sim' command: program './model.py' has no #! line naming its"
                                + " interpreter, so it would run under /bin/sh, not python3 (by its extension .py);"
                                + " make its first line #!/usr/bin/env python3, or run it through python3 instead:"
                                + " [python3, " + model + "]"),
                own::toString);
        for (String stage : List.of("files", "link", "templates")) {
            Path staged = stagedJob(stage + ": {runme.py: model.py}", "command: [./runme.py]", "program.stdout");
            Cli.Run r = Cli.run("validate", staged.toString());
            assertEquals(ExitCodes.OK, r.code(), r::toString);
            assertTrue(
                    r.err()
                            .contains(
                                    "program './runme.py' has no #! line naming its interpreter, so it would run"
                                            + " under /bin/sh, not python3 (by its extension .py); make its first line"
                                            + " #!/usr/bin/env python3, or run it through python3 instead: [python3, runme.py]"),
                    r::toString);
        }
        // run anyway: the shell reads its first line
        Cli.Run ran = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.FIT_FAILED, ran.code(), ran::toString);
        assertTrue(ran.err().contains("import: not found"), ran::toString);

        Files.writeString(model, "#!/usr/bin/env python3\nprint('e = 1.5')\n");
        Cli.Run fixed = Cli.run("validate", externalJob("[./model.py]").toString());
        assertFalse(fixed.err().contains("#! line"), fixed::toString);
        // a #! line the system cannot read: after a byte-order mark, or ending in CR LF
        Files.writeString(model, "\uFEFF#!/usr/bin/env python3\nprint('e = 1.5')\n");
        Cli.Run bom = Cli.run("validate", externalJob("[./model.py]").toString());
        assertTrue(
                bom.err()
                        .contains("program './model.py' begins with a byte-order mark before its #! line, so the"
                                + " system does not see the line and runs it under /bin/sh: save it as UTF-8 without the"
                                + " mark, or run it through python3 instead: [python3, " + model + "]"),
                bom::toString);
        Files.writeString(model, "#!/usr/bin/env python3\r\nprint('e = 1.5')\r\n");
        Cli.Run crlf = Cli.run("validate", externalJob("[./model.py]").toString());
        assertTrue(
                crlf.err()
                        .contains("program './model.py' has a #! line that ends with a Windows line end (CR LF),"
                                + " so the system looks for an interpreter whose name ends in a carriage return: convert it"
                                + " (dos2unix), or run it through python3 instead: [python3, " + model + "]"),
                crlf::toString);
        Path shell = write("run.sh", "echo 'e = 1.5'");
        Files.setPosixFilePermissions(shell, PosixFilePermissions.fromString("rwxr-xr-x"));
        Cli.Run sh = Cli.run("validate", externalJob("[./run.sh]").toString());
        assertFalse(sh.err().contains("#! line"), sh::toString);
    }

    /**
     * @return job.yaml of one external term 'sim' that stages a script with this key, runs these
     *     commands and reads {@code e = ...} from this output file, against a reference of 1.0
     */
    private Path stagedJob(String staging, String commands, String output) throws IOException {
        return write(
                "job.yaml",
                "parameters: {x: {initial: 1.0, bounds: [0.0, 2.0]}}",
                "terms:",
                "  - name: sim",
                "    kind: external",
                "    " + staging,
                "    " + commands,
                "    outputs: {energy: {parser: regex, file: " + output + ", pattern: 'e = (\\S+)'}}",
                "    reference: {energy: 1.0}",
                "output: {folder: out}");
    }

    /**
     * A staged script that an earlier command makes executable ([chmod, +x, run.sh]) is not
     * refused, and runs (but a linked one is, as the chmod would change the user's own file); a
     * source whose owner may run it (rwxr--r--) is not refused either, as the staged copy is the
     * user's own with the source's mode.
     */
    @Test
    void aStagedScriptMadeExecutableByAnEarlierCommandOrOwnedExecutableIsNotRefused() throws IOException {
        Path run = write("run.sh", "#!/bin/sh", "echo 'e = 1.5'");
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rw-r--r--"));
        Path job = stagedJob(
                "templates: {run.sh: run.sh}", "commands: [[chmod, +x, run.sh], [./run.sh]]", "program2.stdout");
        Cli.Run ran = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, ran.code(), ran::toString);
        assertTrue(ran.out().contains("loss: 0.25\n"), ran::toString);

        // linked, the chmod would change the user's own file: still refused
        Path linked = Files.writeString(
                job, Files.readString(job).replace("templates: {run.sh: run.sh}", "link: {run.sh: run.sh}"));
        Cli.Run refused = Cli.run("validate", linked.toString());
        assertEquals(ExitCodes.USAGE, refused.code(), refused::toString);
        assertTrue(
                refused.err().contains("program './run.sh' is not executable: it is staged by link"),
                refused::toString);
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(run)));
        Files.writeString(job, Files.readString(job).replace("link: {run.sh: run.sh}", "templates: {run.sh: run.sh}"));

        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr--r--"));
        Files.writeString(
                job,
                Files.readString(job)
                        .replace("[[chmod, +x, run.sh], [./run.sh]]", "[[./run.sh]]")
                        .replace("program2.stdout", "program.stdout"));
        Cli.Run owned = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, owned.code(), owned::toString);
        assertTrue(owned.out().contains("loss: 0.25\n"), owned::toString);
    }

    /**
     * A command written as a string is split at spaces: a script whose path holds a space
     * ({@code ./exec model.py}) is refused saying that the joined words name a file, and to write
     * the command as a list.
     */
    @Test
    void aStringCommandSplitInsideAPathSaysToWriteAList() throws IOException {
        Path script = write("exec modèl.py", "#!/bin/sh", "echo 'e = 1.5'");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path job = stagedJob("variables: {a: 1}", "command: \"./exec modèl.py --quiet\"", "program.stdout");
        refusedEverywhere(
                job,
                "term 'sim' command: program './exec' does not exist, but './exec modèl.py' does: a command written as"
                        + " a string is split at spaces; write it as a list, whose words are taken whole (command:"
                        + " [\"./exec modèl.py\", ...])");
    }

    @Test
    void aProgramNotOnThePathNamesTheLineNotTheWholePath() throws IOException {
        Path job = externalJob("[lmpx, -in, in.txt]");
        String path = System.getenv().getOrDefault("PATH", "");
        long folders = java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
                .filter(d -> !d.isEmpty())
                .count();
        refusedEverywhere(
                job,
                job + ":6:14: term 'sim' command: program 'lmpx' is not found on the PATH (" + folders
                        + " folders searched)");
        Cli.Run r = Cli.run("validate", job.toString());
        assertFalse(r.err().contains(path), "the PATH itself is not printed: " + r);
    }

    @Test
    void aPathOfOneFolderIsOneFolderSearched() throws IOException {
        write("in.tmpl", "e = {{ x }}");
        Path job = write(
                "job.yaml",
                "parameters: {x: {initial: 1.0, bounds: [0.0, 2.0]}}",
                "terms:",
                "  - name: sim",
                "    kind: external",
                "    templates: {in.txt: in.tmpl}",
                "    command: [lmpx, -in, in.txt]",
                "    env: {PATH: " + dir + "}",
                "    outputs: {energy: {parser: regex, file: program.stdout, pattern: 'e = (\\S+)'}}",
                "    reference: {energy: 1.0}",
                "output: {folder: out}");
        refusedEverywhere(
                job,
                job + ":6:14: term 'sim' command: program 'lmpx' is not found on the PATH (1 folder searched,"
                        + " from the term's env PATH); install it");
    }

    // ---------------------------------------------------------------- 5 and 6: reference CSVs

    private Path atomsJob(Path csv, String loss) throws IOException {
        return write(
                "job.yaml",
                "parameters:",
                "  lj:",
                "    epsilon: {initial: 1.0, bounds: [0.1, 10.0]}",
                "    sigma: {initial: 2.2, bounds: [1.0, 4.0]}",
                "terms:",
                "  - name: curve",
                "    kind: atoms",
                "    reference: " + dir.relativize(csv),
                "    loss: " + loss,
                "    potential:",
                "      - {form: lennard_jones, species: [Ar, Ar], epsilon: lj.epsilon, sigma: lj.sigma}",
                "output: {folder: out}");
    }

    /** @return a CSV with the given rows after the header, each row "file,energy,tag" of the test dimers */
    private Path csv(String... rows) throws IOException {
        Path dimers = Cli.resource("jobs/data/dimers");
        List<String> lines = new ArrayList<>();
        lines.add("path,reference_energy,tag");
        for (String row : rows) {
            lines.add(row.replace("DIMERS", dimers.toString()));
        }
        return write("ref.csv", lines.toArray(new String[0]));
    }

    @Test
    void aTagGivenTwiceIsRefusedWithBothLines() throws IOException {
        Path csv = csv("DIMERS/lj_1.900.xyz,2.94,r1", "DIMERS/lj_2.100.xyz,-1.13,r2", "DIMERS/lj_2.245.xyz,-1.49,r1");
        refusedEverywhere(
                atomsJob(csv, "squared_error"),
                csv + ":4: tag 'r1' is given twice, on lines 2 and 4; each row needs a tag of its own");
    }

    @Test
    void everyBadRowIsListedUpToTwentyThenACount() throws IOException {
        List<String> rows = new ArrayList<>();
        rows.add("DIMERS/lj_1.900.xyz,2.94,good");
        for (int i = 0; i < 25; i++) {
            rows.add("DIMERS/lj_2.100.xyz,oops" + i + ",bad" + i);
        }
        Path csv = csv(rows.toArray(new String[0]));
        Path job = atomsJob(csv, "squared_error");
        refusedEverywhere(
                job,
                csv + ":3: expected a finite number in column 'reference_energy', got 'oops0'",
                csv + ":22: expected a finite number in column 'reference_energy', got 'oops19'",
                csv + ":23: and 5 more bad rows (the first 20 are listed)");
        Cli.Run r = Cli.run("validate", job.toString());
        assertFalse(r.err().contains("oops20"), r::toString);
        assertTrue(r.err().contains("21 problems found"), r::toString);
    }

    @Test
    void aZeroReferenceUnderRelativeErrorIsRefusedAtItsCsvLine() throws IOException {
        Path csv = csv("DIMERS/lj_1.900.xyz,2.94,r1", "DIMERS/lj_2.100.xyz,0,r2", "DIMERS/lj_2.245.xyz,-1.49,r3");
        refusedEverywhere(
                atomsJob(csv, "relative_error"),
                csv + ":3: term 'curve' loss relative_error divides by each reference value, but the reference "
                        + "energy of tag 'r2' is 0");
    }

    // ---------------------------------------------------------------- names and files the reader refuses

    /**
     * A parameter named as a fit term's column of evaluations.csv ({@code term:NAME}) is refused
     * before anything runs, not by a fit that wrote two columns of one name; elsewhere (in a group,
     * or named for no term) such a name is a parameter like any other.
     */
    @Test
    void aParameterNamedAsATermsColumnOfEvaluationsCsvIsRefusedBeforeAnythingRuns() throws IOException {
        Path data = Cli.resource("jobs/data/energies.csv");
        String[] lines = {
            "parameters:",
            "  lj:",
            "    epsilon: {initial: 1.0, bounds: [0.1, 10.0]}",
            "    sigma: {initial: 2.2, bounds: [1.0, 4.0]}",
            "  term:ar2-curve: 0.0",
            "terms:",
            "  - name: ar2-curve",
            "    kind: atoms",
            "    reference: " + data,
            "    potential:",
            "      - {form: lennard_jones, species: [Ar, Ar], epsilon: lj.epsilon, sigma: lj.sigma}",
            "output: {folder: out}"
        };
        Path job = write("job.yaml", lines);
        refusedEverywhere(
                job,
                job + ":5:3: parameter name 'term:ar2-curve' is taken: evaluations.csv has a column of that name"
                        + " after the parameters', the values of the term 'ar2-curve'; give the parameter another"
                        + " name or put it in a group ('p.term:ar2-curve')");
        // a name like a term's column refers to no term: report would still read it as the terms'
        lines[4] = "  term:other: 0.0";
        refusedEverywhere(
                write("job.yaml", lines),
                job + ":5:3: parameter name 'term:other' is taken: evaluations.csv names the columns of the"
                        + " terms' values 'term:<term>', after the parameters'; give the parameter another name"
                        + " or put it in a group ('p.term:other')");
        lines[4] = "  p: {term:ar2-curve: 0.0}";
        Cli.Run r = Cli.run("validate", write("job.yaml", lines).toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
    }

    /** A file key naming a device is said not to be a regular file, not to be missing. */
    @Test
    void aDeviceIsSaidNotToBeARegularFile() throws IOException {
        Path zero = Path.of("/dev/zero");
        org.chemfit.testfixtures.MachineRequirement.require(
                Files.exists(zero) && !Files.isRegularFile(zero), "no /dev/zero here");
        Path job = atomsJob(zero, "squared_error");
        refusedEverywhere(
                job,
                job + ":8:16: term 'curve' reference names something that is not a regular file (a device, a pipe or"
                        + " a socket): /dev/zero");
        Cli.Run r = Cli.run("validate", job.toString());
        assertFalse(r.err().contains("does not exist"), r::toString);

        // a structure file of the reference CSV
        Path csv = write("ref.csv", "file,reference_energy,tag", "/dev/zero,1.0,z");
        refusedEverywhere(
                atomsJob(csv, "squared_error"),
                ":2: term 'curve' structure file /dev/zero (tag 'z') is not a regular file");

        // the results of eval --params
        Path good = argonJob("{initial: 2.2, bounds: [1.0, 4.0]}", "  method: nelder-mead");
        Cli.Run params = Cli.run("eval", good.toString(), "--params", zero.toString());
        assertEquals(ExitCodes.USAGE, params.code(), params::toString);
        assertEquals(
                "error: --params /dev/zero: not a regular file; give the results.json of a finished fit",
                params.err().strip(),
                params::toString);
    }

    /** eval --params given another kind of file says what it expects, not what JSON the file begins with. */
    @Test
    void evalParamsOfAnotherKindOfFileSaysAResultsJsonIsExpected() throws IOException {
        Path job = argonJob("{initial: 2.2, bounds: [1.0, 4.0]}", "  method: nelder-mead");
        // an XYZ file begins with a number, which alone would be JSON
        Path xyz = write("some.xyz", "2", "Properties=species:S:1:pos:R:3", "Ar 0 0 0", "Ar 0 0 3.8");
        Cli.Run r = Cli.run("eval", job.toString(), "--params", xyz.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                "error: " + xyz + ": not a results.json written by chemfit fit: it is not JSON (it does not parse as"
                        + " an object)",
                r.err().strip(),
                r::toString);
        Path number = write("number.json", "42");
        r = Cli.run("eval", job.toString(), "--params", number.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                "error: " + number + ": not a results.json written by chemfit fit: it holds a number, not an object",
                r.err().strip(),
                r::toString);
    }

    /** A json output with a select is told of its unknown key once, with no list of selects that is empty. */
    @Test
    void aSelectOfAJsonOutputIsAnUnknownKeyAndNothingElse() throws IOException {
        Path job = write(
                "job.yaml",
                "parameters:",
                "  lj:",
                "    epsilon: {initial: 1.0, bounds: [0.1, 10.0]}",
                "terms:",
                "  - name: sim",
                "    kind: external",
                "    command: [echo, hi]",
                "    outputs:",
                "      e: {parser: json, file: out.json, path: /e, select: last, rows: 3}",
                "    reference: {e: 1.0}",
                "output: {folder: out}");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        List<String> lines = r.err().lines().toList();
        assertEquals(3, lines.size(), r::toString);
        assertTrue(lines.get(0).startsWith(job + ":9:51: unknown key 'select'"), r::toString);
        assertTrue(lines.get(1).startsWith(job + ":9:65: unknown key 'rows'"), r::toString);
        assertEquals(
                "2 problems found; the job file format is described in docs/job-file.md", lines.get(2), r::toString);
    }

    // ---------------------------------------------------------------- short-range terms on the minimum image

    /** Writes n x n x n conventional cells of fcc argon, a = 5.3 Å, as an extended XYZ file. */
    private Path fccArgon(String name, int n) throws IOException {
        double a = 5.3;
        double[][] basis = {{0, 0, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}};
        List<String> lines = new ArrayList<>();
        lines.add(Integer.toString(4 * n * n * n));
        double l = n * a;
        lines.add("Lattice=\"" + l + " 0 0 0 " + l + " 0 0 0 " + l + "\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"");
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    for (double[] f : basis) {
                        lines.add("Ar " + (i + f[0]) * a + " " + (j + f[1]) * a + " " + (k + f[2]) * a);
                    }
                }
            }
        }
        return write(name, lines.toArray(new String[0]));
    }

    private Path fccJob(String cutoff) throws IOException {
        fccArgon("data/fcc-1.xyz", 1);
        fccArgon("data/fcc-4.xyz", 4);
        write("data/ref.csv", "file,reference_energy,tag", "fcc-4.xyz,-22.3,supercell", "fcc-1.xyz,-0.34,cell");
        return write(
                "job.yaml",
                "parameters: {eps: {initial: 0.0104, bounds: [0.001, 0.1]}}",
                "terms:",
                "  - name: argon",
                "    kind: atoms",
                "    reference: data/ref.csv",
                "    potential:",
                "      - {form: lennard_jones, species: [Ar, Ar], epsilon: eps, sigma: 3.4" + cutoff + "}",
                "optimizer: {method: Nelder-Mead, max_evaluations: 1}",
                "execution: {workers: 1}",
                "output: {folder: out}");
    }

    @Test
    void aShortRangeTermWithoutCutoffIsRefusedInACellTooSmallForTheMinimumImage() throws IOException {
        Path job = fccJob("");
        // a crystal is no cluster in a box: the 4-atom cell on line 3, and the 4 x 4 x 4 supercell on
        // line 2 too (h 10.6 Å, but the atoms span the whole cell, so its images come as near as 2h - r)
        refusedEverywhere(
                job,
                job + ":7:9: term 'argon' potential: a lennard_jones term without a cutoff is summed over each"
                        + " pair's minimum image only, which cannot stand for the sum over images in the periodic"
                        + " cell of " + dir.resolve("data/fcc-1.xyz") + " (" + dir.resolve("data/ref.csv")
                        + " line 3, tag 'cell'): the images it leaves out may lie as near as 2h - r = 1.552 Å (h ="
                        + " 2.650 Å, half the smallest height of the cell over its periodic directions; r = 3.748 Å,"
                        + " the longest distance between two atoms), nearer than 2d = 7.495 Å (d, the shortest"
                        + " distance between two atoms counting periodic images): the structure is no cluster well"
                        + " inside its box; give the term a cutoff (every image within it is then summed)",
                " line 2, tag 'supercell'): the images it leaves out may lie as near as 2h - r = ",
                "2 problems found;");
    }

    @Test
    void withACutoffTheSameCellsAreValidAndEvaluated() throws IOException {
        Path job = fccJob(", cutoff: 10.0");
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, v.code(), v::toString);
        assertTrue(v.out().contains(job + " is valid: 1 parameter (1 free), 1 term"), v::toString);
        Cli.Run e = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, e.code(), e::toString);
        assertFalse(e.err().contains("Exception"), e::toString);
        // both cells sum every image within the cutoff: -0.08618 eV per atom in each, so -22.0626 eV for the
        // supercell (reference -22.3) and -0.3447 eV for the 4-atom cell (reference -0.34)
        assertTrue(e.out().contains("loss: 0.0564028\n"), e::toString);
        assertTrue(e.out().contains("fit  argon  energy    -     2  0.1679  0.1211  0.2374"), e::toString);
    }
}

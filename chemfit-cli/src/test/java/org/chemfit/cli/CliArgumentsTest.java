package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Wrong arguments get one clear line and exit code 2: what is wrong, and what to write instead. */
class CliArgumentsTest {

    @TempDir
    Path tmp;

    @Test
    void setWithoutAValueSaysWhatIsMissing() {
        Cli.Run r = Cli.run("eval", Cli.resource("jobs/lj.yaml").toString(), "--set");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains("Missing required parameter for option '--set' (NAME=VALUE)"), r::toString);
        assertFalse(r.err().contains("option option"), r::toString);
    }

    @Test
    void aMistypedCommandLineGetsItsErrorAndWhereTheOptionsAreNotTheWholeHelp() {
        for (String[] args : new String[][] {
            {"fit", "--bogus", "job.yaml"}, {"fit"}, {"fit", "job.yaml", "--workers", "abc"}, {"report"}, {}
        }) {
            Cli.Run r = Cli.run(args);
            String shown = String.join(" ", args);
            assertEquals(ExitCodes.USAGE, r.code(), r::toString);
            assertFalse(r.err().contains("Usage:"), () -> shown + ": " + r);
            assertTrue(r.err().lines().count() <= 4, () -> shown + ": " + r);
            String command = args.length == 0 ? "chemfit" : "chemfit " + args[0];
            assertTrue(
                    r.err().strip().endsWith("Try '" + command + " --help' for the options."), () -> shown + ": " + r);
        }
        Cli.Run unknown = Cli.run("fit", "--bogus", "job.yaml");
        assertTrue(unknown.err().startsWith("Unknown option: '--bogus'"), unknown::toString);
        Cli.Run command = Cli.run("fti", "job.yaml");
        assertEquals(ExitCodes.USAGE, command.code(), command::toString);
        assertTrue(
                command.err()
                        .startsWith("unknown command 'fti'; commands: fit, worker, eval, validate, report, dashboard"),
                command::toString);
        // the help of a command misspelt: the same words and near name as the command misspelt
        Cli.Run help = Cli.run("help", "evl");
        assertEquals(ExitCodes.USAGE, help.code(), help::toString);
        assertEquals(
                "unknown command 'evl'; commands: fit, worker, eval, validate, report, dashboard\n"
                        + "Did you mean: chemfit eval?\nTry 'chemfit --help' for the options.\n",
                help.err(),
                help::toString);
        Cli.Run number = Cli.run("fit", "job.yaml", "--workers", "abc");
        assertTrue(number.err().contains("'abc' is not an int"), number::toString);
    }

    /**
     * An unknown option is named as such, with the option it is nearest to: alone (where picocli
     * said only that the JOB is missing), and before the JOB (which picocli called unknown too).
     * A job file whose name begins with '-' is told how to be given.
     */
    @Test
    void anUnknownOptionIsNamedWithItsNearestOption(@TempDir Path dir) {
        Cli.Run alone = Cli.run("validate", "--bogus");
        assertEquals(ExitCodes.USAGE, alone.code(), alone::toString);
        assertEquals(
                "Unknown option: '--bogus'\nTry 'chemfit validate --help' for the options.\n",
                alone.err(),
                alone::toString);
        for (String[] args :
                new String[][] {{"fit", "--wrkers", "2", "job.yaml"}, {"fit", "job.yaml", "--wrkers", "2"}}) {
            Cli.Run typo = Cli.run(args);
            assertEquals(ExitCodes.USAGE, typo.code(), typo::toString);
            assertEquals(
                    "Unknown option: '--wrkers' (did you mean '--workers'?)\nTry 'chemfit fit --help' for the options.\n",
                    typo.err(),
                    typo::toString);
        }
        // a known option's value that looks like an option, clustered short options, an attached value
        Cli.Run known = Cli.run(
                "fit",
                "-q",
                "--max-evaluations",
                "-5",
                "-o" + dir,
                dir.resolve("none.yaml").toString());
        assertTrue(known.err().startsWith(dir.resolve("none.yaml") + ": no such file"), known::toString);
        Cli.Run cut = Cli.run("fit", "--max-evals", "3", "job.yaml");
        assertTrue(
                cut.err().startsWith("Unknown option: '--max-evals' (did you mean '--max-evaluations'?)\n"),
                cut::toString);
        Cli.Run shortOne = Cli.run("fit", "-w", "2", "job.yaml");
        assertTrue(shortOne.err().startsWith("Unknown option: '-w'\n"), shortOne::toString);
        // a job file named as an option: what is missing is not the JOB
        Cli.Run dashed = Cli.run("validate", "-j.yaml");
        assertTrue(dashed.err().startsWith("Unknown option: '-j.yaml'"), dashed::toString);
    }

    /**
     * The worker's synopsis, written by hand to show --cluster as required, names each of its options
     * and its JOB, and --cluster outside brackets.
     */
    @Test
    void theWorkersSynopsisNamesEveryOptionAndClusterAsRequired() {
        Cli.Run help = Cli.run("worker", "--help");
        assertEquals(0, help.code(), help::toString);
        String synopsis = help.out().substring(0, help.out().indexOf("\nJoin the cluster"));
        assertTrue(synopsis.contains(" --cluster=NAME ") && !synopsis.contains("[--cluster"), synopsis);
        picocli.CommandLine.Model.CommandSpec spec = new picocli.CommandLine(new WorkerCommand()).getCommandSpec();
        String flags = synopsis.substring(synopsis.indexOf("[-") + 2, synopsis.indexOf(']'));
        for (picocli.CommandLine.Model.OptionSpec o : spec.options()) {
            if (o.hidden()) {
                continue;
            }
            boolean named = java.util.Arrays.stream(o.names())
                    .anyMatch(n -> synopsis.contains(n + "=")
                            || (n.length() == 2 && o.arity().max() == 0 && flags.indexOf(n.charAt(1)) >= 0));
            assertTrue(named, o.longestName() + " missing from " + synopsis);
        }
        assertTrue(synopsis.strip().endsWith(" JOB"), synopsis);
    }

    /** An empty path (an unset shell variable) is refused, not read as the current folder. */
    @Test
    void anEmptyPathIsRefused() {
        String said = "an empty path (an unset shell variable gives one); give a path ('.' for the current folder)";
        Cli.Run output = Cli.run("fit", Cli.resource("jobs/lj.yaml").toString(), "-o", "");
        assertEquals(ExitCodes.USAGE, output.code(), output::toString);
        assertTrue(output.err().startsWith("Invalid value for option '--output': " + said + "\n"), output::toString);
        Cli.Run report = Cli.run("report", "");
        assertEquals(ExitCodes.USAGE, report.code(), report::toString);
        assertTrue(
                report.err().startsWith("Invalid value for positional parameter at index 0 (DIR): " + said + "\n"),
                report::toString);
        Cli.Run params = Cli.run("eval", Cli.resource("jobs/lj.yaml").toString(), "--params", "");
        assertEquals(ExitCodes.USAGE, params.code(), params::toString);
        assertTrue(params.err().startsWith("Invalid value for option '--params': " + said), params::toString);
        // '-' names no file: it is not standard output here
        Cli.Run dash = Cli.run("eval", Cli.resource("jobs/lj.yaml").toString(), "--json", "-");
        assertEquals(ExitCodes.USAGE, dash.code(), dash::toString);
        assertTrue(
                dash.err()
                        .startsWith("Invalid value for option '--json': '-' is not standard input or output here; give"
                                + " a path (./- for a file of that name; /dev/stdout where a file is written)\n"),
                dash::toString);
    }

    /** Settings that would not do what they are given for are refused, naming the option. */
    @Test
    void aDashboardAllowedRemoteOnLoopbackAndAPortOutOfRangeAreRefused(@TempDir Path dir) {
        Cli.Run remote = Cli.run("dashboard", dir.toString(), "--allow-remote");
        assertEquals(ExitCodes.USAGE, remote.code(), remote::toString);
        assertEquals(
                "error: --allow-remote lets --bind name an address other machines reach, but the dashboard would"
                        + " listen on 127.0.0.1, which only this machine reaches; give --bind ADDRESS with it, or"
                        + " leave it out\n",
                remote.err(),
                remote::toString);
        for (String mode : new String[] {"none", "bar"}) {
            Cli.Run interval = Cli.run("fit", "job.yaml", "--progress", mode, "--progress-interval", "2");
            assertEquals(ExitCodes.USAGE, interval.code(), interval::toString);
            assertEquals(
                    "error: --progress-interval sets the interval of log lines, which --progress " + mode
                            + " does not write; give --progress log (or auto, which logs when standard error is no"
                            + " terminal)\n",
                    interval.err(),
                    interval::toString);
        }
        Cli.Run port = Cli.run(
                "worker",
                Cli.resource("jobs/lj.yaml").toString(),
                "--cluster",
                "c-" + ProcessHandle.current().pid(),
                "--port",
                "70000");
        assertEquals(ExitCodes.USAGE, port.code(), port::toString);
        assertTrue(port.err().contains("error: --port must be between 1 and 65535, got 70000\n"), port::toString);
    }

    @Test
    void aValueOutsideItsBoundsIsEvaluatedWithAWarning() {
        Cli.Run r = Cli.run("eval", Cli.resource("jobs/lj.yaml").toString(), "--set", "lj.sigma=9.0");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(
                r.err().contains("warning: lj.sigma = 9 is outside its bounds [1, 4]; evaluated as given"),
                r::toString);
        Cli.Run inside = Cli.run("eval", Cli.resource("jobs/lj.yaml").toString(), "--set", "lj.sigma=3.0");
        assertEquals(ExitCodes.OK, inside.code(), inside::toString);
        assertFalse(inside.err().contains("outside its bounds"), inside::toString);
    }

    @Test
    void aSetValueIsADecimalNumberOfAtMost1e100InMagnitude() {
        Cli.Run hex = Cli.run("eval", Cli.resource("jobs/lj.yaml").toString(), "--set", "lj.sigma=0x1p1");
        assertEquals(ExitCodes.USAGE, hex.code(), hex::toString);
        assertTrue(
                hex.err()
                        .contains("--set lj.sigma must be a finite number written in decimal (digits with an optional"
                                + " sign, decimal point and exponent, such as -41.5 or 6.2e-3; no type suffix such as d"
                                + " or F, no hexadecimal), got '0x1p1'"),
                hex::toString);
        Cli.Run huge = Cli.run("eval", Cli.resource("jobs/lj.yaml").toString(), "--set", "lj.sigma=1e200");
        assertEquals(ExitCodes.USAGE, huge.code(), huge::toString);
        assertTrue(
                huge.err().contains("--set lj.sigma must be a finite number at most 1e100 in magnitude, got '1e200'"),
                huge::toString);
    }

    @Test
    void aTabInASetValueOrNameIsShownByItsCodePoint() {
        String job = Cli.resource("jobs/lj.yaml").toString();
        Cli.Run name = Cli.run("eval", job, "--set", "lj.sig\tma=3.0");
        assertEquals(ExitCodes.USAGE, name.code(), name::toString);
        assertTrue(name.err().contains("--set names unknown parameter 'lj.sig<U+0009>ma'"), name::toString);
        Cli.Run value = Cli.run("eval", job, "--set", "lj.sigma=3\t.0");
        assertEquals(ExitCodes.USAGE, value.code(), value::toString);
        assertTrue(value.err().contains("got '3<U+0009>.0'"), value::toString);
        assertFalse(value.err().contains("\t"), value::toString);
    }

    @Test
    void setWithoutAnEqualsSignShowsTheForm() {
        Cli.Run r = Cli.run("eval", Cli.resource("jobs/lj.yaml").toString(), "--set", "lj.epsilon");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err().contains("error: --set needs NAME=VALUE, such as --set lj.epsilon=1.2, got 'lj.epsilon'"),
                r::toString);
        assertFalse(r.err().contains("option option"), r::toString);
    }

    @Test
    void aParameterSetTwiceIsRefusedWithBothValues() {
        String job = Cli.resource("jobs/lj.yaml").toString();
        Cli.Run r = Cli.run("eval", job, "--set", "lj.sigma=3.0", "--set", "lj.sigma=3.2");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                "error: --set gives parameter 'lj.sigma' twice, as '3.0' and as '3.2'; give each parameter once",
                r.err().strip(),
                r::toString);
        // nothing evaluated: which of the two was meant is not known
        assertEquals("", r.out(), r::toString);
        // the same value twice, and a name written with spaces around it, are the same parameter given twice
        Cli.Run same = Cli.run("eval", job, "--set", "lj.sigma=3.0", "--set", " lj.sigma =3.0");
        assertEquals(ExitCodes.USAGE, same.code(), same::toString);
        assertEquals(
                "error: --set gives parameter 'lj.sigma' twice, as '3.0' and as '3.0'; give each parameter once",
                same.err().strip(),
                same::toString);
        // two parameters, each once, are evaluated
        Cli.Run two = Cli.run("eval", job, "--set", "lj.sigma=3.0", "--set", "lj.epsilon=1.0");
        assertEquals(ExitCodes.OK, two.code(), two::toString);
    }

    @Test
    void anOutputFolderThatIsAFileIsNamedWithTheReason() throws IOException {
        Path file = Files.writeString(tmp.resolve("taken"), "a file\n");
        Cli.Run r =
                Cli.run("fit", Cli.resource("jobs/lj.yaml").toString(), "-o", file.toString(), "--progress", "none");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err().contains("error: cannot use " + file + " as the output folder: it is a file, not a folder"),
                r::toString);

        Cli.Run below = Cli.run(
                "fit",
                Cli.resource("jobs/lj.yaml").toString(),
                "-o",
                file.resolve("out").toString(),
                "--progress",
                "none");
        assertEquals(ExitCodes.USAGE, below.code(), below::toString);
        assertTrue(below.err().contains(file + " is a file, not a folder"), below::toString);
        assertEquals("a file\n", Files.readString(file));
    }

    @Test
    void numericOptionsStateTheirUpperLimits() {
        Cli.Run r =
                Cli.run("fit", Cli.resource("jobs/lj.yaml").toString(), "--workers", "100000", "-o", tmp.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains("--workers must be at most 4096, got 100000"), r::toString);
        Cli.Run m = Cli.run(
                "fit",
                Cli.resource("jobs/lj.yaml").toString(),
                "--max-evaluations",
                "2000000000",
                "-o",
                tmp.toString());
        assertEquals(ExitCodes.USAGE, m.code(), m::toString);
        assertTrue(m.err().contains("--max-evaluations must be at most 100000000, got 2000000000"), m::toString);
    }
}

package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code validate} catches what would otherwise fail at evaluation 0: a template that names
 * something that is neither a parameter nor a variable (reported at the template's own file and
 * line), a template that does not compile, and a potential whose species match no atom of any
 * structure. {@code fit} and {@code eval} refuse the same job before anything runs.
 */
class ValidateChecksTest {

    @TempDir
    Path dir;

    /** @return these lines, each after a line break (nothing for none) */
    private static String following(String... lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append('\n').append(l);
        }
        return sb.toString();
    }

    /**
     * @param template the text of the template rendered into the term's input file
     * @param moreParameters lines added to the parameters section, below {@code lj.epsilon}
     * @return a job of one external term 'sim' (with the variable {@code steps}), written into the test's folder
     */
    private Path externalJob(String template, String... moreParameters) throws IOException {
        Files.writeString(dir.resolve("in.tmpl"), template);
        Path job = dir.resolve("job.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters:",
                        "  lj:",
                        "    epsilon: {initial: 1.0, bounds: [0.1, 10.0]}" + following(moreParameters),
                        "terms:",
                        "  - name: sim",
                        "    kind: external",
                        "    templates: {in.txt: in.tmpl}",
                        "    variables: {steps: 10}",
                        "    command: [cat, in.txt]",
                        "    outputs: {energy: {parser: regex, file: program.stdout, pattern: 'e = (\\S+)'}}",
                        "    reference: {energy: 1.0}",
                        "output: {folder: out}",
                        ""));
        return job;
    }

    /**
     * An output read from {@code file: stdout}: the program's standard output is saved as
     * program.stdout, so validate warns at the line of the file (a command could write a file
     * named stdout itself, so the job stays valid), and a fit whose run directory then lacks the
     * file says where the output is.
     */
    @Test
    void anOutputFromFileStdoutIsWarnedOfAtItsLineWithTheFileThatHoldsTheOutput() throws IOException {
        Path job = externalJob("e = {{ lj.epsilon }}\n");
        Files.writeString(job, Files.readString(job).replace("file: program.stdout", "file: stdout"));
        // line 10, column 45: where the value 'stdout' of the output's file key stands
        String warning = "warning: " + job + ":10:45: term 'sim' output 'energy' file 'stdout' is no file the term"
                + " writes, and a program's standard output is saved in the run directory as program.stdout, not"
                + " as 'stdout': name that file, unless a command writes 'stdout' itself";
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(0, v.code(), v::toString);
        assertTrue(v.err().startsWith(warning + "\n"), v::toString);
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        assertTrue(
                (fit.out() + fit.err())
                        .contains("'stdout' with regex /e = (\\S+)/ (last match, group 1) for 'energy': the file does"
                                + " not exist in "),
                fit::toString);
        assertTrue(
                (fit.out() + fit.err())
                        .contains("; a program's standard output is saved in the run directory as program.stdout:"
                                + " name that file as the output's file"),
                fit::toString);
        // a template of that name is a file the term writes: no warning
        Files.writeString(job, Files.readString(job).replace("{in.txt: in.tmpl}", "{stdout: in.tmpl}"));
        Cli.Run staged = Cli.run("validate", job.toString());
        assertEquals(0, staged.code(), staged::toString);
        assertFalse((staged.out() + staged.err()).contains("is no file the term writes"), staged::toString);
    }

    /**
     * A script that an interpreter is given and that is nowhere (a typo in its name) is warned of by
     * validate, with the script of that folder it most likely is; one staged into the run directory,
     * or one that exists, is not.
     */
    @Test
    void aScriptThatIsNowhereIsWarnedOfWithTheScriptItMostLikelyIs() throws IOException {
        Path job = externalJob("e = {{ lj.epsilon }}\nsteps = {{ steps }}\n");
        Path scripts = Files.createDirectories(dir.resolve("scripts"));
        Files.writeString(scripts.resolve("model.py"), "print('e = 1.0')\n");
        Files.writeString(scripts.resolve("plot.py"), "\n");
        Files.writeString(dir.resolve("run.sh"), "echo e = 1.0\n");
        String absent = scripts.resolve("modle.py").toString();
        String text = Files.readString(job);
        Files.writeString(job, text.replace("command: [cat, in.txt]", "command: [python3, " + absent + "]"));
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(0, v.code(), v::toString);
        assertTrue(
                v.err()
                        .startsWith("warning: term 'sim' command 'python3 " + absent + "': " + absent
                                + " names no file: the command would fail at the fit's first evaluation, unless an earlier"
                                + " command of the term writes it; did you mean "
                                + scripts.resolve("model.py") + "?\n"),
                v::toString);

        // relative: looked for where the command runs, and beside the job file
        Files.writeString(job, text.replace("command: [cat, in.txt]", "command: [sh, runn.sh]"));
        Cli.Run rel = Cli.run("validate", job.toString());
        assertEquals(0, rel.code(), rel::toString);
        assertTrue(
                rel.err()
                        .startsWith("warning: term 'sim' command 'sh runn.sh': runn.sh is neither staged into the run"
                                + " directory (files, templates or links) nor a file beside the job file ("
                                + dir.resolve("runn.sh")
                                + "): the command would fail at the fit's first evaluation, unless an"
                                + " earlier command of the term writes it; did you mean run.sh?\n"),
                rel::toString);

        // staged under that name (an earlier command or a file of the run directory): no warning
        Files.writeString(
                job,
                text.replace("command: [cat, in.txt]", "command: [sh, runn.sh]")
                        .replace(
                                "templates: {in.txt: in.tmpl}",
                                "templates: {in.txt: in.tmpl}\n    files: {runn.sh: run.sh}"));
        Cli.Run staged = Cli.run("validate", job.toString());
        assertEquals(0, staged.code(), staged::toString);
        assertFalse(staged.err().contains("runn.sh"), staged::toString);

        // what is no script an interpreter is given here: code given to sh -c, a script given to another
        // program, an output file named after a script, a module
        for (String command : List.of(
                "[bash, -c, \"source env.sh && python3 sim.py\"]",
                // a program not known to run its arguments here as they are (ssh node7 ..., apptainer exec
                // image ... run them elsewhere): xargs stands for them, as it is on every machine
                "[xargs, python3, /home/me/remote/model.py]",
                "[python3, " + scripts.resolve("model.py") + ", --write, next.sh]",
                "[python3, -m, missing.py]")) {
            Files.writeString(job, text.replace("command: [cat, in.txt]", "command: " + command));
            Cli.Run other = Cli.run("validate", job.toString());
            assertEquals(0, other.code(), other::toString);
            assertFalse(other.err().contains("would fail at the fit's first evaluation"), other::toString);
        }

        // through env, the script is still this machine's
        Files.writeString(
                job,
                text.replace(
                        "command: [cat, in.txt]",
                        "command: [/usr/bin/env, PYTHONUNBUFFERED=1, python3, " + absent + "]"));
        Cli.Run env = Cli.run("validate", job.toString());
        assertEquals(0, env.code(), env::toString);
        assertTrue(env.err().contains(absent + " names no file: "), env::toString);

        // a script that exists, and an argument that is no script: no warning
        Files.writeString(
                job,
                text.replace(
                        "command: [cat, in.txt]", "command: [python3, " + scripts.resolve("model.py") + ", x.dat]"));
        Cli.Run exists = Cli.run("validate", job.toString());
        assertEquals(0, exists.code(), exists::toString);
        assertFalse(exists.err().contains("warning: term 'sim' command"), exists::toString);
    }

    /** The script an interpreter is given, through the wrappers that run it here, or none. */
    @Test
    void theScriptOfACommandIsTheInterpretersFirstArgumentThatIsNoOption() {
        java.util.Map<List<String>, String> script = new java.util.LinkedHashMap<>();
        script.put(List.of("python3.11", "x.py"), "x.py");
        script.put(List.of("bash", "-x", "s.sh"), "s.sh");
        script.put(List.of("bash", "-o", "pipefail", "s.sh"), "s.sh");
        script.put(List.of("python3", "-W", "ignore", "-E", "x.py"), "x.py");
        script.put(List.of("julia", "-t", "4", "--project=.", "run.jl"), "run.jl");
        script.put(List.of("Rscript", "--vanilla", "x.R"), "x.R");
        script.put(List.of("/usr/bin/env", "A=1", "python3", "x.py"), "x.py");
        script.put(List.of("nice", "-n", "5", "timeout", "-s", "KILL", "60", "python3", "x.py"), "x.py");
        script.put(List.of("nohup", "time", "perl", "x.pl"), "x.pl");
        for (java.util.Map.Entry<List<String>, String> e : script.entrySet()) {
            assertEquals(e.getValue(), FitPlan.scriptOf(e.getKey()), e.getKey()::toString);
        }
        for (List<String> none : List.of(
                List.of("python3", "-c", "print(1)"),
                List.of("python3", "-mpkg", "in.py"),
                List.of("python3", "-", "in.py"),
                List.of("sh", "-s", "arg.sh"),
                List.of("perl", "-E", "say 1", "x.pl"),
                List.of("bash", "-c", "source env.sh && python3 sim.py"),
                List.of("ssh", "node7", "python3", "x.py"),
                List.of("env", "python3"),
                List.of("lmp", "-in", "in.lmp"))) {
            assertEquals(null, FitPlan.scriptOf(none), none::toString);
        }
    }

    /**
     * An output whose file the term also stages (files, templates or link, or a linked folder it
     * lies in) is warned of at the file's line, naming the term, the output, the file, the key and
     * its source: a program that does not write the file leaves the staged one to be read. eval
     * shows the warning before it runs, and then reads the staged file's value (3.0) as the
     * program's. An output the program writes alone gets no such warning.
     */
    @Test
    void anOutputFileTheTermAlsoStagesIsWarnedOf() throws IOException {
        Files.createDirectories(dir.resolve("old/data"));
        Files.writeString(dir.resolve("old/out.json"), "{\"e\": 3.0}");
        Files.writeString(dir.resolve("old/data/out.json"), "{\"e\": 3.0}");
        Files.writeString(dir.resolve("old.tmpl"), "{\"e\": 3.0}");
        String tail = ", the parser reads the staged file, from before the run, and the run gives its values as the"
                + " program's; stage it under another name, unless the program is meant to rewrite it";
        String[][] cases = {
            {
                "files: {out.json: old/out.json}",
                "out.json",
                "is a file",
                "files 'out.json', from " + dir.resolve("old/out.json")
            },
            {
                "templates: {out.json: old.tmpl}",
                "out.json",
                "is a file",
                "templates 'out.json', from " + dir.resolve("old.tmpl")
            },
            {
                "link: {out.json: old/out.json}",
                "./out.json",
                "is a file",
                "link 'out.json', from " + dir.resolve("old/out.json")
            },
            {"link: {data: old/data}", "data/out.json", "is in a folder", "link 'data', from " + dir.resolve("old/data")
            },
        };
        for (String[] c : cases) {
            String outputs = "    outputs: {energy: {parser: json, file: " + c[1] + ", path: /e}}";
            Path job = Files.writeString(
                    dir.resolve("job.yaml"),
                    String.join(
                            "\n",
                            "parameters: {x: {initial: 1.0, bounds: [0.0, 2.0]}}",
                            "terms:",
                            "  - name: sim",
                            "    kind: external",
                            "    " + c[0],
                            "    command: [echo, ran]",
                            outputs,
                            "    reference: {energy: 1.0}",
                            "output: {folder: out}",
                            ""));
            String warning = "warning: " + job + ":7:" + (outputs.indexOf("file: ") + 7) + ": term 'sim' output"
                    + " 'energy' file '" + c[1] + "' " + c[2] + " the term also stages (" + c[3] + "): if the program"
                    + " does not write " + (c[2].equals("is a file") ? "that file" : "'" + c[1] + "'") + tail + "\n";
            Cli.Run v = Cli.run("validate", job.toString());
            assertEquals(0, v.code(), v::toString);
            // then only the warning that no template uses x
            assertTrue(v.err().startsWith(warning + "warning: parameter 'x' is free"), c[0] + ": " + v);
            Cli.Run eval = Cli.run("eval", job.toString());
            assertEquals(0, eval.code(), eval::toString);
            assertTrue(eval.err().startsWith(warning), c[0] + ": " + eval);
            // echo wrote no out.json: the staged one gave 3.0, against the reference 1.0
            assertTrue(eval.out().contains("loss: 4\n"), c[0] + ": " + eval);
        }
        // a file the program writes, which nothing stages: no warning
        Path job = Files.writeString(
                dir.resolve("job.yaml"),
                Files.readString(dir.resolve("job.yaml"))
                        .replace("    link: {data: old/data}\n", "")
                        .replace("[echo, ran]", "[sh, -c, \"mkdir data && echo '{\\\"e\\\": 1.5}' > data/out.json\"]"));
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(0, v.code(), v::toString);
        assertFalse(v.err().contains("also stages"), v::toString);
        assertTrue(v.err().startsWith("warning: parameter 'x' is free"), v::toString);
        // a linked folder that does not hold the file: nothing staged would be read, so no warning
        Files.createDirectories(dir.resolve("empty"));
        Path other = Files.writeString(
                dir.resolve("job.yaml"),
                Files.readString(job).replace("    outputs:", "    link: {data: empty}\n    outputs:"));
        Cli.Run none = Cli.run("validate", other.toString());
        assertEquals(0, none.code(), none::toString);
        assertFalse(none.err().contains("also stages"), none::toString);
    }

    /**
     * Only a whole name of a stream is warned of, and only when nothing of the term writes it: a
     * file that merely begins with one ({@code stdout_energies.csv}), a file a command names (it
     * writes it itself), a {@code files} or {@code link} entry get no warning; with several
     * commands the warning names each command's file.
     */
    @Test
    void onlyAStreamsWholeNameThatNothingWritesIsWarnedOf() throws IOException {
        Path job = externalJob("e = {{ lj.epsilon }}\n");
        String base = Files.readString(job);
        String noWarning = "is no file the term writes";
        // a name that only begins with a stream's
        Files.writeString(job, base.replace("file: program.stdout", "file: stdout_energies.csv"));
        Cli.Run prefix = Cli.run("validate", job.toString());
        assertEquals(0, prefix.code(), prefix::toString);
        assertFalse((prefix.out() + prefix.err()).contains(noWarning), prefix::toString);
        // a command that writes the file itself
        Files.writeString(
                job,
                base.replace("file: program.stdout", "file: stdout.txt")
                        .replace("command: [cat, in.txt]", "command: [sh, -c, \"cat in.txt > stdout.txt\"]"));
        Cli.Run written = Cli.run("validate", job.toString());
        assertEquals(0, written.code(), written::toString);
        assertFalse((written.out() + written.err()).contains(noWarning), written::toString);
        // a file staged by files or link
        Files.writeString(dir.resolve("saved.txt"), "e = 1.0\n");
        for (String key : List.of("files", "link")) {
            Files.writeString(
                    job,
                    base.replace("file: program.stdout", "file: stdout")
                            .replace(
                                    "    command: [cat, in.txt]",
                                    "    " + key + ": {stdout: saved.txt}\n    command: [cat, in.txt]"));
            Cli.Run staged = Cli.run("validate", job.toString());
            assertEquals(0, staged.code(), key + ": " + staged);
            assertFalse((staged.out() + staged.err()).contains(noWarning), key + ": " + staged);
        }
        // two commands: each one's file is named
        Files.writeString(
                job,
                base.replace("file: program.stdout", "file: stdout")
                        .replace("command: [cat, in.txt]", "commands: [[cat, in.txt], [cat, in.txt]]"));
        Cli.Run two = Cli.run("validate", job.toString());
        assertEquals(0, two.code(), two::toString);
        assertTrue(
                two.err()
                        .startsWith("warning: " + job + ":10:45: term 'sim' output 'energy' file 'stdout' is no file"
                                + " the term writes, and a program's standard output is saved in the run directory as"
                                + " program1.stdout and program2.stdout (one per command), not as 'stdout': name that"
                                + " file, unless a command writes 'stdout' itself\n"),
                two::toString);
    }

    @Test
    void anUndefinedNameInATemplateIsReportedAtTheTemplatesFileAndLine() throws IOException {
        Path job = externalJob("# line 1\nsteps = {{ steps }}\ne = {{ lj.epsilon }}\nx = {{ lj.epsiln }}\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains(dir.resolve("in.tmpl")
                                + ":4: term 'sim': unknown parameter 'lj.epsiln' (did you mean 'lj.epsilon'?) in"
                                + " `x = {{ lj.epsiln }}`"),
                r::toString);
        assertTrue(r.err().contains("known names: lj.epsilon, steps"), r::toString);
        assertTrue(r.out().isEmpty(), r::toString);
    }

    /** A template that two terms render has its problem said once, naming both terms. */
    @Test
    void aTemplateSharedByTermsHasEachProblemSaidOnce() throws IOException {
        Path job = externalJob("e = {{ lj.epsilon }}\nx = {{ xx }}\n");
        String term = Files.readString(job).substring(Files.readString(job).indexOf("  - name: sim"));
        term = term.substring(0, term.indexOf("output:"));
        Files.writeString(
                job, Files.readString(job).replace("output:", term.replace("name: sim", "name: sim2") + "output:"));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err()
                        .startsWith(dir.resolve("in.tmpl")
                                + ":2: terms 'sim' and 'sim2': unknown parameter or variable 'xx' in"),
                r::toString);
        assertTrue(
                r.err().endsWith("\n1 problem found; the job file format is described in docs/job-file.md\n"),
                r::toString);
    }

    /**
     * A name in a branch that the initial values do not take is reported by validate, and by fit and
     * eval before anything runs, at its line: the template's tree is read, not only its rendering.
     */
    @Test
    void anUnknownNameInABranchTheInitialValuesDoNotTakeIsReportedBeforeAnythingRuns() throws IOException {
        Path job = externalJob("e = {{ lj.epsilon }}\n{% if lj.epsilon > 5 %}c = {{ lj.zzz }}{% endif %}\n");
        Path t = dir.resolve("in.tmpl");
        String problem = t + ":2: term 'sim': unknown parameter 'lj.zzz' in"
                + " `{% if lj.epsilon > 5 %}c = {{ lj.zzz }}{% endif %}`; known names: lj.epsilon, steps";
        for (String command : List.of("validate", "fit", "eval")) {
            Cli.Run r = Cli.run(command, job.toString());
            assertEquals(ExitCodes.USAGE, r.code(), r::toString);
            assertEquals(
                    List.of(problem, "1 problem found; the job file format is described in docs/job-file.md"),
                    r.err().lines().toList(),
                    r::toString);
        }
        assertFalse(Files.exists(dir.resolve("out")), "nothing ran");
    }

    @Test
    void everyUnknownNameOfATemplateIsReportedInOneRunEachAtItsLine() throws IOException {
        Path job = externalJob("e = {{ lj.epsilon }}\n# two\nx = {{ lj.eps }}\n# four\ny = {{ xx }}\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        Path t = dir.resolve("in.tmpl");
        assertEquals(
                List.of(
                        t + ":3: term 'sim': unknown parameter 'lj.eps' (did you mean 'lj.epsilon'?) in"
                                + " `x = {{ lj.eps }}`; known names: lj.epsilon, steps",
                        t + ":5: term 'sim': unknown parameter or variable 'xx' in `y = {{ xx }}`; known names:"
                                + " lj.epsilon, steps",
                        "2 problems found; the job file format is described in docs/job-file.md"),
                r.err().lines().toList(),
                r::toString);
    }

    @Test
    void anUndefinedTopLevelNameIsReportedToo() throws IOException {
        Path job = externalJob("a\nb\nc\nd\ne = {{ epsilon }}\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err().contains(dir.resolve("in.tmpl") + ":5: term 'sim': unknown parameter or variable 'epsilon'"),
                r::toString);
    }

    @Test
    void aTemplateSyntaxErrorIsReportedAtItsOwnLine() throws IOException {
        StringBuilder t = new StringBuilder();
        for (int i = 1; i <= 10; i++) {
            t.append("line ").append(i).append('\n');
        }
        t.append("e = {{ lj.epsilon + }}\n");
        for (int i = 12; i <= 20; i++) {
            t.append("line ").append(i).append('\n');
        }
        Path job = externalJob(t.toString());
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains(dir.resolve("in.tmpl") + ":11: template does not compile: "), r::toString);
        assertFalse(r.err().contains("Exception"), r::toString);
    }

    @Test
    void anUnclosedTagIsReportedWhereItOpensNotAtTheEnd() throws IOException {
        StringBuilder t = new StringBuilder();
        for (int i = 1; i <= 10; i++) {
            t.append("line ").append(i).append('\n');
        }
        t.append("{% if lj.epsilon > 1 %}\n");
        for (int i = 12; i <= 16; i++) {
            t.append("line ").append(i).append('\n');
        }
        Path job = externalJob(t.toString());
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains(dir.resolve("in.tmpl")
                                + ":11: template does not compile: the {% if %} that starts here has no "
                                + "{% endif %}"),
                r::toString);

        String unclosed = "template does not compile: the '{{' that starts here has no '}}'";
        assertTemplateRefused(job, "a\nb\ne = {{ lj.epsilon\nd\ne\n", dir.resolve("in.tmpl") + ":3: " + unclosed);
        // a '}}' after it that closes a later '{{' is not its end: said where it opens, not past the last line
        assertTemplateRefused(
                job,
                "a = {{ lj.epsilon\nb = {{ lj.epsilon }}\nc = 1\nd = 2\n",
                dir.resolve("in.tmpl") + ":1: " + unclosed);
        // Python's string formatting: '%' is a remainder in these templates, and the format filter is said
        assertTemplateRefused(
                job,
                "e = {{ \"%.4f\" % lj.epsilon }}\n",
                "; '%' is the remainder of a division here, not string formatting: write {{ \"%.4f\" | format(x) }}");
    }

    /** Writes the job's template and checks that validate refuses the job, saying {@code said}. */
    private void assertTemplateRefused(Path job, String template, String said) throws IOException {
        Files.writeString(dir.resolve("in.tmpl"), template);
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains(said), r::toString);
    }

    /**
     * A filter that does not exist is refused at its template's line and column, even in a branch
     * that the initial parameters do not take, and every one of them at once; fit refuses the same
     * job before anything runs.
     */
    @Test
    void anUnknownFilterIsReportedAtItsTemplatesLineAndColumnEvenInABranchNotTaken() throws IOException {
        Path job = externalJob("steps = {{ steps }}\ne = {{ lj.epsilon | nosuchfilter }}\n"
                + "{% if lj.epsilon > 5 %}x = {{ lj.epsilon | numberfromat(\"0.0\") }}{% endif %}\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        List<String> lines = r.err().lines().toList();
        assertEquals(3, lines.size(), r::toString);
        assertTrue(
                lines.get(0)
                        .startsWith(
                                dir.resolve("in.tmpl") + ":2:21: template does not compile: unknown filter"
                                        + " 'nosuchfilter' in `e = {{ lj.epsilon | nosuchfilter }}`; the filters are abbreviate,"),
                r::toString);
        assertTrue(
                lines.get(1)
                        .startsWith(dir.resolve("in.tmpl") + ":3:44: template does not compile: unknown filter"
                                + " 'numberfromat' (did you mean 'numberformat'?) in `"),
                r::toString);
        assertEquals("2 problems found; the job file format is described in docs/job-file.md", lines.get(2));
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.USAGE, fit.code(), fit::toString);
        assertTrue(
                fit.err().contains(dir.resolve("in.tmpl") + ":2:21: template does not compile: unknown filter"),
                fit::toString);
        assertFalse(Files.exists(dir.resolve("out/journal.sqlite")), "nothing was run or recorded");
    }

    /**
     * A filter given what it cannot use (the format filter a format that is not one, Pebble's
     * abbreviate a number) is reported at its template's line and the filter's column, saying what
     * it was given.
     */
    @Test
    void aFilterGivenWhatItCannotUseIsReportedAtItsLineAndColumn() throws IOException {
        Path job = externalJob("steps = {{ steps }}\ne = {{ \"%q\" | format(lj.epsilon) }}\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                List.of(
                        dir.resolve("in.tmpl") + ":2:15: term 'sim': format '%q' does not fit the values [1.0]: '%q' is"
                                + " not a conversion (%f, %e, %g, %d and %s are) in `e = {{ \"%q\" | format(lj.epsilon) }}`",
                        "1 problem found; the job file format is described in docs/job-file.md"),
                r.err().lines().toList(),
                r::toString);
        Files.writeString(dir.resolve("in.tmpl"), "steps = {{ steps }}\n\ne = {{ lj.epsilon | abbreviate(3) }}\n");
        Cli.Run r2 = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r2.code(), r2::toString);
        assertEquals(
                List.of(
                        dir.resolve("in.tmpl") + ":3:21: term 'sim': filter 'abbreviate' cannot use its input 1.0 with"
                                + " the arguments (length=3): it got a number where it needs a text in"
                                + " `e = {{ lj.epsilon | abbreviate(3) }}`",
                        "1 problem found; the job file format is described in docs/job-file.md"),
                r2.err().lines().toList(),
                r2::toString);
    }

    @Test
    void fitAndEvalRefuseAnUndefinedNameBeforeAnythingRuns() throws IOException {
        Path job = externalJob("e = {{ lj.epsilon }}\nx = {{ nope }}\n");
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.USAGE, fit.code(), fit::toString);
        assertTrue(
                fit.err().contains(dir.resolve("in.tmpl") + ":2: term 'sim': unknown parameter or variable 'nope'"),
                fit::toString);
        assertFalse(Files.exists(dir.resolve("out/journal.sqlite")), "nothing was run or recorded");
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.USAGE, eval.code(), eval::toString);
        assertTrue(eval.err().contains(":2: term 'sim': unknown parameter or variable 'nope'"), eval::toString);
    }

    /**
     * The known names are the parameters in the job's order, then the term's variables in theirs:
     * six variables, which a hash map's order (it changes from one start of the JVM to the next, so
     * from a {@code validate} to the {@code fit} after it) would seldom leave as written.
     */
    @Test
    void validateFitAndEvalListTheKnownNamesInTheJobsOrder() throws IOException {
        Files.writeString(
                dir.resolve("in.tmpl"),
                "e = {{ lj.sigma }} {{ lj.epsilon }} {{ a_first }}\n"
                        + "t = {{ temperature }} {{ steps }} {{ cells }} {{ lattice }} {{ cutoff }} {{ box }}\n"
                        + "x = {{ lj.epsiln }}\n");
        Path job = dir.resolve("job.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters:",
                        "  lj:",
                        "    sigma: {initial: 3.0, bounds: [1.0, 10.0]}",
                        "    epsilon: {initial: 1.0, bounds: [0.1, 10.0]}",
                        "  a_first: {initial: 1.0, fixed: true}",
                        "terms:",
                        "  - name: sim",
                        "    kind: external",
                        "    templates: {in.txt: in.tmpl}",
                        "    variables: {temperature: 87.3, steps: 10, cells: 5, lattice: 0.575, cutoff: 1.0,"
                                + " box: 3.0}",
                        "    command: [cat, in.txt]",
                        "    outputs: {energy: {parser: regex, file: program.stdout, pattern: 'e = (\\S+)'}}",
                        "    reference: {energy: 1.0}",
                        "output: {folder: out}",
                        ""));
        String expected = dir.resolve("in.tmpl")
                + ":3: term 'sim': unknown parameter 'lj.epsiln' (did you mean 'lj.epsilon'?) in `x = {{ lj.epsiln }}`;"
                + " known names: lj.sigma, lj.epsilon, a_first, temperature, steps, cells, lattice, cutoff, box";
        Cli.Run validate = Cli.run("validate", job.toString());
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        Cli.Run eval = Cli.run("eval", job.toString());
        for (Cli.Run r : List.of(validate, fit, eval)) {
            assertEquals(ExitCodes.USAGE, r.code(), r::toString);
            assertEquals(
                    List.of(expected),
                    r.err().lines().filter(l -> l.startsWith(dir.toString())).toList(),
                    r::toString);
        }
    }

    @Test
    void aValidTemplatePasses() throws IOException {
        // 8 decimals of 1.0 show the uncertainty's central step, 6.06e-6 (3 would not: see
        // TemplateRoundingTest)
        Path job = externalJob("steps = {{ steps }}\ne = {{ \"%.8f\" | format(lj.epsilon) }}\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(r.out().contains("is valid"), r::toString);
        assertEquals("", r.err(), r::toString);
    }

    /** @return validate's warning of a free parameter that no term of the fit uses, as one line */
    private static String unusedWarning(String parameter) {
        return "warning: parameter '" + parameter + "' is free but no term of the fit uses it (no potential names"
                + " it, no template changes with it): the data cannot determine it; give it fixed: true or remove it"
                + System.lineSeparator();
    }

    /**
     * A variable that makes no difference to what the templates write is warned of: here the
     * template reads {@code stpes} with a default, so the term's {@code steps} is never used and the
     * program would run with the default, silently.
     */
    @Test
    void aVariableNoTemplateUsesIsWarnedOfAsPossiblyMisspelt() throws IOException {
        Path job = externalJob("e = {{ lj.epsilon }}\nsteps = {{ stpes | default(5) }}\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains("warning: term 'sim' variables: 'steps' makes no difference to what its templates"
                                + " write (without it they write the same: no template names it, or only where a"
                                + " default or a test stands in): is a name misspelt?\n"),
                r::toString);
        // named, it is used, and nothing is said
        Files.writeString(dir.resolve("in.tmpl"), "e = {{ lj.epsilon }}\nsteps = {{ steps | default(5) }}\n");
        Cli.Run named = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, named.code(), named::toString);
        assertFalse(named.err().contains("variables:"), named::toString);
    }

    @Test
    void aFreeParameterNoTemplateUsesIsWarnedAboutAndTheJobIsStillValid() throws IOException {
        Path job = externalJob(
                "e = {{ lj.epsilon }}\n{% if switch > 0.5 %}cutoff 10{% endif %}\nsteps = {{ steps }}\n",
                "    sigma: {initial: 3.4, bounds: [2.0, 5.0]}",
                "  switch: 1.0",
                "  spare: {initial: 2.0, fixed: true}");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        // lj.epsilon is printed, switch decides a condition, spare is fixed: only lj.sigma is warned
        // about as unused; the one reference value cannot determine the 3 free parameters; and the
        // condition does not change over the uncertainty's central step of switch (6.06e-6 of 1): no
        // number of printed digits would change that
        assertEquals(
                "warning: the fit's terms hold 1 reference value for 3 free parameters: the data cannot determine"
                        + " every parameter (the fit ends at one of many equally good points, with no standard errors);"
                        + " add reference data, or fix parameters"
                        + System.lineSeparator()
                        + unusedWarning("lj.sigma")
                        + "warning: term 'sim': template " + dir.resolve("in.tmpl") + ":2 uses parameter 'switch'"
                        + " only in a condition and never prints it, so the central-difference step of the"
                        + " uncertainty (6.05545e-06, 6.05545e-06 of its size) renders the same input: the"
                        + " uncertainty will say that it changes no residual and give it no standard error; a"
                        + " parameter that only chooses what a template writes has no derivative through this term:"
                        + " fix it (fixed: true), or print its value where the program reads it"
                        + System.lineSeparator(),
                r.err(),
                r::toString);
        assertTrue(r.out().startsWith(job + " is valid: 4 parameters (3 free), 1 term, "), r::toString);
    }

    @Test
    void aPotentialSpeciesInNoStructureIsAnError() throws IOException {
        Path data = Cli.resource("jobs/data/energies.csv");
        Path job = dir.resolve("species.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters:",
                        "  lj:",
                        "    epsilon: {initial: 1.0, bounds: [0.1, 10.0]}",
                        "    sigma: {initial: 2.2, bounds: [1.0, 4.0]}",
                        "terms:",
                        "  - name: curve",
                        "    kind: atoms",
                        "    reference: " + data,
                        "    potential:",
                        "      - {form: lennard_jones, species: [Ar, ar], epsilon: lj.epsilon, sigma: lj.sigma}",
                        ""));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains(job + ":10:45: term 'curve' potential[0] names species 'ar', which no structure of "
                                + data + " has (did you mean 'Ar'?); species there: Ar"),
                r::toString);
    }

    /** @return a job of one atoms term 'curve' of a Lennard-Jones pair of these species, written into the test's folder */
    private Path atomsJob(String name, String reference, String species) throws IOException {
        return atomsJob(name, reference, species, "{eps: 1.0, sig: 2.2}");
    }

    /**
     * @param parameters the parameters section, with at least eps and sig, which the potential uses
     * @param more lines added at the end of the job
     * @return as {@link #atomsJob(String, String, String)}, with these parameters
     */
    private Path atomsJob(String name, String reference, String species, String parameters, String... more)
            throws IOException {
        Path job = dir.resolve(name);
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters: " + parameters,
                        "terms:",
                        "  - {name: curve, kind: atoms, reference: " + reference + ",",
                        "     potential: [{form: lennard_jones, species: " + species + ", epsilon: eps, sigma: sig}]}"
                                + following(more),
                        ""));
        return job;
    }

    @Test
    void aWildcardOrPresentSpeciesPasses() throws IOException {
        Path job =
                atomsJob("species.yaml", Cli.resource("jobs/data/energies.csv").toString(), "[Ar, '*']");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals("", r.err(), r::toString);
    }

    @Test
    void aFreeParameterNoPotentialNamesIsWarnedAboutOnceAndTheJobIsStillValid() throws IOException {
        String data = Cli.resource("jobs/data/energies.csv").toString();
        // held-out data apart from the fit's (data repeating the fit's are warned of too)
        Path held = Files.writeString(
                dir.resolve("held.csv"),
                "file,reference_energy,tag\n" + Cli.resource("jobs/data/dimers/lj_3.500.xyz") + ",-0.2,far\n");
        Path job = atomsJob(
                "unused.yaml",
                data,
                "[Ar, Ar]",
                "{eps: 1.0, sig: 2.2, shift: 0.5, held: 1.5, spare: {initial: 0.0, fixed: true},"
                        + " pinned: {initial: 1.0, bounds: [1.0, 1.0]}}",
                "validation:",
                "  - {name: held-out, kind: atoms, reference: " + held + ",",
                "     potential: [{form: lennard_jones, species: [Ar, Ar], epsilon: held, sigma: sig}]}");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        // spare is fixed, pinned by its bounds; held is used by a validation term only, which the
        // fit never fits
        assertEquals(unusedWarning("shift") + unusedWarning("held"), r.err(), r::toString);
        assertTrue(r.out().startsWith(job + " is valid: 6 parameters (4 free), 1 term, "), r::toString);
        assertTrue(r.out().contains("  validation term 'held-out' (atoms)"), r::toString);
    }

    /** @return a job of one atoms term of this reference with this coordinate (at line 6, column 17) */
    private Path coordinateJob(String reference, String coordinate) throws IOException {
        Path job = dir.resolve("coordinate.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters: {eps: 1.0, sig: 2.2}",
                        "terms:",
                        "  - name: curve",
                        "    kind: atoms",
                        "    reference: " + reference,
                        "    coordinate: " + coordinate,
                        "    potential: [{form: lennard_jones, species: [Ar, Ar], epsilon: eps, sigma: sig}]",
                        ""));
        return job;
    }

    /** A header without the coordinate's column is reported beside the rows' own problems. */
    @Test
    void aMissingCoordinateColumnIsReportedBesideTheRowsProblems() throws IOException {
        Files.writeString(dir.resolve("g.xyz"), "2\nr=2.0\nAr 0 0 0\nAr 2.0 0 0\n");
        Files.writeString(
                dir.resolve("ref.csv"), "file,reference_energy,tag,dist\ng.xyz,-1.0,a,2.0\ng.xyz,abc,b,2.1\n");
        Cli.Run r = Cli.run("validate", coordinateJob("ref.csv", "r").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains(":6:17: term 'curve' coordinate: "), r::toString);
        assertTrue(r.err().contains("ref.csv:1: expected a column 'r' in the header"), r::toString);
        assertTrue(
                r.err().contains("ref.csv:3: expected a finite number in column 'reference_energy', got 'abc'"),
                r::toString);
        assertTrue(r.err().contains("2 problems found"), r::toString);
    }

    /**
     * A reference CSV whose header names a column twice (here the coordinate's, once in capitals) is
     * refused by validate, naming the file, line 1 and both columns, once: not again as the
     * coordinate's problem.
     */
    @Test
    void aReferenceCsvThatNamesAColumnTwiceIsRefusedNamingBothColumns() throws IOException {
        Files.writeString(dir.resolve("g.xyz"), "2\nr=2.0\nAr 0 0 0\nAr 2.0 0 0\n");
        Files.writeString(dir.resolve("ref.csv"), "file,reference_energy,tag,r, R\ng.xyz,-1.0,a,2.0,2.1\n");
        Cli.Run r = Cli.run(
                "validate", coordinateJob("ref.csv", "{column: r, unit: A}").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                List.of(
                        dir.resolve("ref.csv")
                                + ":1: column 'R' is named twice in the header, in columns 4 and 5 (names are compared"
                                + " without case and surrounding spaces); only one would be read: rename or remove"
                                + " the other",
                        "1 problem found; the job file format is described in docs/job-file.md"),
                r.err().lines().toList(),
                r::toString);
    }

    /** A reference CSV's problem is the reference's, said once: not again as the coordinate's. */
    @Test
    void aBrokenReferenceWithACoordinateIsReportedOnceAtTheReference() throws IOException {
        Files.writeString(dir.resolve("empty.csv"), "");
        Cli.Run r = Cli.run(
                "validate", coordinateJob("empty.csv", "{column: r, unit: A}").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertFalse(r.err().contains("coordinate"), r::toString);
        assertEquals(1, r.err().split("got an empty file", -1).length - 1, r::toString);
        assertTrue(
                r.err().endsWith("1 problem found; the job file format is described in docs/job-file.md\n"),
                r::toString);
    }

    @Test
    void everyMissingOrMalformedStructureFileIsReportedAtOnce() throws IOException {
        Files.writeString(dir.resolve("good.xyz"), "2\nr=2.0\nAr 0 0 0\nAr 2.0 0 0\n");
        Files.writeString(dir.resolve("bad.xyz"), "2\nr=2.1\nAr 0 0 0\nAr 2.1 zero 0\n");
        Files.createDirectories(dir.resolve("folder.xyz"));
        Path csv = dir.resolve("ref.csv");
        Files.writeString(
                csv,
                "file,reference_energy,tag\ngood.xyz,-1.0,a\nmissing.xyz,-1.1,b\nbad.xyz,-1.2,c\nfolder.xyz,-1.3,d\n");
        Path job = atomsJob("structures.yaml", "ref.csv", "[Ar, Ar]");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        String err = r.err();
        assertTrue(
                err.contains(csv + ":3: term 'curve' structure file " + dir.resolve("missing.xyz")
                        + " (tag 'b') does not exist"),
                r::toString);
        assertTrue(
                err.contains(dir.resolve("bad.xyz") + ":4: expected a finite number for coordinate y of atom 2, got"
                        + " 'zero' (ref.csv line 4, tag 'c')"),
                r::toString);
        assertTrue(
                err.contains(csv + ":5: term 'curve' structure file " + dir.resolve("folder.xyz")
                        + " (tag 'd') is a folder"),
                r::toString);
        assertTrue(err.contains("3 problems found"), r::toString);
        assertFalse(err.contains("Exception"), r::toString);
    }

    /**
     * Structure files that are not UTF-8 text are malformed ones, reported with the others in the
     * same run and counted: a comment line saved in Latin-1 ("\u00c5" is the byte 0xC5) and one in
     * Windows-1252 ("\u20ac" is 0x80), each at its line with the byte, its column and what it is in
     * that encoding, beside a file with an atom line too short. {@code fit} refuses the job with the
     * same problems before anything runs.
     */
    @Test
    void structureFilesThatAreNotUtf8AreReportedWithTheMalformedOnesAndCounted() throws IOException {
        Files.writeString(dir.resolve("bad3.xyz"), "2\ncomment\nAr 0 0 0\nAr 0 0\n");
        Files.write(
                dir.resolve("dl.xyz"),
                "2\nAr dimer r = 3.8 \u00c5\nAr 0 0 0\nAr 0 0 3.8\n".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(
                dir.resolve("dl2.xyz"),
                "2\nAr dimer\nAr 0 0 0 \u20ac\nAr 0 0 3.9\n".getBytes(Charset.forName("windows-1252")));
        Files.writeString(
                dir.resolve("ref.csv"),
                "file,reference_energy,tag\nbad3.xyz,-0.0104,z\ndl.xyz,-0.0104,a\ndl2.xyz,-0.01,b\n");
        Path job = atomsJob("latin1.yaml", "ref.csv", "[Ar, Ar]");
        List<String> expected = List.of(
                dir.resolve("bad3.xyz") + ":4: expected 4 columns (species x y z) for atom 2 of 2, got 3: 'Ar 0 0'"
                        + " (ref.csv line 2, tag 'z')",
                // "Ar dimer r = 3.8 " is 17 characters, "Ar 0 0 0 " 9
                dir.resolve("dl.xyz") + ":2: is not UTF-8 text: byte 0xC5 at column 18 cannot be read as UTF-8 (in"
                        + " Latin-1 and Windows-1252 it is '\u00c5', U+00C5); a structure file must be UTF-8 text: save"
                        + " it as UTF-8 (ref.csv line 3, tag 'a')",
                dir.resolve("dl2.xyz") + ":3: is not UTF-8 text: byte 0x80 at column 10 cannot be read as UTF-8 (in"
                        + " Windows-1252 it is '\u20ac', U+20AC); a structure file must be UTF-8 text: save it as UTF-8"
                        + " (ref.csv line 4, tag 'b')",
                "3 problems found; the job file format is described in docs/job-file.md");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(expected, r.err().lines().toList(), r::toString);
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.USAGE, fit.code(), fit::toString);
        assertEquals(expected, fit.err().lines().toList(), fit::toString);
        assertFalse(Files.exists(dir.resolve("results")), "nothing ran");
    }

    /**
     * Reference CSVs that are not UTF-8 are reported each at the line of its first such byte, both
     * in one run: one saved by a spreadsheet in Windows-1252 (a tag "caf\u00e9", the byte 0xE9) and
     * one saved as UTF-16 (its byte order mark starts with 0xFF).
     */
    @Test
    void referenceCsvsThatAreNotUtf8AreEachReportedAtTheirLine() throws IOException {
        Files.writeString(dir.resolve("g.xyz"), "2\nr=2.0\nAr 0 0 0\nAr 2.0 0 0\n");
        Files.write(
                dir.resolve("excel.csv"),
                "file,reference_energy,tag\ng.xyz,-1.0,caf\u00e9\n".getBytes(Charset.forName("windows-1252")));
        Files.write(
                dir.resolve("unicode.csv"),
                "\ufefffile,reference_energy,tag\ng.xyz,-1.0,a\n".getBytes(StandardCharsets.UTF_16LE));
        Path job = atomsJob(
                "csvs.yaml",
                "excel.csv",
                "[Ar, Ar]",
                "{eps: 1.0, sig: 2.2}",
                "  - {name: other, kind: atoms, reference: unicode.csv,",
                "     potential: [{form: lennard_jones, species: [Ar, Ar], epsilon: eps, sigma: sig}]}");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                List.of(
                        // "g.xyz,-1.0,caf" is 14 characters
                        dir.resolve("excel.csv") + ":2: is not UTF-8 text: byte 0xE9 at column 15 cannot be read as"
                                + " UTF-8 (in Latin-1 and Windows-1252 it is '\u00e9', U+00E9); a reference CSV must be"
                                + " UTF-8 text: save it as UTF-8",
                        dir.resolve("unicode.csv") + ":1: is not UTF-8 text: byte 0xFF at column 1 cannot be read as"
                                + " UTF-8 (the file is UTF-16); a reference CSV must be UTF-8 text: save it as UTF-8",
                        "2 problems found; the job file format is described in docs/job-file.md"),
                r.err().lines().toList(),
                r::toString);
    }

    /**
     * A template and a standard-input template that are not UTF-8 are each reported at the line of
     * their first such byte, in one run and before any template is compiled: "\u00b0" in Latin-1
     * (0xB0) and "\u2013" in Windows-1252 (0x96). {@code eval} refuses the job with the same problems.
     */
    @Test
    void templatesThatAreNotUtf8AreEachReportedAtTheirLine() throws IOException {
        Path job = externalJob("e = {{ lj.epsilon }}\n");
        Files.write(
                dir.resolve("in.tmpl"),
                "e = {{ lj.epsilon }}\n# T = 300 \u00b0C\n".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(dir.resolve("stdin.tmpl"), "\u2013 run\n".getBytes(Charset.forName("windows-1252")));
        Files.writeString(
                job,
                Files.readString(job)
                        .replace(
                                "    command: [cat, in.txt]",
                                "    commands:\n      - {run: [cat, in.txt], stdin_template: stdin.tmpl}"));
        List<String> expected = List.of(
                // "# T = 300 " is 10 characters
                dir.resolve("in.tmpl") + ":2: is not UTF-8 text: byte 0xB0 at column 11 cannot be read as UTF-8 (in"
                        + " Latin-1 and Windows-1252 it is '\u00b0', U+00B0); a template must be UTF-8 text: save it as"
                        + " UTF-8",
                dir.resolve("stdin.tmpl") + ":1: is not UTF-8 text: byte 0x96 at column 1 cannot be read as UTF-8 (in"
                        + " Windows-1252 it is '\u2013', U+2013); a standard-input template must be UTF-8 text: save it"
                        + " as UTF-8",
                "2 problems found; the job file format is described in docs/job-file.md");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(expected, r.err().lines().toList(), r::toString);
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.USAGE, eval.code(), eval::toString);
        assertEquals(expected, eval.err().lines().toList(), eval::toString);
    }

    /**
     * A unit for a quantity an atoms term does not have is reported beside a misspelt parameter of
     * the same term, in one run: the term's quantities (energy; forces only with {@code forces})
     * follow from its keys, whatever else is wrong with it.
     */
    @Test
    void aUnitOfNoQuantityOfTheTermIsReportedBesideAnUnknownParameter() throws IOException {
        Path job = dir.resolve("units.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters: {eps: 1.0, sig: 2.2}",
                        "terms:",
                        "  - name: curve",
                        "    kind: atoms",
                        "    reference: " + Cli.resource("jobs/data/energies.csv"),
                        "    potential: [{form: lennard_jones, species: [Ar, Ar], epsilon: epz, sigma: sig}]",
                        "    unit: {energy: eV, force: eV/A}",
                        ""));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        List<String> lines = r.err().lines().toList();
        assertEquals(3, lines.size(), r::toString);
        assertTrue(
                lines.get(0).startsWith(job + ":6:67: term 'curve' potential[0] epsilon names unknown parameter 'epz'"),
                r::toString);
        assertEquals(
                job + ":7:24: term 'curve' unit names 'force', which is not a quantity of the term; its quantities:"
                        + " energy",
                lines.get(1),
                r::toString);
        assertEquals("2 problems found; the job file format is described in docs/job-file.md", lines.get(2));
        // with forces fitted, forces is one of its quantities, and force is still none (a near miss)
        Files.writeString(job, Files.readString(job).replace("    unit:", "    forces: true\n    unit:"));
        Cli.Run forces = Cli.run("validate", job.toString());
        assertTrue(
                forces.err()
                        .contains(job + ":8:24: term 'curve' unit names 'force', which is not a quantity of the term"
                                + " (did you mean 'forces'?); its quantities: energy, forces"),
                forces::toString);
        // the third: these structures have no forces column
        assertTrue(forces.err().contains(job + ":7:13: term 'curve' forces: 8 structures of "), forces::toString);
        assertTrue(forces.err().contains("\n3 problems found"), forces::toString);
    }

    /**
     * A reference CSV whose rows are each wrong in another way: a bad energy, an empty one, a tag
     * given twice (by a row whose energy is bad too), too few and too many fields, a bad and an empty
     * coordinate, a missing structure file and a malformed one.
     */
    private Path csvWithEveryKindOfBadRow() throws IOException {
        Files.writeString(dir.resolve("a.xyz"), "2\nr=2.0\nAr 0 0 0\nAr 2.0 0 0\n");
        Files.writeString(dir.resolve("bad.xyz"), "2\nr=2.1\nAr 0 0 0\nAr 2.1 zero 0\n");
        Path csv = dir.resolve("ref.csv");
        Files.writeString(
                csv,
                String.join(
                        "\n",
                        "file,reference_energy,tag,r",
                        "a.xyz,6x0.4,t1,2.0",
                        "a.xyz,,t2,2.0",
                        "a.xyz,nan,t1,2.0",
                        "a.xyz,-1.0",
                        "a.xyz,-1.0,t5,2.0,extra",
                        "a.xyz,-1.0,t6,abc",
                        "a.xyz,-1.0,t7,",
                        "missing.xyz,-1.0,t8,2.0",
                        "bad.xyz,-1.0,t9,2.1",
                        "a.xyz,-1.0,t10,2.0",
                        ""));
        return csv;
    }

    /** The problems of {@link #csvWithEveryKindOfBadRow()}; with {@code coordinate} those of column r too. */
    private List<String> everyBadRow(Path csv, boolean coordinate) {
        List<String> lines = new java.util.ArrayList<>(List.of(
                csv + ":2: expected a finite number in column 'reference_energy', got '6x0.4'",
                csv + ":3: expected a finite number in column 'reference_energy', got ''",
                csv + ":4: expected a finite number in column 'reference_energy', got 'nan'",
                csv + ":4: tag 't1' is given twice, on lines 2 and 4; each row needs a tag of its own (it names the"
                        + " structure's term and its row of predictions): give each row its own tag in the 'tag'"
                        + " column",
                csv + ":5: expected 4 fields as in the header (file,reference_energy,tag,r), got 2: 'a.xyz,-1.0'",
                csv + ":6: expected 4 fields as in the header (file,reference_energy,tag,r), got 5:"
                        + " 'a.xyz,-1.0,t5,2.0,extra'"));
        if (coordinate) {
            lines.add(csv + ":7: expected a finite number in column 'r', got 'abc'");
            lines.add(csv + ":8: expected a finite number in column 'r', got ''");
        }
        lines.add(csv + ":9: term 'curve' structure file " + dir.resolve("missing.xyz") + " (tag 't8') does not exist");
        // each data file's problems in its line order, the files by name
        lines.add(
                0,
                dir.resolve("bad.xyz") + ":4: expected a finite number for coordinate y of atom 2, got 'zero'"
                        + " (ref.csv line 10, tag 't9')");
        return lines;
    }

    @Test
    void everyBadFieldRowAndStructureFileOfAReferenceCsvIsReportedAtOnce() throws IOException {
        Path csv = csvWithEveryKindOfBadRow();
        Path job = atomsJob("rows.yaml", "ref.csv", "[Ar, Ar]");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        List<String> expected = new java.util.ArrayList<>(everyBadRow(csv, false));
        expected.add("8 problems found; the job file format is described in docs/job-file.md");
        assertEquals(expected, r.err().lines().toList(), r::toString);
    }

    @Test
    void everyBadValueOfTheCoordinateColumnIsReportedWithTheOtherRows() throws IOException {
        Path csv = csvWithEveryKindOfBadRow();
        Path job = dir.resolve("scan.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters: {eps: 1.0, sig: 2.2}",
                        "terms:",
                        "  - name: curve",
                        "    kind: atoms",
                        "    reference: ref.csv",
                        "    coordinate: {column: r, unit: A}",
                        "    potential: [{form: lennard_jones, species: [Ar, Ar], epsilon: eps, sigma: sig}]",
                        ""));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        // the problems at the CSV's and the structure files' lines (the job file's own lines aside)
        assertEquals(
                everyBadRow(csv, true),
                r.err()
                        .lines()
                        .filter(l -> !l.startsWith(job.toString()))
                        .filter(l -> !l.contains("problems found"))
                        .toList(),
                r::toString);
    }

    /**
     * A reference CSV's numbers are decimal text of at most 1e100 in magnitude, as the job file's
     * are: Java's type suffixes and hexadecimal floats are refused, not read (0x1p3 as 8), and so is
     * a number beyond the limit; white space around a number is not a problem.
     */
    @Test
    void aCsvNumberWithATypeSuffixInHexadecimalOrOverTheLimitIsRefusedSayingTheRule() throws IOException {
        Files.writeString(dir.resolve("a.xyz"), "2\nr=2.0\nAr 0 0 0\nAr 2.0 0 0\n");
        Path csv = dir.resolve("ref.csv");
        Files.writeString(
                csv,
                String.join(
                        "\n",
                        "file,reference_energy,tag,r",
                        "a.xyz,60.465539d,t1,2.0",
                        "a.xyz,-41.5F,t2,2.0",
                        "a.xyz,1e200,t3,2.0",
                        "a.xyz, -99.9 ,t4,2.0",
                        "a.xyz,0x1p3,t5,2.0",
                        "a.xyz,-1e400,t6,2.0",
                        "a.xyz,+.5e1,t7,2.0f",
                        "a.xyz,1.5E-3,t8,1e101",
                        ""));
        Path job = dir.resolve("numbers.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters: {eps: 1.0, sig: 2.2}",
                        "terms:",
                        "  - name: curve",
                        "    kind: atoms",
                        "    reference: ref.csv",
                        "    coordinate: {column: r, unit: A}",
                        "    potential: [{form: lennard_jones, species: [Ar, Ar], epsilon: eps, sigma: sig}]",
                        ""));
        String decimal = " written in decimal (digits with an optional sign, decimal point and exponent, such as -41.5"
                + " or 6.2e-3; no type suffix such as d or F, no hexadecimal)";
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                List.of(
                        csv + ":2: expected a finite number in column 'reference_energy'" + decimal
                                + ", got '60.465539d'",
                        csv + ":3: expected a finite number in column 'reference_energy'" + decimal + ", got '-41.5F'",
                        csv + ":4: expected a finite number in column 'reference_energy' at most 1e100 in magnitude,"
                                + " got '1e200'",
                        csv + ":6: expected a finite number in column 'reference_energy'" + decimal + ", got '0x1p3'",
                        csv + ":7: expected a finite number in column 'reference_energy' at most 1e100 in magnitude,"
                                + " got '-1e400'",
                        csv + ":8: expected a finite number in column 'r'" + decimal + ", got '2.0f'",
                        csv + ":9: expected a finite number in column 'r' at most 1e100 in magnitude, got '1e101'",
                        "7 problems found; the job file format is described in docs/job-file.md"),
                r.err().lines().toList(),
                r::toString);
    }

    /** The same numbers in a structure file: its coordinates and energy are decimal text too. */
    @Test
    void aStructureFilesNumberInHexadecimalOrOverTheLimitIsRefusedSayingTheRule() throws IOException {
        Files.writeString(dir.resolve("hex.xyz"), "2\nenergy=-1.0\nAr 0 0 0\nAr 0x1p1 0 0\n");
        Files.writeString(dir.resolve("huge.xyz"), "2\nenergy=-1.0\nAr 0 0 0\nAr 2.0 1e200 0\n");
        Files.writeString(dir.resolve("ref.csv"), "file,reference_energy,tag\nhex.xyz,-1.0,a\nhuge.xyz,-1.0,b\n");
        Cli.Run r =
                Cli.run("validate", atomsJob("xyz.yaml", "ref.csv", "[Ar, Ar]").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains(dir.resolve("hex.xyz") + ":4: expected a finite number for coordinate x of atom 2"
                                + " written in decimal (digits"),
                r::toString);
        assertTrue(
                r.err()
                        .contains(dir.resolve("huge.xyz") + ":4: expected a finite number for coordinate y of atom 2"
                                + " at most 1e100 in magnitude, got '1e200' (ref.csv line 3, tag 'b')"),
                r::toString);
    }

    /** A negative bad value would make a NaN point look better than any loss: refused, as by the Fitter. */
    @Test
    void aNegativeBadValueIsRefused() throws IOException {
        Path job = dir.resolve("bad-value.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "name: a",
                        "parameters:",
                        "  lj:",
                        "    epsilon: {initial: 1.0, bounds: [0.1, 10.0]}",
                        "    sigma: {initial: 2.2, bounds: [1.0, 4.0]}",
                        "terms:",
                        "  - {name: curve, kind: atoms, reference: " + Cli.resource("jobs/data/energies.csv") + ",",
                        "     potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}}",
                        "optimizer: {method: Nelder-Mead, bad_value: -1}",
                        ""));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains(job + ":9:45: optimizer bad_value must not be negative, got -1"), r::toString);
    }

    @Test
    void aKeyGivenTwiceIsReportedWithTheFilesOtherProblems() throws IOException {
        Path job = dir.resolve("twice.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "name: a",
                        "name: b",
                        "parameters:",
                        "  lj:",
                        "    epsilon: {initial: 1.0, bounds: [10.0, 0.1]}",
                        "    sigma: {initial: abc, bounds: [1.0, 4.0]}",
                        "terms:",
                        "  - {name: curve, kind: atoms, weight: -1, reference: "
                                + Cli.resource("jobs/data/energies.csv") + ",",
                        "     potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}}",
                        "optimizer: {method: Nelder-Mead, max_evals: 10}",
                        ""));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                List.of(
                        job + ":2:1: key 'name' is given twice (first at line 1)",
                        job
                                + ":5:37: parameter 'lj.epsilon' lower bound must not exceed its upper bound, got [10, 0.1]",
                        job + ":6:22: parameter 'lj.sigma' initial value must be a number, got a string ('abc')",
                        job + ":8:40: term 'curve' weight must not be negative, got -1",
                        job + ":10:34: unknown key 'max_evals' in optimizer (did you mean 'max_evaluations'?); known"
                                + " keys: method, max_evaluations, seed, batch_size, tolerance, finite_difference_step,"
                                + " bad_value",
                        "5 problems found; the job file format is described in docs/job-file.md"),
                r.err().lines().toList(),
                r::toString);
    }

    @Test
    void aMethodThatCannotFitTheLossIsReportedAtTheLossLineWithTheJobFilesProblems() throws IOException {
        Path job = externalJob("e = {{ lj.epsilon }}\nx = {{ lj.epsiln }}\n");
        Files.writeString(
                job,
                Files.readString(job)
                                .replace(
                                        "    reference: {energy: 1.0}",
                                        "    reference: {energy: 1.0}\n    loss: absolute_error")
                        + "optimizer: {method: least-squares, max_evaluations: 0}\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        // a job-file problem like any other: reported with the others, before the templates are rendered
        assertEquals(
                List.of(
                        job + ":12:11: term 'sim' loss absolute_error is not a sum of squares, which optimizer method"
                                + " least-squares (line 14) needs: it fits the residuals: use loss squared_error or"
                                + " mean_squared_error for this term, or choose a method that takes any loss"
                                + " (Nelder-Mead, Powell, BOBYQA, CMA-ES, CMA-ES-hipparchus, L-BFGS-B)",
                        job
                                + ":14:53: optimizer max_evaluations must be a whole number of at least 1, got 0; allowed: 1 to 100000000",
                        "2 problems found; the job file format is described in docs/job-file.md"),
                r.err().lines().toList(),
                r::toString);
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.USAGE, fit.code(), fit::toString);
        assertTrue(fit.err().contains("2 problems found"), fit::toString);
        assertFalse(Files.exists(dir.resolve("out").resolve("journal.sqlite")), "nothing ran");
        // with a method that takes any loss, the template's problem is the one left
        Files.writeString(job, Files.readString(job).replace("least-squares, max_evaluations: 0", "Nelder-Mead"));
        Cli.Run again = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, again.code(), again::toString);
        assertTrue(
                again.err().contains(dir.resolve("in.tmpl") + ":2: term 'sim': unknown parameter 'lj.epsiln'"),
                again::toString);
    }

    @Test
    void theUnknownNameIsTheOneTheTemplateGotWrongNotAKnownOneOnTheSameLine() throws IOException {
        Files.writeString(dir.resolve("in.tmpl"), "v = {{ a.x }} {{ b.x }}\n");
        Path job = dir.resolve("two.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters: {a: {x: 1.0}, b: {y: 2.0}}",
                        "terms:",
                        "  - name: sim",
                        "    kind: external",
                        "    templates: {in.txt: in.tmpl}",
                        "    command: [cat, in.txt]",
                        "    outputs: {energy: {parser: regex, file: program.stdout, pattern: 'v = (\\S+)'}}",
                        "    reference: {energy: 1.0}",
                        ""));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains(":1: term 'sim': unknown parameter 'b.x' (did you mean 'a.x'?) in"
                                + " `v = {{ a.x }} {{ b.x }}`"),
                r::toString);
    }

    @Test
    void aWorkerRefusesAJobItsDriverWouldRefuseBeforeItJoins() throws IOException {
        Path job = externalJob("e = {{ lj.epsilon }}\nx = {{ lj.epsiln }}\n");
        Cli.Run r = Cli.run("worker", job.toString(), "--cluster", "refused-job", "--threads", "1");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains(":2: term 'sim': unknown parameter 'lj.epsiln'"), r::toString);
        assertTrue(r.err().contains("1 problem found"), r::toString);
        assertFalse(r.err().contains("joined cluster"), r::toString);
    }

    @Test
    void aNumberOverItsLimitIsQuotedAsWrittenEvenWhenADoubleCannotHoldIt() throws IOException {
        // 1e400 is read as infinity: its problem is still the limit, not that it is .inf
        Path job = TestData.write(
                dir,
                "job.yaml",
                "parameters:",
                "  a: {initial: 1e400}",
                "  b: {initial: 1e200}",
                "  c: {initial: .inf}",
                "  d: {initial: 1.0, bounds: [-1e400, 2E+150]}",
                "  e: 1e300", // the short form, to the same rules
                "  f: -1e400",
                "  g: .inf",
                "terms: []",
                "optimizer: {max_evaluations: 1e400}");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                List.of(
                        job + ":2:16: parameter 'a' initial value must be at most 1e100 in magnitude, got 1e400",
                        job + ":3:16: parameter 'b' initial value must be at most 1e100 in magnitude, got 1e200",
                        job + ":4:16: parameter 'c' initial value must be a finite number, got .inf (.nan and .inf"
                                + " are not allowed here; write a number such as 1.5 or 2.0e-3)",
                        job + ":5:30: parameter 'd' lower bound must be at most 1e100 in magnitude, got -1e400; write"
                                + " null (or -.inf) for an open side",
                        job + ":5:38: parameter 'd' upper bound must be at most 1e100 in magnitude, got 2E+150; write"
                                + " null (or .inf) for an open side",
                        job + ":6:6: parameter 'e' initial value must be at most 1e100 in magnitude, got 1e300",
                        job + ":7:6: parameter 'f' initial value must be at most 1e100 in magnitude, got -1e400",
                        job + ":8:6: parameter 'g' initial value must be a finite number, got .inf (.nan and .inf"
                                + " are not allowed here; write a number such as 1.5 or 2.0e-3)",
                        job + ":9:8: terms must hold at least one term",
                        job + ":10:30: optimizer max_evaluations must be at most 100000000, got 1e400",
                        "10 problems found; the job file format is described in docs/job-file.md"),
                r.err().lines().toList(),
                r::toString);
        // a JSON job file alike
        Path json = TestData.write(
                dir, "job.json", "{\"parameters\": {\"a\": {\"initial\": -1e400}, \"b\": {\"initial\": 1.5E200}}}");
        Cli.Run j = Cli.run("validate", json.toString());
        assertTrue(
                j.err()
                        .contains(json + ":1:34: parameter 'a' initial value must be at most 1e100 in magnitude, got"
                                + " -1e400\n"),
                j::toString);
        assertTrue(
                j.err()
                        .contains(json + ":1:60: parameter 'b' initial value must be at most 1e100 in magnitude, got"
                                + " 1.5E200\n"),
                j::toString);
    }

    @Test
    void aMisspeltReferenceKeyIsTheOneBlamedNotTheUnitThatNamesTheOutput() throws IOException {
        Path job = externalJob("e = {{ lj.epsilon }}\n");
        Files.writeString(
                job,
                Files.readString(job)
                        .replace(
                                "    reference: {energy: 1.0}",
                                "    reference: {enrgy: 1.0}\n    unit: {energy: eV}\n    loss: {scale: {energy: 2.0}}"));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                List.of(
                        job + ":11:17: term 'sim' reference names 'enrgy', which no output computes (did you mean"
                                + " 'energy'?); outputs: energy",
                        "1 problem found; the job file format is described in docs/job-file.md"),
                r.err().lines().toList(),
                r::toString);
    }

    /**
     * A misspelt reference key is matched against the outputs no reference names yet: with y1
     * given, y3 is y2 mistyped, not y1.
     */
    @Test
    void aMisspeltReferenceKeyIsMatchedToAnOutputThatHasNoReferenceYet() throws IOException {
        Path job = externalJob("e = {{ lj.epsilon }}\n");
        Files.writeString(
                job,
                Files.readString(job)
                        .replace(
                                "    outputs: {energy: {parser: regex, file: program.stdout, pattern: 'e = (\\S+)'}}",
                                "    outputs:\n      y1: {parser: regex, file: program.stdout, pattern: 'e = (\\S+)'}\n"
                                        + "      y2: {parser: regex, file: program.stdout, pattern: 'e = (\\S+)'}")
                        .replace("    reference: {energy: 1.0}", "    reference: {y1: 1.0, y3: 2.0}"));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                List.of(
                        job + ":13:26: term 'sim' reference names 'y3', which no output computes (did you mean"
                                + " 'y2'?); outputs: y1, y2",
                        "1 problem found; the job file format is described in docs/job-file.md"),
                r.err().lines().toList(),
                r::toString);
    }

    /**
     * An output whose select gives one number (first, last, mean, mean_of_last, or last by default) against a
     * list of reference values fails on every run: validate, eval and fit refuse it at the reference, naming the
     * quantity, the select and the count; select: all, a list of one and a json output are taken.
     */
    @Test
    void aSingleNumberOutputAgainstAListOfReferenceValuesIsRefused() throws IOException {
        Path job = dir.resolve("job.yaml");
        String table = "    command: [sh, -c, 'printf \"step E\\n0 2\\n1 0\\n2 2\\n3 8\\n\" > table.dat']";
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters:",
                        "  c: {initial: 0.5, bounds: [0, 1]}",
                        "terms:",
                        "  - name: sim",
                        "    kind: external",
                        table,
                        "    outputs:",
                        "      E: {parser: column, file: table.dat, column: E, select: last}",
                        "    reference: {E: [2.0, 0.0, 2.0, 8.0]}",
                        "output: {folder: out}",
                        ""));
        String problem = job + ":9:20: term 'sim' reference 'E' has 4 values, but output 'E' (parser column, select:"
                + " last) gives one number on every run; give it one reference value, or read a list with select: all";
        for (String command : List.of("validate", "eval", "fit")) {
            Cli.Run r = Cli.run(command, job.toString());
            assertEquals(ExitCodes.USAGE, r.code(), () -> command + ": " + r);
            assertEquals(
                    List.of(problem, "1 problem found; the job file format is described in docs/job-file.md"),
                    r.err().lines().toList(),
                    () -> command + ": " + r);
        }
        assertFalse(Files.exists(dir.resolve("out")), "nothing ran");

        // the same output with select: all reads the list the reference expects
        Files.writeString(job, Files.readString(job).replace("select: last}", "select: all}"));
        Cli.Run all = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, all.code(), all::toString);
        assertTrue(all.out().contains("\nloss: 0\n"), all::toString);
        // a list of one reference value against one number is the one value
        Files.writeString(
                job,
                Files.readString(job)
                        .replace("select: all}", "select: first}")
                        .replace("[2.0, 0.0, 2.0, 8.0]", "[2.0]"));
        Cli.Run one = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, one.code(), one::toString);
        assertTrue(one.out().contains("\nloss: 0\n"), one::toString);
        // a json path may hold a list: not known before the run
        Files.writeString(
                job,
                Files.readString(job)
                        .replace(table, "    command: [sh, -c, 'echo ''{\"E\": [2, 0]}'' > out.json']")
                        .replace(
                                "{parser: column, file: table.dat, column: E, select: first}",
                                "{parser: json, file: out.json, path: E}")
                        .replace("[2.0]", "[2.0, 0.0]"));
        Cli.Run json = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, json.code(), json::toString);
        assertTrue(json.out().contains("\nloss: 0\n"), json::toString);
        // the select given by default is said to be so
        Files.writeString(
                job,
                Files.readString(job)
                        .replace(
                                "{parser: json, file: out.json, path: E}",
                                "{parser: regex, file: out.json, pattern: '(\\d)'}"));
        Cli.Run regex = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, regex.code(), regex::toString);
        assertEquals(
                job + ":9:20: term 'sim' reference 'E' has 2 values, but output 'E' (parser regex, select: last, the"
                        + " default) gives one number on every run; give it one reference value, or read a list with"
                        + " select: all",
                regex.err().lines().findFirst().orElse(""),
                regex::toString);
    }

    /** An output that no reference value names counts in no loss: said at its line, the job stays valid. */
    @Test
    void anOutputWithoutAReferenceValueIsWarnedOf() throws IOException {
        Path job = externalJob("e = {{ lj.epsilon }}\n");
        Files.writeString(
                job,
                Files.readString(job)
                        .replace(
                                "    outputs: {energy: {parser: regex, file: program.stdout, pattern: 'e = (\\S+)'}}",
                                "    outputs:\n      energy: {parser: regex, file: program.stdout, pattern: 'e = (\\S+)'}\n"
                                        + "      volume: {parser: regex, file: program.stdout, pattern: 'e = (\\S+)'}"));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(
                r.err()
                        .startsWith("warning: " + job + ":12:7: term 'sim' output 'volume' has no reference value: it"
                                + " is computed and recorded, but counts in no loss\n"),
                r::toString);
    }

    @Test
    void aUnitOfAQuantityWhoseReferenceValueWasRefusedIsNotASecondProblem() throws IOException {
        Path job = externalJob("e = {{ lj.epsilon }}\n");
        Files.writeString(
                job,
                Files.readString(job)
                        .replace(
                                "    reference: {energy: 1.0}",
                                "    reference: {energy: 1.0e200}\n    unit: {energy: eV}\n    loss: {scale: {energy: 2.0}}"));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                List.of(
                        job + ":11:25: term 'sim' reference 'energy' must be at most 1e100 in magnitude, got 1.0e200",
                        "1 problem found; the job file format is described in docs/job-file.md"),
                r.err().lines().toList(),
                r::toString);
        // a unit naming no quantity of the term is still one
        Files.writeString(job, Files.readString(job).replace("unit: {energy: eV}", "unit: {enrgy: eV}"));
        Cli.Run typo = Cli.run("validate", job.toString());
        assertTrue(
                typo.err()
                        .contains(":12:12: term 'sim' unit names 'enrgy', which is not a quantity of the term (did you"
                                + " mean 'energy'?); its quantities: energy"),
                typo::toString);
    }

    @Test
    void parametersNamedInAnyScriptCanBeUsedInAPotential() throws IOException {
        Path csv = ExamplesIT.examples().resolve("argon/data/ar2-energies.csv");
        Path job = dir.resolve("greek.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters:",
                        "  \u03bbj:",
                        "    \u03b5: {initial: 100.0, bounds: [10.0, 400.0], unit: K}",
                        "    \u03c3: {initial: 3.2, bounds: [2.5, 4.5], unit: \u00c5}",
                        "terms:",
                        "  - name: dimer",
                        "    kind: atoms",
                        "    reference: " + csv,
                        "    unit: K",
                        "    loss: mean_squared_error",
                        "    potential: [{form: lennard_jones, epsilon: \u03bbj.\u03b5, sigma: 2*\u03bbj.\u03c3}]",
                        ""));
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, v.code(), v::toString);
        Cli.Run e = Cli.run("eval", job.toString(), "--set", "\u03bbj.\u03c3=1.7");
        assertEquals(ExitCodes.OK, e.code(), e::toString);
        Cli.Run plain = Cli.run(
                "eval",
                ExamplesIT.examples().resolve("argon/fit.yaml").toString(),
                "--set",
                "lj.epsilon=100",
                "--set",
                "lj.sigma=3.4");
        assertEquals(ExitCodes.OK, plain.code(), plain::toString);
        String loss =
                e.out().lines().filter(l -> l.startsWith("loss")).findFirst().orElseThrow();
        assertEquals(
                plain.out()
                        .lines()
                        .filter(l -> l.startsWith("loss"))
                        .findFirst()
                        .orElseThrow(),
                loss,
                "sigma 2 * 1.7 is the argon example's 3.4: " + e);
    }

    /**
     * @param tag the second dimer's tag (its file is TAG.xyz)
     * @param secondAtoms the second dimer's two atom lines
     * @return a job of one atoms term over a fine argon dimer and that one, in the test's folder
     */
    private Path twoDimerJob(String tag, String secondAtoms) throws IOException {
        Files.writeString(dir.resolve("fine.xyz"), "2\nProperties=species:S:1:pos:R:3\nAr 0 0 0\nAr 3.8 0 0\n");
        Files.writeString(dir.resolve(tag + ".xyz"), "2\nProperties=species:S:1:pos:R:3\n" + secondAtoms);
        Files.writeString(
                dir.resolve("ref.csv"),
                "file,reference_energy,tag\nfine.xyz,-0.0104,fine\n" + tag + ".xyz,0.0," + tag + "\n");
        Path job = dir.resolve(tag + ".yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters:",
                        "  lj:",
                        "    epsilon: {initial: 0.0104, bounds: [0.001, 0.1], unit: eV}",
                        "    sigma: {initial: 3.4, bounds: [2.5, 4.5], unit: A}",
                        "terms:",
                        "  - name: t",
                        "    kind: atoms",
                        "    reference: ref.csv",
                        "    unit: eV",
                        "    potential: [{form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}]",
                        "optimizer: {max_evaluations: 3}",
                        "output: {folder: out, plots: false}",
                        ""));
        return job;
    }

    /** A weight so small that the term's part of the loss underflows is warned of at its line; 1e-100 is not. */
    @Test
    void aWeightBelow1eMinus100IsWarnedOf() throws IOException {
        Path job = twoDimerJob("near", "Ar 0 0 0\nAr 3.9 0 0\n");
        String text = Files.readString(job);
        Files.writeString(job, text.replace("  - name: t\n", "  - name: t\n    weight: 1e-320\n"));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains("warning: " + job + ":7:13: term 't' weight 1e-320 is below 1e-100: the term's part"
                                + " of the loss underflows to 0 or next to it, so the fit does not feel it; give 0 to monitor"
                                + " the term, or a weight that counts\n"),
                r::toString);
        Files.writeString(job, text.replace("  - name: t\n", "  - name: t\n    weight: 1e-100\n"));
        Cli.Run fine = Cli.run("validate", job.toString());
        assertFalse(fine.err().contains("below 1e-100"), fine::toString);
    }

    @Test
    void evalSaysATermWhoseLossIsNotFiniteIsNotOk() throws IOException {
        // sigma 1e30 times its parameter: (sigma/r)^12 overflows, and the Lennard-Jones energy is infinite
        // (two atoms 1e-30 Å apart once did it, and are refused by validate now)
        Path job = twoDimerJob("near", "Ar 0 0 0\nAr 3.0 0 0\n");
        Files.writeString(job, Files.readString(job).replace("sigma: lj.sigma", "sigma: 1e30*lj.sigma"));
        Cli.Run r = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        String row = r.out().lines().filter(l -> l.startsWith("t ")).findFirst().orElseThrow();
        assertTrue(row.endsWith("not finite"), row);
        assertTrue(
                r.out()
                        .contains("term 't': its loss is inf: a value it computed is NaN or infinite"
                                + " (--per-structure shows which)"),
                r::toString);
    }

    /**
     * A loss beyond a double though every value computed is finite (1e200 against 1: the square
     * overflows) is said to be so, not blamed on a value that is not finite.
     */
    @Test
    void evalSaysALossThatOverflowsFromFiniteValuesIsSo() throws IOException {
        Path job = externalJob("e = {{ lj.epsilon }}e200\n");
        Cli.Run r = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        String row =
                r.out().lines().filter(l -> l.startsWith("sim ")).findFirst().orElseThrow();
        assertTrue(row.endsWith("not finite"), row);
        assertTrue(
                r.out()
                        .contains("term 'sim': its loss is inf, though every value it computed is finite: the"
                                + " loss is beyond a double once it combines their errors"),
                r::toString);
        assertFalse(r.out().contains("a value it computed is NaN or infinite"), r::toString);
    }

    @Test
    @SuppressWarnings("try") // the folder is read-only while the resource is open
    void aRunDirectoryThisUserMayNotWriteInIsReportedByValidate() throws Exception {
        Path job = externalJob("e = {{ lj.epsilon }}\n");
        Path ro = Files.createDirectories(dir.resolve("ro-runs"));
        Files.writeString(job, Files.readString(job) + "execution: {run_directory: ro-runs/here}\n");
        try (org.chemfit.testfixtures.ReadOnlyFolder unused = org.chemfit.testfixtures.ReadOnlyFolder.of(ro)) {
            Cli.Run r = Cli.run("validate", job.toString());
            assertEquals(ExitCodes.USAGE, r.code(), r::toString);
            assertTrue(
                    r.err()
                            .contains(":13:28: execution run_directory " + ro.resolve("here")
                                    + " cannot be created or written: permission denied: " + ro
                                    + " is not writable by this user"),
                    r::toString);
        }
        Cli.Run ok = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, ok.code(), ok::toString);
    }

    @Test
    void atomsAtTheSamePlaceAreReportedWithTheirStructureFileAndCsvLineBeforeTheFit() throws IOException {
        Path job = twoDimerJob("same", "Ar 1 1 1\nAr 1 1 1\n");
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertFalse(r.err().contains("Atoms("), r::toString);
        assertTrue(
                r.err()
                        .contains(job + ":8:16: term 't' structure " + dir.resolve("same.xyz") + " ("
                                + dir.resolve("ref.csv") + " line 3, tag 'same'): atoms 1 (Ar) and 2 (Ar), counted"
                                + " from 1 in the file's order, are at the same place (0 Å apart)"),
                r::toString);
        assertFalse(Files.exists(dir.resolve("out")), "nothing ran: no output folder");
    }

    @Test
    void aParameterWithEqualBoundsIsFixedInTheFitsAnnouncementAndTable() throws IOException {
        String text = Files.readString(Cli.resource("jobs/lj.yaml"))
                .replace("sigma: {initial: 2.2, bounds: [1.0, 4.0]}", "sigma: {initial: 2.0, bounds: [2.0, 2.0]}")
                .replace("reference: data/energies.csv", "reference: " + Cli.resource("jobs/data/energies.csv"))
                .replace("max_evaluations: 400", "max_evaluations: 20");
        assertTrue(text.contains("bounds: [2.0, 2.0]"), text);
        Path job = dir.resolve("pinned.yaml");
        Files.writeString(job, text);
        Cli.Run v = Cli.run("validate", job.toString());
        assertTrue(v.out().contains("2 parameters (1 free)"), v::toString);
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(r.err().contains("fitting 2 parameters, 1 free, of pinned.yaml"), r::toString);
        String row = r.out()
                .lines()
                .filter(l -> l.startsWith("lj.sigma"))
                .findFirst()
                .orElseThrow();
        assertTrue(row.endsWith("fixed"), row);
    }

    /**
     * Writes a job of one external term, sim, whose template in.tmpl gives in.txt and whose command
     * writes out.txt.
     *
     * @param staging the term's lines that stage files ("" for none), each ending in a new line
     * @param command the command, as YAML
     */
    private static void externalJob(Path job, String staging, String command) throws IOException {
        Files.writeString(
                job,
                "parameters: {x: {initial: 1.0, bounds: [0.1, 10.0]}}\n"
                        + "terms:\n"
                        + "  - name: sim\n"
                        + "    kind: external\n"
                        + "    templates: {in.txt: in.tmpl}\n"
                        + staging
                        + "    command: " + command + "\n"
                        + "    outputs: {energy: {parser: regex, file: out.txt, pattern: 'e = (\\S+)'}}\n"
                        + "    reference: {energy: 1.0}\n"
                        + "output: {folder: out}\n");
    }

    /** A script beside the job file that the command names but the term does not stage is warned about. */
    @Test
    void aCommandsScriptBesideTheJobButNotStagedIsWarnedAbout() throws IOException {
        Files.createDirectories(dir.resolve("ext"));
        Files.writeString(dir.resolve("ext/sim.sh"), "cp in.txt out.txt\n");
        Files.writeString(dir.resolve("in.tmpl"), "e = {{ x }}\n");
        Path job = dir.resolve("job.yaml");
        for (String staging : List.of("", "    files: {ext/sim.sh: ext/sim.sh}\n", "    link: {ext: ext}\n")) {
            externalJob(job, staging, "[sh, ext/sim.sh, in.txt]");
            Cli.Run r = Cli.run("validate", job.toString());
            assertEquals(ExitCodes.OK, r.code(), r::toString);
            String warning = "warning: term 'sim' command 'sh ext/sim.sh in.txt': ext/sim.sh is a file beside the job"
                    + " file, but the command runs in the term's run directory, where it is not; stage it with"
                    + " files: {ext/sim.sh: ext/sim.sh}, or give its absolute path";
            assertEquals(staging.isEmpty(), r.err().contains(warning), () -> staging + "\n" + r);
            assertFalse(r.err().contains("in.txt is a file"), r::toString);
        }
    }

    /**
     * A script beside the job file run through a shell's {@code -c} is looked for by the shell in the run
     * directory: warned of unless staged, as the fix a redirection is told to take writes it.
     */
    @Test
    void aScriptBesideTheJobRunThroughAShellButNotStagedIsWarnedAbout() throws IOException {
        Path script = dir.resolve("sim.sh");
        Files.writeString(script, "#!/bin/sh\ncp in.txt out.txt\n");
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("in.tmpl"), "e = {{ x }}\n");
        Path job = dir.resolve("job.yaml");
        for (String staging : List.of("", "    files: {sim.sh: sim.sh}\n")) {
            externalJob(job, staging, "[sh, -c, \"./sim.sh > sim.log\"]");
            Cli.Run r = Cli.run("validate", job.toString());
            assertEquals(ExitCodes.OK, r.code(), r::toString);
            String warning = "warning: term 'sim' command 'sh -c ./sim.sh > sim.log': ./sim.sh is a file beside the job"
                    + " file, but the shell runs its code in the term's run directory, where it is not; stage it with"
                    + " files: {sim.sh: sim.sh}, or give its absolute path";
            assertEquals(staging.isEmpty(), r.err().contains(warning), () -> staging + "\n" + r);
        }
        // run as the warning says, the staged script runs and its output is read
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, eval.code(), eval::toString);
        // a script given to its interpreter inside the shell's code, and one named alone: warned of once each
        // and a shell behind a wrapper that runs the rest of the command as it is
        for (String command : List.of(
                "[sh, -c, \"sh sim.sh > sim.log\"]",
                "[bash, -lc, ./sim.sh]",
                "[timeout, -s, INT, 60, sh, -c, \"./sim.sh > sim.log\"]",
                "[env, OMP_NUM_THREADS=1, nice, -n, 5, bash, -c, ./sim.sh]")) {
            externalJob(job, "", command);
            Cli.Run r = Cli.run("validate", job.toString());
            assertEquals(ExitCodes.OK, r.code(), r::toString);
            assertEquals(
                    1,
                    r.err()
                            .lines()
                            .filter(l -> l.contains("is a file beside the job file, but"))
                            .count(),
                    () -> command + "\n" + r);
            assertTrue(r.err().contains("stage it with files: {sim.sh: sim.sh}"), () -> command + "\n" + r);
        }
    }

    /** A script out of the job's folder is staged under its file name, the only name a staged file may have. */
    @Test
    void aScriptOutOfTheJobsFolderIsToldToBeStagedUnderItsFileName() {
        assertEquals(
                "stage it with files: {sim.py: ../bin/sim.py} and name it sim.py in the command (./sim.py as the"
                        + " program)",
                FitPlan.stagingHint("../bin/sim.py"));
        assertEquals("stage it with files: {ext/sim.sh: ext/sim.sh}", FitPlan.stagingHint("./ext/sim.sh"));
    }

    /** The argon example with molecule_size 3: its 46 dimers of two atoms cannot be split into molecules of 3. */
    @Test
    void aMoleculeSizeThatSplitsNoStructureIsAProblemAtItsKey() throws IOException {
        Path argon = ExamplesIT.examples().resolve("argon");
        TestData.copyTree(argon.resolve("data"), dir.resolve("data"));
        Path job = dir.resolve("fit.yaml");
        String text = Files.readString(argon.resolve("fit.yaml"));
        assertTrue(text.contains("    kind: atoms\n"), text);
        Files.writeString(job, text.replace("    kind: atoms\n", "    kind: atoms\n    molecule_size: 3\n"));
        int line = (int) text.substring(0, text.indexOf("    kind: atoms\n"))
                        .lines()
                        .count()
                + 2;
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        Path dimers = dir.resolve("data/dimers");
        assertTrue(
                r.err()
                        .contains(
                                job + ":" + line + ":20: term 'ar2-curve' molecule_size 3 cannot split the atoms of 46"
                                        + " of the 46 structures of " + dir.resolve("data/ar2-energies.csv")
                                        + " into molecules of 3 atoms: " + dimers.resolve("ar2_3.30.xyz")
                                        + " (line 2, tag 'r3.30', 2 atoms), " + dimers.resolve("ar2_3.40.xyz")
                                        + " (line 3, tag 'r3.40', 2 atoms), " + dimers.resolve("ar2_3.50.xyz")
                                        + " (line 4, tag 'r3.50', 2 atoms) and 43 more; molecule_size must divide the"
                                        + " number of atoms of each structure\n"),
                r::toString);
        assertFalse(r.err().contains("error: "), r::toString);
    }

    /**
     * An output folder on a file system with less than 8 MiB left is warned of by {@code validate}:
     * a fit takes 4 MiB there for its journal's pending file before its first evaluation; below
     * 4 MiB the warning says the fit would stop at its start. A resume, whose pending file is made,
     * needs no such room.
     */
    @Test
    void anOutputFolderWithLittleRoomIsWarnedOf() throws IOException {
        Path out = dir.resolve("out");
        String none = OutputFolder.littleRoom(out, 1L << 20);
        assertEquals(
                "the file system of the output folder " + out + " has 1048576 bytes left, and chemfit fit needs"
                        + " 4194304 (4 MiB) there before its first evaluation, for its journal's file of pending"
                        + " records, and room for the journal and the results beyond it: the fit would stop at its"
                        + " start; free some room, or choose another output.folder (or chemfit fit --output)",
                none);
        String tight = String.valueOf(OutputFolder.littleRoom(out, 6L << 20));
        assertTrue(tight.contains(" has 6291456 bytes left, and chemfit fit needs 4194304 (4 MiB) there"), tight);
        assertFalse(tight.contains("would stop"), tight);
        assertEquals(null, OutputFolder.littleRoom(out, 8L << 20));
        // this machine's temporary folder has more than 8 MiB left: no word
        assertEquals(null, OutputFolder.littleRoom(out));
        Files.createDirectories(out);
        Files.write(out.resolve("journal.sqlite-pending"), new byte[0]);
        assertEquals(null, OutputFolder.littleRoom(out));
    }
}

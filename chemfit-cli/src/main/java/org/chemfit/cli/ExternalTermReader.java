package org.chemfit.cli;

import static org.chemfit.cli.JobKeys.MAX_RETRIES;
import static org.chemfit.cli.JobKeys.WAIT_KEYS;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chemfit.cli.JobFile.ExternalConfig;
import org.chemfit.external.OutputParsers;
import org.jspecify.annotations.NullUnmarked;
import org.jspecify.annotations.Nullable;

/**
 * Reads a {@code kind: external} term (templates, files, links, commands with their standard
 * input, environment, outputs, reference values, timeouts and retries) into a
 * {@link JobFile.ExternalConfig}.
 *
 * <pre>{@code
 * ExternalConfig x = new ExternalTermReader(reading, parserReader).read(termNode, "term 'dimer'");
 * }</pre>
 *
 * @implNote One instance per job file, used while it is read; not thread-safe.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class ExternalTermReader {

    private final JobReading r;
    private final ParserReader parsers;
    private final RunFilesReader runFiles;
    private final CommandsReader commands;

    ExternalTermReader(JobReading reading, ParserReader parsers) {
        this.r = reading;
        this.parsers = parsers;
        this.runFiles = new RunFilesReader(reading);
        this.commands = new CommandsReader(reading);
    }

    /**
     * @param outputs the outputs read so far (an output with a problem is not among them)
     * @param om the {@code outputs:} node
     * @param q a quantity
     * @return the parser and select of q's output when it gives one number on every run ("parser column,
     *     select: last"), or null when it gives a list, may give one (json), or has a problem
     */
    private static String oneNumber(List<ParserSpec> outputs, Node.MapNode om, String q) {
        for (ParserSpec p : outputs) {
            if (!p.quantity().equals(q)) {
                continue;
            }
            ParserSpec.Select select;
            String parser;
            if (p instanceof ParserSpec.Regex x) {
                select = x.select();
                parser = "regex";
            } else if (p instanceof ParserSpec.Column x) {
                select = x.select();
                parser = "column";
            } else if (p instanceof ParserSpec.LammpsThermo x) {
                select = x.select();
                parser = "lammps_thermo";
            } else if (p instanceof ParserSpec.Xvg x) {
                select = x.select();
                parser = "xvg";
            } else {
                // a json path gives what the file holds there: a number or a list
                return null;
            }
            if (select == ParserSpec.Select.ALL) {
                return null;
            }
            boolean given =
                    om != null && om.entries.get(q) instanceof Node.MapNode pm && pm.entries.containsKey("select");
            return "parser " + parser + ", select: " + JobKeys.word(select) + (given ? "" : ", the default");
        }
        return null;
    }

    ExternalConfig read(Node.MapNode t, String where) {
        Map<String, Path> templates = runFiles.stagedFiles(t.entries.get("templates"), where + " templates");
        // every template that is not UTF-8, each at its line, before any is compiled
        templates.values().forEach(p -> r.utf8(p, "a template"));
        Map<String, Path> files =
                runFiles.stagedFiles(t.entries.get("files"), where + " files", templates, where + " templates");
        Map<String, Path> links = runFiles.linkedFiles(t.entries.get("link"), where + " link", files, templates);
        nested(t, where, templates, files, links);
        Map<Integer, ExternalConfig.StdinSpec> stdin = new LinkedHashMap<>();
        List<Node> commandNodes = new ArrayList<>();
        List<List<String>> commands = this.commands.commands(t, where, stdin, commandNodes);
        List<String> launcher = t.entries.containsKey("launcher")
                ? this.commands.words(t.entries.get("launcher"), where + " launcher", true)
                : List.of();
        Map<String, Object> variables = new LinkedHashMap<>();
        if (t.entries.containsKey("variables")) {
            Node.MapNode vm = r.map(t.entries.get("variables"), where + " variables");
            if (vm != null) {
                for (Map.Entry<String, Node> e : vm.entries.entrySet()) {
                    int[] place = vm.keyPlaces.get(e.getKey());
                    if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                        r.problem(
                                place[0],
                                place[1],
                                where + " variable name '" + e.getKey()
                                        + "' must be an identifier (letters, digits, _)");
                    } else if (r.declared.contains(e.getKey())
                            || r.declared.stream().anyMatch(d -> d.startsWith(e.getKey() + "."))) {
                        r.problem(
                                place[0],
                                place[1],
                                where + " variable '" + e.getKey() + "' has the name of a parameter"
                                        + (r.declared.contains(e.getKey())
                                                ? ""
                                                : " group (a template reads the group's parameters as " + e.getKey()
                                                        + ".NAME)")
                                        + "; give the variable another name");
                    } else if (e.getValue() instanceof Node.Scalar sc && sc.value != null) {
                        variables.put(e.getKey(), sc.value);
                    } else {
                        r.problem(
                                e.getValue(),
                                where + " variable '" + e.getKey() + "' must be a number, a string or true/false, got "
                                        + e.getValue().kind());
                    }
                }
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        if (t.entries.containsKey("env")) {
            Node.MapNode em = r.map(t.entries.get("env"), where + " env");
            if (em != null) {
                for (Map.Entry<String, Node> e : em.entries.entrySet()) {
                    if (e.getKey().isEmpty()
                            || e.getKey().indexOf('=') >= 0
                            || e.getKey().indexOf('\0') >= 0) {
                        int[] place = em.keyPlaces.get(e.getKey());
                        r.problem(
                                place[0],
                                place[1],
                                where + " env name '" + org.chemfit.support.Excerpt.of(e.getKey())
                                        + "' is not an environment variable name: it must be non-empty, without '='");
                    } else if (e.getValue() instanceof Node.Scalar sc
                            && sc.value != null
                            && !(sc.value instanceof Boolean)) {
                        env.put(e.getKey(), String.valueOf(sc.value));
                    } else {
                        r.problem(
                                e.getValue(),
                                where + " env " + e.getKey() + " must be a string or a number, got "
                                        + e.getValue().kind());
                    }
                }
            }
        }
        programs(commands, commandNodes, where, env, files, templates, links);
        notTemplates(commands, commandNodes, launcher, t, where, templates, files, links, variables.keySet());
        if (!launcher.isEmpty()) {
            // the launcher runs first, in front of each command: its program must be there as theirs must
            program(
                    launcher.get(0),
                    t.entries.get("launcher"),
                    where + " launcher",
                    env,
                    files,
                    templates,
                    links,
                    List.of());
        }
        List<ParserSpec> outputs = new ArrayList<>();
        Node on = r.require(t, "outputs", where);
        Node.MapNode om = on == null ? null : r.map(on, where + " outputs");
        if (om != null) {
            if (om.entries.isEmpty()) {
                r.problem(om, where + " outputs must name at least one quantity");
            }
            for (Map.Entry<String, Node> e : om.entries.entrySet()) {
                ParserSpec parsed = parsers.read(e.getKey(), e.getValue(), where + " output '" + e.getKey() + "'");
                if (parsed != null) {
                    outputs.add(parsed);
                    warnStandardStream(e, where, commands, templates, files, links);
                    warnStaged(e, where, templates, files, links);
                }
            }
        }
        Map<String, double[]> reference = new LinkedHashMap<>();
        Node rn = r.require(t, "reference", where);
        Node.MapNode rm;
        if (rn instanceof Node.Scalar sc && sc.value instanceof String file) {
            // a file, as an atoms term's reference is: said with what an external term takes
            r.problem(
                    rn,
                    where + " reference must be a map of each output to its reference values, got a string ('"
                            + org.chemfit.support.Excerpt.of(file) + "'): an external term's reference values are"
                            + " written in the job file ({"
                            + (om != null && !om.entries.isEmpty()
                                    ? om.entries.keySet().iterator().next()
                                    : "y")
                            + ": [1.0, 2.5, 3.7]}); a reference CSV of structures is read by kind: atoms");
            rm = null;
        } else {
            rm = rn == null ? null : r.map(rn, where + " reference");
        }
        if (rm != null) {
            for (Map.Entry<String, Node> e : rm.entries.entrySet()) {
                String q = e.getKey();
                int[] place = rm.keyPlaces.get(q);
                if (om != null && !om.entries.containsKey(q)) {
                    // the outputs no reference names yet are the likely ones (y3 for y2, with y1 given)
                    List<String> free = new ArrayList<>(om.entries.keySet());
                    free.removeAll(rm.entries.keySet());
                    String sug = JobReading.suggest(q, free.isEmpty() ? om.entries.keySet() : free);
                    r.problem(
                            place[0],
                            place[1],
                            where + " reference names '" + q + "', which no output computes"
                                    + (sug == null ? "" : " (did you mean '" + sug + "'?)") + "; outputs: "
                                    + String.join(", ", om.entries.keySet()));
                    continue;
                }
                Node v = e.getValue();
                if (v instanceof Node.ListNode l) {
                    double[] a = new double[l.items.size()];
                    boolean good = !l.items.isEmpty();
                    for (int k = 0; k < a.length; k++) {
                        Double d = r.finite(l.items.get(k), where + " reference '" + q + "'[" + k + "]");
                        if (d == null) {
                            good = false;
                        } else {
                            a[k] = d;
                        }
                    }
                    if (l.items.isEmpty()) {
                        r.problem(v, where + " reference '" + q + "' must not be an empty list");
                    }
                    String one = a.length > 1 ? oneNumber(outputs, om, q) : null;
                    if (one != null) {
                        // every run would fail at step parse: said here, before any runs
                        r.problem(
                                v,
                                where + " reference '" + q + "' has " + a.length + " values, but output '" + q
                                        + "' (" + one + ") gives one number on every run; give it one reference"
                                        + " value, or read a list with select: all");
                        good = false;
                    }
                    if (good) {
                        reference.put(q, a);
                    }
                } else {
                    Double d = r.finite(v, where + " reference '" + q + "'");
                    if (d != null) {
                        reference.put(q, new double[] {d});
                    }
                }
            }
            if (rm.entries.isEmpty()) {
                r.problem(rm, where + " reference must give at least one reference value");
            }
            if (om != null) {
                for (String q : om.entries.keySet()) {
                    int[] at = om.keyPlaces.get(q);
                    if (!rm.entries.containsKey(q) && at != null) {
                        r.warnings.add(r.shown + ":" + at[0] + ":" + at[1] + ": " + where + " output '" + q
                                + "' has no reference value: it is computed and recorded, but counts in no loss");
                    }
                }
            }
        }
        Duration timeout =
                t.entries.containsKey("timeout") ? r.duration(t.entries.get("timeout"), where + " timeout") : null;
        boolean privateTmp = t.entries.containsKey("private_tmpdir")
                && Boolean.TRUE.equals(r.bool(t.entries.get("private_tmpdir"), where + " private_tmpdir"));
        ExternalConfig.WaitSpec wait =
                t.entries.containsKey("wait_for_files") ? waitForFiles(t.entries.get("wait_for_files"), where) : null;
        Duration killGrace =
                t.entries.containsKey("kill_grace") ? grace(t.entries.get("kill_grace"), where + " kill_grace") : null;
        Integer retries = r.optInt(t, "retries", where + " retries", 0, MAX_RETRIES);
        if (retries != null && retries > MAX_RETRIES) {
            r.problem(t.entries.get("retries"), where + " retries must be at most " + MAX_RETRIES + ", got " + retries);
        }
        return new ExternalConfig(
                templates,
                variables,
                files,
                links,
                commands,
                launcher,
                env,
                privateTmp,
                outputs,
                reference,
                timeout,
                wait,
                killGrace,
                retries == null ? 0 : Math.min(retries, MAX_RETRIES),
                stdin,
                logFiles(t.entries.get("log_files"), where));
    }

    /**
     * Each command's program must be there before anything runs: a name is looked up on the PATH
     * (the term's {@code env} PATH when it gives one), unless it is an alias of {@code programs},
     * which is looked up there; a path with a slash is taken relative to the job file's folder and
     * must be an executable file, unless the term stages a file of that name into the run
     * directory (the keys files, templates and link of the term).
     */
    private void programs(
            List<List<String>> commands,
            List<Node> nodes,
            String where,
            Map<String, String> env,
            Map<String, Path> files,
            Map<String, Path> templates,
            Map<String, Path> links) {
        for (int i = 0; i < commands.size() && i < nodes.size(); i++) {
            String spaced = spacedProgram(commands.get(i), nodes.get(i));
            if (spaced != null) {
                r.problem(
                        nodes.get(i),
                        where + (commands.size() > 1 ? " commands[" + i + "]" : " command") + ": program '"
                                + commands.get(i).get(0) + "' does not exist, but '" + spaced + "' does: a command"
                                + " written as a string is split at spaces; write it as a list, whose words are"
                                + " taken whole (command: [\"" + spaced + "\", ...])");
                continue;
            }
            program(
                    commands.get(i).get(0),
                    nodes.get(i),
                    where + (commands.size() > 1 ? " commands[" + i + "]" : " command"),
                    env,
                    files,
                    templates,
                    links,
                    commands.subList(0, i));
        }
    }

    /**
     * Refuses a run-directory name that lies inside another the term stages ({@code pots/in.txt}
     * beside {@code link: {pots: pots}}): each is written in turn, so the second finds the first in
     * its way and every run fails; or, inside a linked folder, it would be written into the user's
     * own folder.
     */
    private void nested(
            Node term, String where, Map<String, Path> templates, Map<String, Path> files, Map<String, Path> links) {
        Map<String, String> keyOf = new LinkedHashMap<>();
        Map<String, Path> sourceOf = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Path>> k :
                List.of(Map.entry("templates", templates), Map.entry("files", files), Map.entry("link", links))) {
            for (Map.Entry<String, Path> e : k.getValue().entrySet()) {
                String name;
                try {
                    name = Path.of(e.getKey()).normalize().toString();
                } catch (java.nio.file.InvalidPathException bad) {
                    continue; // said where the name is read
                }
                keyOf.putIfAbsent(name, k.getKey());
                sourceOf.putIfAbsent(name, e.getValue());
            }
        }
        for (String inner : keyOf.keySet()) {
            for (String outer : keyOf.keySet()) {
                if (inner.startsWith(outer + "/")) {
                    r.problem(
                            term,
                            where + " " + keyOf.get(inner) + " puts '" + inner + "' inside '" + outer + "', which "
                                    + keyOf.get(outer) + " stages (from " + sourceOf.get(outer) + "): a name in the run"
                                    + " directory cannot lie inside another that the term stages, since one of the two"
                                    + " would find the other in its way; give it a name of its own ('"
                                    + inner.substring(inner.lastIndexOf('/') + 1) + "')"
                                    + (keyOf.get(outer).equals("link")
                                            ? ", or stage the linked folder's files one by one"
                                            : ""));
                }
            }
        }
    }

    /**
     * Warns of a tag of the template language (<code>{{ p }}</code>, <code>{% if %}</code>) in a
     * command's word, the launcher's or a name in the run directory: those are taken as written,
     * not rendered, so the program would get the tag's text, not the parameter's value.
     */
    private void notTemplates(
            List<List<String>> commands,
            List<Node> nodes,
            List<String> launcher,
            Node term,
            String where,
            Map<String, Path> templates,
            Map<String, Path> files,
            Map<String, Path> links,
            java.util.Set<String> variables) {
        java.util.function.Predicate<String> tag = text -> tag(text, variables);
        String advice = ": only the files given under templates are rendered; write the value into one of them"
                + " (a script that runs the program, or an input file it reads)";
        for (int i = 0; i < commands.size() && i < nodes.size(); i++) {
            for (String word : commands.get(i)) {
                if (tag.test(word)) {
                    Node n = nodes.get(i);
                    r.warnings.add(r.shown + ":" + n.line + ":" + n.column + ": " + where
                            + (commands.size() > 1 ? " commands[" + i + "]" : " command") + ": the word '"
                            + org.chemfit.support.Excerpt.of(word)
                            + "' reaches the program as it is written, tag and all: a command is not a template"
                            + advice);
                    break;
                }
            }
        }
        for (String word : launcher) {
            if (tag.test(word)) {
                r.warnings.add(r.shown + ":" + term.line + ":" + term.column + ": " + where + " launcher: the word '"
                        + org.chemfit.support.Excerpt.of(word)
                        + "' reaches the program as it is written, tag and all: a launcher is not a template" + advice);
                break;
            }
        }
        for (Map<String, Path> staged : List.of(templates, files, links)) {
            for (String name : staged.keySet()) {
                if (tag.test(name)) {
                    r.warnings.add(r.shown + ":" + term.line + ":" + term.column + ": " + where + ": the run-directory"
                            + " name '" + org.chemfit.support.Excerpt.of(name) + "' is a file of that very name, tag"
                            + " and all: names in the run directory are not rendered; give the file a fixed name");
                }
            }
        }
    }

    /**
     * @return whether the text holds a tag of these templates: <code>{{ name</code> of a parameter,
     *     a group of them or a variable of the term, or <code>{% if</code>, <code>for</code> or
     *     <code>set</code>; not another program's braces (Go's <code>{{.Id}}</code>, Python's
     *     <code>f'{{x}}'</code>, <code>printf '{%s}'</code>)
     */
    private boolean tag(String text, java.util.Set<String> variables) {
        java.util.regex.Matcher m = TAG_NAME.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            if (name == null) {
                return true; // {% if, for, set
            }
            if (variables.contains(name)
                    || r.declared.contains(name)
                    || r.declared.stream().anyMatch(d -> d.startsWith(name + "."))) {
                return true;
            }
        }
        return false;
    }

    private static final java.util.regex.Pattern TAG_NAME =
            java.util.regex.Pattern.compile("\\{\\{-?\\s*([A-Za-z_][A-Za-z0-9_.]*)|\\{%-?\\s*(?:if|for|set)\\s");

    /**
     * @param words a command's words
     * @param node where it is written
     * @return for a command written as one string whose program, a path, is not there: the first
     *     words joined by spaces when they name a file beside the job file ({@code ./exec model.py}
     *     split into {@code ./exec} and {@code model.py}), else null
     */
    private @Nullable String spacedProgram(List<String> words, Node node) {
        if (!(node instanceof Node.Scalar sc) || !(sc.value instanceof String) || words.size() < 2) {
            return null;
        }
        String program = words.get(0);
        try {
            if (!program.contains("/") || java.nio.file.Files.exists(r.folder.resolve(program))) {
                return null;
            }
            for (int k = 2; k <= words.size(); k++) {
                String joined = String.join(" ", words.subList(0, k));
                if (java.nio.file.Files.exists(r.folder.resolve(joined))) {
                    return joined;
                }
            }
        } catch (java.nio.file.InvalidPathException e) {
            return null; // said by the program's own check
        }
        return null;
    }

    /**
     * @param source the file a term stages
     * @param linked whether the run directory links it (else it is copied or rendered: the copy is
     *     the user's own, with the source's mode)
     * @return whether the staged file can be run: a link runs the source itself, so this user must
     *     be able to run it; a copy is the user's, so the source's owner execute bit decides
     */
    private static boolean stagedExecutable(Path source, boolean linked) {
        if (linked) {
            return java.nio.file.Files.isExecutable(source);
        }
        try {
            return java.nio.file.Files.getPosixFilePermissions(source)
                    .contains(java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
        } catch (UnsupportedOperationException | java.io.IOException e) {
            return true; // no POSIX permissions to read: the run says what it finds
        }
    }

    /** @return whether two paths name one file (false when either cannot be read) */
    private static boolean sameFile(Path a, Path b) {
        try {
            return java.nio.file.Files.isSameFile(a, b);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** @return whether a word of these commands names this file ({@code chmod +x run.sh}, or in a shell's text) */
    private static boolean named(List<List<String>> commands, String file) {
        for (List<String> c : commands) {
            for (String word : c) {
                if (word.contains(file)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** @return the key a program is written under, by the key in words ("term 'md' launcher") */
    private static String keyOf(String w) {
        return w.endsWith(" launcher") ? "launcher" : "command";
    }

    /**
     * One program, of a command or of the launcher, checked as {@link #programs} says.
     *
     * @param program the program as written
     * @param node where it is written
     * @param w the key in words ("term 'md' command", "term 'md' launcher")
     * @param env the term's environment (its PATH, when it gives one, is searched)
     * @param files the files the term stages, by run-directory name
     * @param templates the templates the term writes, by run-directory name
     * @param links the files the term links, by run-directory name
     * @param before the term's commands that run before this one (one of them may make a staged
     *     script executable: {@code [chmod, +x, run.sh]})
     */
    private void program(
            String program,
            Node node,
            String w,
            Map<String, String> env,
            Map<String, Path> files,
            Map<String, Path> templates,
            Map<String, Path> links,
            List<List<String>> before) {
        if (r.programAliases.contains(program)) {
            return; // looked up with the other names of its alias
        }
        if (program.contains("/")) {
            String stagedBy = ExternalTerms.stagedBy(program, files, templates, links);
            if (stagedBy != null) {
                // a file of the run directory, which has its source's execute bits: a copy, a link to
                // it or to a folder that holds it, or a rendered template (which is given them)
                String staged = java.nio.file.Path.of(program).normalize().toString();
                String key =
                        templates.containsKey(stagedBy) ? "templates" : files.containsKey(stagedBy) ? "files" : "link";
                Path source = (templates.containsKey(stagedBy)
                                ? templates
                                : files.containsKey(stagedBy) ? files : links)
                        .get(stagedBy);
                String within = java.nio.file.Path.of(stagedBy).normalize().toString();
                if (!within.equals(staged)) {
                    source = source.resolve(staged.substring(within.length() + 1)); // inside a linked folder
                }
                if (java.nio.file.Files.isRegularFile(source)
                        && !stagedExecutable(source, key.equals("link"))
                        // a chmod of a copy is the run's own; of a link, it would change the user's source
                        && (key.equals("link")
                                || !named(
                                        before,
                                        java.nio.file.Path.of(staged)
                                                .getFileName()
                                                .toString()))) {
                    r.problem(
                            node,
                            w + ": program '" + program + "' is not executable: it is staged by " + key + " '"
                                    + staged + "' from " + source + ", which is not, and a staged file has its"
                                    + " source's permissions" + notExecutableHint(source, staged, keyOf(w)));
                } else {
                    warnNoInterpreterLine(program, node, w, source, staged);
                }
                Path beside = r.folder.resolve(staged).normalize();
                if (java.nio.file.Files.isRegularFile(beside) && !sameFile(beside, source)) {
                    r.warnings.add(r.shown + ":" + node.line + ":" + node.column + ": " + w + ": program '" + program
                            + "' runs the file the term stages into its run directory (" + key + " '" + stagedBy
                            + "', from " + source + "), not the file of that name beside the job file, " + beside
                            + "; name that one by its absolute path, or stage it, to run it");
                }
                return;
            }
            Path p = r.folder.resolve(program).normalize();
            String unreachable = java.nio.file.Files.exists(p) ? null : JobReading.unreachable(p);
            if (unreachable != null) {
                r.problem(node, w + ": program '" + program + "' " + unreachable + ": " + p);
            } else if (!java.nio.file.Files.exists(p)) {
                r.problem(
                        node,
                        w + ": program '" + program + "' does not exist: " + p
                                + " (a path with a '/' is taken relative to the job file's folder, or names a file"
                                + " the term stages into the run directory with files, templates or link)"
                                + JobReading.separatorHint(program));
            } else if (java.nio.file.Files.isDirectory(p)) {
                r.problem(node, w + ": program '" + program + "' is a folder, not a program: " + p);
            } else if (!java.nio.file.Files.isExecutable(p)) {
                r.problem(
                        node,
                        w + ": program '" + program + "' is not executable: " + p
                                + notExecutableHint(p, null, keyOf(w)));
            } else {
                warnNoInterpreterLine(program, node, w, p, p.toString());
            }
            return;
        }
        String path = env.getOrDefault("PATH", System.getenv().getOrDefault("PATH", ""));
        long folders = java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
                .filter(d -> !d.isEmpty())
                .count();
        if (ExternalTerms.findOnPath(program, path) == null) {
            r.problem(
                    node,
                    w + ": program '" + program + "' is not found on the PATH (" + Tables.count(folders, "folder")
                            + " searched"
                            + (env.containsKey("PATH") ? ", from the term's env PATH" : "")
                            + "); install it, give its path, or name it under programs"
                            + JobReading.separatorHint(program));
        }
    }

    /**
     * Warns of a script of an interpreter's language (by its extension: {@code .py}, {@code .pl},
     * {@code .rb}, {@code .R}, {@code .jl}, {@code .js}, {@code .lua}, {@code .tcl}, {@code .bash})
     * whose first line is no {@code #!} line naming its interpreter: the system cannot start such a
     * file itself, and Java runs it with {@code /bin/sh}, which fails on its first line that is not
     * shell ({@code model.py: 1: import: not found}); and of one whose {@code #!} line the system
     * cannot read: after a UTF-8 byte-order mark, or ending in CR LF. A warning, not a refusal: the
     * script may be shell after all. A template that opens with a tag is not looked at.
     *
     * @param program the program as written
     * @param node where it is written
     * @param w the key in words
     * @param script the file (a staged file's source)
     * @param shown how the interpreter's command names it (its name in the run directory, or its path)
     */
    private void warnNoInterpreterLine(String program, Node node, String w, Path script, String shown) {
        String name = script.getFileName().toString();
        String ext = name.lastIndexOf('.') > 0 ? name.substring(name.lastIndexOf('.') + 1) : "";
        String interpreter =
                switch (ext.equals("R") || ext.equals("r") ? "R" : ext.toLowerCase(java.util.Locale.ROOT)) {
                    case "py" -> "python3";
                    case "pl" -> "perl";
                    case "rb" -> "ruby";
                    case "R" -> "Rscript";
                    case "jl" -> "julia";
                    case "js" -> "node";
                    case "lua" -> "lua";
                    case "tcl" -> "tclsh";
                    case "bash" -> "bash";
                    default -> null;
                };
        if (!java.nio.file.Files.isRegularFile(script)) {
            return;
        }
        byte[] head = new byte[256];
        int n;
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(script)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (java.io.IOException e) {
            return; // said elsewhere, when it runs
        }
        boolean binary = n >= 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
        // a template may open with a tag that renders its first line
        boolean tag = n >= 2 && head[0] == '{' && (head[1] == '%' || head[1] == '{' || head[1] == '#');
        if (binary || tag || n == 0) {
            return;
        }
        boolean bom = n >= 3 && (head[0] & 0xff) == 0xef && (head[1] & 0xff) == 0xbb && (head[2] & 0xff) == 0xbf;
        int at = bom ? 3 : 0;
        boolean interpreterLine = n >= at + 2 && head[at] == '#' && head[at + 1] == '!';
        String first = new String(head, 0, n, java.nio.charset.StandardCharsets.UTF_8);
        int end = first.indexOf('\n');
        String where = r.shown + ":" + node.line + ":" + node.column + ": " + w + ": program '" + program + "'";
        if (interpreter == null && interpreterLine) {
            // no language by its extension (run.sh, a script without one): the #! line names it;
            // the mark is three bytes but one character of the decoded text
            int from = (bom ? 1 : 0) + 2;
            interpreter =
                    interpreterOf(first.substring(Math.min(from, first.length()), end >= from ? end : first.length()));
        }
        if (interpreter == null) {
            return;
        }
        String through = "run it through " + interpreter + " instead: [" + interpreter + ", " + shown + "]";
        if (interpreterLine && bom) {
            r.warnings.add(where + " begins with a byte-order mark before its #! line, so the system does not see"
                    + " the line and runs it under /bin/sh: save it as UTF-8 without the mark, or " + through);
        } else if (interpreterLine && end > 0 && first.charAt(end - 1) == '\r') {
            r.warnings.add(where + " has a #! line that ends with a Windows line end (CR LF), so the system looks"
                    + " for an interpreter whose name ends in a carriage return: convert it (dos2unix), or " + through);
        } else if (!interpreterLine) {
            r.warnings.add(where + " has no #! line naming its interpreter, so it would run under /bin/sh, not "
                    + interpreter + " (by its extension ." + ext + "); make its first line #!/usr/bin/env "
                    + interpreter + ", or " + through);
        }
    }

    /**
     * @param line a #! line after its {@code #!}, perhaps with its carriage return
     * @return the interpreter it names ({@code /bin/sh}, or {@code python3} for {@code /usr/bin/env
     *     python3}), or null when it names none
     */
    private static @Nullable String interpreterOf(String line) {
        String[] words = line.strip().split("\\s+");
        if (words.length == 0 || words[0].isEmpty()) {
            return null;
        }
        if (words[0].endsWith("/env")) {
            for (int i = 1; i < words.length; i++) {
                if (!words[i].startsWith("-")) {
                    return words[i]; // env -S python3
                }
            }
            return null;
        }
        return words[0];
    }

    /**
     * The advice for a script that is not executable: chmod +x, or the interpreter its first line
     * names ({@code #!/usr/bin/env python3}, {@code #!/bin/bash}), or, without such a line, the one
     * its extension suggests (.py, .sh).
     *
     * @param p the script
     * @return such as {@code " (make it so with chmod +x, or run it through its interpreter, such as
     *     command: [python3, /a/sim.py]: ...)"}
     */
    static String notExecutableHint(Path p) {
        return notExecutableHint(p, null, "command");
    }

    /**
     * The advice of {@link #notExecutableHint(Path)}, for a script the term stages into the run
     * directory, where its interpreter finds it by its run-directory name.
     *
     * @param p the script, or the source of the staged file
     * @param staged its name in the run directory, or null when it is not staged
     * @param key the key that runs it: {@code command}, or {@code launcher}
     * @return such as {@code " (make it so with chmod +x, or run it through its interpreter, such as
     *     command: [python3, sim.py]: ...)"}
     */
    static String notExecutableHint(Path p, @Nullable String staged, String key) {
        List<String> interpreter = shebang(p);
        String from = "its first line names it";
        if (interpreter.isEmpty()) {
            String name = p.getFileName().toString();
            String ext = name.lastIndexOf('.') > 0 ? name.substring(name.lastIndexOf('.') + 1) : "";
            from = "by its extension ." + ext;
            interpreter = switch (ext) {
                case "py" -> List.of("python3");
                case "sh" -> List.of("sh");
                case "bash" -> List.of("bash");
                default -> List.of();
            };
        }
        if (interpreter.isEmpty()) {
            return " (make it so with chmod +x; its first line names no interpreter)";
        }
        if (staged != null) {
            return " (make it so with chmod +x, or run it through its interpreter (" + from + "), such as " + key
                    + ": ["
                    + String.join(", ", interpreter) + ", " + staged + "]: the interpreter's arguments are taken in"
                    + " the run directory, where the term stages it)";
        }
        return " (make it so with chmod +x, or run it through its interpreter (" + from + "), such as " + key + ": ["
                + String.join(", ", interpreter) + ", " + p + "]: the interpreter's arguments are taken in the run"
                + " directory, so give the script's absolute path, or stage it with files)";
    }

    /**
     * @param p a script
     * @return the interpreter and its arguments its {@code #!} line names ({@code #!/usr/bin/env
     *     python3} gives python3, {@code #!/opt/conda/bin/python3} that path), or nothing for a file
     *     without such a line or that cannot be read
     */
    private static List<String> shebang(Path p) {
        byte[] head = new byte[256];
        int n;
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(p)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (java.io.IOException e) {
            return List.of();
        }
        String first = new String(head, 0, n, java.nio.charset.StandardCharsets.UTF_8)
                .lines()
                .findFirst()
                .orElse("");
        if (!first.startsWith("#!")) {
            return List.of();
        }
        List<String> words = new ArrayList<>(List.of(first.substring(2).trim().split("\\s+")));
        words.removeIf(String::isEmpty);
        if (words.isEmpty()) {
            return List.of();
        }
        // the interpreter as the line names it (#!/opt/conda/bin/python3 is not the python3 of the PATH),
        // unless through env, which looks it up on the PATH as a command does
        if (words.get(0).substring(words.get(0).lastIndexOf('/') + 1).equals("env")) {
            words.remove(0);
            while (!words.isEmpty()
                    && (words.get(0).startsWith("-") || words.get(0).contains("="))) {
                words.remove(0); // env's options (-S) and variables
            }
        }
        return words;
    }

    /**
     * Warns of an output whose file is named for a standard stream ({@code file: stdout}) that the
     * term does not stage: a program's standard output and error are saved as {@code
     * program.stdout} and {@code program.stderr} (numbered when the term runs several commands), not
     * under that name. A warning, not a refusal: a command may write such a file itself, and none
     * is given when a word of a command names the file ({@code sh -c "prog > stdout.txt"}).
     *
     * @param output the output's name and node
     * @param where the term, for the message
     * @param commandWords the words of the commands the term runs
     * @param templates the templates the term writes, by run-directory name
     * @param files the files it copies
     * @param links the files it links
     */
    private void warnStandardStream(
            Map.Entry<String, Node> output,
            String where,
            List<List<String>> commandWords,
            Map<String, Path> templates,
            Map<String, Path> files,
            Map<String, Path> links) {
        int commands = commandWords.size();
        if (!(output.getValue() instanceof Node.MapNode m)
                || !(m.entries.get("file") instanceof Node.Scalar f)
                || !(f.value instanceof String name)) {
            return;
        }
        String stream = OutputParsers.standardStream(name);
        if (stream == null
                || commands == 0
                || templates.containsKey(name)
                || files.containsKey(name)
                || links.containsKey(name)
                || commandWords.stream().flatMap(List::stream).anyMatch(w -> names(w, name))) {
            return;
        }
        StringBuilder saved = new StringBuilder();
        for (int i = 1; i <= commands; i++) {
            saved.append(saved.length() == 0 ? "" : i == commands ? " and " : ", ")
                    .append(commands == 1 ? "program" : "program" + i)
                    .append('.')
                    .append(stream);
        }
        r.warnings.add(r.shown + ":" + f.line + ":" + f.column + ": " + where + " output '" + output.getKey()
                + "' file '" + name + "' is no file the term writes, and a program's "
                + (stream.equals("stdout") ? "standard output" : "standard error") + " is saved in the run"
                + " directory as " + saved + (commands > 1 ? " (one per command)" : "") + ", not as '" + name
                + "': name that file, unless a command writes '" + name + "' itself");
    }

    /**
     * Warns of an output whose file the term also stages (the job keys files, templates and link),
     * or that lies in a folder it stages: the staged file is there before the program
     * runs, so a program that fails to write the file leaves it to be read, and the run gives the
     * staged values, not the program's, without a word. A warning, not a refusal: a program may mean
     * to rewrite the file it is given.
     *
     * @param output the output's name and node
     * @param where the term, for the message
     * @param templates the templates the term writes, by run-directory name
     * @param files the files it copies
     * @param links the files it links
     */
    private void warnStaged(
            Map.Entry<String, Node> output,
            String where,
            Map<String, Path> templates,
            Map<String, Path> files,
            Map<String, Path> links) {
        if (!(output.getValue() instanceof Node.MapNode m)
                || !(m.entries.get("file") instanceof Node.Scalar f)
                || !(f.value instanceof String name)) {
            return;
        }
        Path file;
        try {
            file = Path.of(name).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            return; // said by the output's own check
        }
        for (Map.Entry<String, Map<String, Path>> kind :
                List.of(Map.entry("templates", templates), Map.entry("files", files), Map.entry("link", links))) {
            for (Map.Entry<String, Path> staged : kind.getValue().entrySet()) {
                Path target;
                try {
                    target = Path.of(staged.getKey()).normalize();
                } catch (java.nio.file.InvalidPathException e) {
                    continue;
                }
                boolean same = file.equals(target);
                // a file in a staged folder only when the folder holds it: else a run that writes nothing fails
                if (!same
                        && !(file.startsWith(target)
                                && java.nio.file.Files.isDirectory(staged.getValue())
                                && java.nio.file.Files.exists(staged.getValue()
                                        .resolve(target.relativize(file).toString())))) {
                    continue;
                }
                r.warnings.add(r.shown + ":" + f.line + ":" + f.column + ": " + where + " output '" + output.getKey()
                        + "' file '" + name + "' is " + (same ? "a file" : "in a folder") + " the term also stages ("
                        + kind.getKey() + " '" + staged.getKey() + "', from " + staged.getValue() + "): if the"
                        + " program does not write " + (same ? "that file" : "'" + name + "'") + ", the parser reads"
                        + " the staged file, from before the run, and the run gives its values as the program's;"
                        + " stage it under another name, unless the program is meant to rewrite it");
                return;
            }
        }
    }

    /**
     * @param word a word of a command
     * @param file a file's name
     * @return whether the word names the file: holds it with no letter, digit or one of {@code
     *     ._-} on either side ({@code stdout}, {@code >stdout}, {@code "prog > ./stdout"}, but not
     *     {@code program.stdout} or {@code stdout2})
     */
    private static boolean names(String word, String file) {
        for (int i = word.indexOf(file); i >= 0; i = word.indexOf(file, i + 1)) {
            int end = i + file.length();
            if ((i == 0 || !partOfName(word.charAt(i - 1)))
                    && (end == word.length() || !partOfName(word.charAt(end)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean partOfName(char c) {
        return Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-';
    }

    /** {@code log_files}: a path or a list of paths in the run directory, each named once. */
    private List<String> logFiles(Node n, String where) {
        List<String> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        String w = where + " log_files";
        List<Node> items = n instanceof Node.ListNode l ? l.items : List.of(n);
        for (Node item : items) {
            String f = r.string(item, w);
            if (f == null) {
                continue;
            }
            String normal;
            try {
                normal = Path.of(f).normalize().toString();
            } catch (java.nio.file.InvalidPathException e) {
                normal = "..";
            }
            if (f.startsWith("/") || normal.equals("..") || normal.startsWith("../") || normal.isEmpty()) {
                r.problem(
                        item,
                        w + " must name files relative to the run directory that stay inside it, got '" + f + "'");
            } else if (out.contains(normal)) {
                r.problem(item, w + " names '" + f + "' twice");
            } else {
                out.add(normal);
            }
        }
        return out;
    }

    /** {@code wait_for_files}: {files: a path or a list of paths in the run directory, timeout: duration}. */
    private ExternalConfig.WaitSpec waitForFiles(Node n, String where) {
        String w = where + " wait_for_files";
        Node.MapNode m = r.map(n, w);
        if (m == null) {
            return null;
        }
        r.keys(m, w, WAIT_KEYS);
        Node fn = r.require(m, "files", w);
        Node tn = r.require(m, "timeout", w);
        List<String> files = new ArrayList<>();
        if (fn != null) {
            List<Node> items = fn instanceof Node.ListNode l ? l.items : List.of(fn);
            if (items.isEmpty()) {
                r.problem(fn, w + " files must name at least one file");
            }
            for (Node item : items) {
                String f = r.string(item, w + " files");
                if (f == null) {
                    continue;
                }
                if (f.startsWith("/") || Path.of(f).normalize().startsWith("..")) {
                    r.problem(
                            item,
                            w + " file must be relative to the run directory and stay inside it, got '" + f + "'");
                } else {
                    files.add(f);
                }
            }
        }
        Duration limit = tn == null ? null : r.duration(tn, w + " timeout");
        return files.isEmpty() || limit == null ? null : new ExternalConfig.WaitSpec(files, limit);
    }

    /** {@code kill_grace}: a duration that may be 0 (SIGKILL at once), {@code 0} or {@code 0s}. */
    private Duration grace(Node n, String where) {
        return r.duration(n, where, true);
    }
}

package org.chemfit.cli;

import static org.chemfit.cli.JobKeys.COMMAND_KEYS;
import static org.chemfit.cli.JobKeys.MAX_RETRIES;
import static org.chemfit.cli.JobKeys.WAIT_KEYS;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.chemfit.cli.JobFile.ExternalConfig;

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
final class ExternalTermReader {

    private final JobReading r;
    private final ParserReader parsers;

    ExternalTermReader(JobReading reading, ParserReader parsers) {
        this.r = reading;
        this.parsers = parsers;
    }

    ExternalConfig read(Node.MapNode t, String where) {
        Map<String, Path> templates = stagedFiles(t.entries.get("templates"), where + " templates");
        Map<String, Path> files = stagedFiles(t.entries.get("files"), where + " files");
        Map<String, Path> links = linkedFiles(t.entries.get("link"), where + " link", files, templates);
        Map<Integer, ExternalConfig.StdinSpec> stdin = new LinkedHashMap<>();
        List<List<String>> commands = commands(t, where, stdin);
        List<String> launcher = t.entries.containsKey("launcher") ? words(t.entries.get("launcher"), where + " launcher", true)
                : List.of();
        Map<String, Object> variables = new LinkedHashMap<>();
        if (t.entries.containsKey("variables")) {
            Node.MapNode vm = r.map(t.entries.get("variables"), where + " variables");
            if (vm != null) {
                for (Map.Entry<String, Node> e : vm.entries.entrySet()) {
                    int[] place = vm.keyPlaces.get(e.getKey());
                    if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                        r.problem(place[0], place[1], where + " variable name '" + e.getKey() + "' must be an identifier (letters, digits, _)");
                    } else if (r.declared.contains(e.getKey()) || r.declared.stream().anyMatch(d -> d.startsWith(e.getKey() + "."))) {
                        r.problem(place[0], place[1], where + " variable '" + e.getKey() + "' has the name of a parameter");
                    } else if (e.getValue() instanceof Node.Scalar sc && sc.value != null) {
                        variables.put(e.getKey(), sc.value);
                    } else {
                        r.problem(e.getValue(), where + " variable '" + e.getKey() + "' must be a number, a string or true/false, got "
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
                    if (e.getValue() instanceof Node.Scalar sc && sc.value != null && !(sc.value instanceof Boolean)) {
                        env.put(e.getKey(), String.valueOf(sc.value));
                    } else {
                        r.problem(e.getValue(), where + " env " + e.getKey() + " must be a string or a number, got " + e.getValue().kind());
                    }
                }
            }
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
                }
            }
        }
        Map<String, double[]> reference = new LinkedHashMap<>();
        Node rn = r.require(t, "reference", where);
        Node.MapNode rm = rn == null ? null : r.map(rn, where + " reference");
        if (rm != null) {
            for (Map.Entry<String, Node> e : rm.entries.entrySet()) {
                String q = e.getKey();
                int[] place = rm.keyPlaces.get(q);
                if (om != null && !om.entries.containsKey(q)) {
                    String sug = JobReading.suggest(q, om.entries.keySet());
                    r.problem(place[0], place[1], where + " reference names '" + q + "', which no output computes"
                            + (sug == null ? "" : " (did you mean '" + sug + "'?)") + "; outputs: " + String.join(", ", om.entries.keySet()));
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
        }
        Duration timeout = t.entries.containsKey("timeout") ? r.duration(t.entries.get("timeout"), where + " timeout") : null;
        boolean privateTmp = t.entries.containsKey("private_tmpdir")
                && Boolean.TRUE.equals(r.bool(t.entries.get("private_tmpdir"), where + " private_tmpdir"));
        ExternalConfig.WaitSpec wait = t.entries.containsKey("wait_for_files") ? waitForFiles(t.entries.get("wait_for_files"), where)
                : null;
        Duration killGrace = t.entries.containsKey("kill_grace") ? grace(t.entries.get("kill_grace"), where + " kill_grace") : null;
        Integer retries = r.optInt(t, "retries", where + " retries", 0, MAX_RETRIES);
        if (retries != null && retries > MAX_RETRIES) {
            r.problem(t.entries.get("retries"), where + " retries must be at most " + MAX_RETRIES + ", got " + retries);
        }
        return new ExternalConfig(templates, variables, files, links, commands, launcher, env, privateTmp, outputs, reference, timeout,
                wait, killGrace, retries == null ? 0 : Math.min(retries, MAX_RETRIES), stdin, logFiles(t.entries.get("log_files"), where));
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
                r.problem(item, w + " must name files relative to the run directory that stay inside it, got '" + f + "'");
            } else if (out.contains(normal)) {
                r.problem(item, w + " names '" + f + "' twice");
            } else {
                out.add(normal);
            }
        }
        return out;
    }

    /** {@code command} (one command) or {@code commands} (a list of commands run in order); exactly one of them. */
    private List<List<String>> commands(Node.MapNode t, String where, Map<Integer, ExternalConfig.StdinSpec> stdin) {
        List<List<String>> out = new ArrayList<>();
        Node many = t.entries.get("commands");
        if (many == null) {
            List<String> one = commandWithStdin(r.require(t, "command", where), where + " command", 0, stdin);
            if (!one.isEmpty()) {
                out.add(one);
            }
            return out;
        }
        if (t.entries.containsKey("command")) {
            int[] place = t.keyPlaces.get("commands");
            r.problem(place[0], place[1], where + " has both 'command' and 'commands'; give one command with 'command' or a list "
                    + "of commands run in order with 'commands'");
            return out;
        }
        if (!(many instanceof Node.ListNode l) || l.items.isEmpty()) {
            r.problem(many, where + " commands must be a non-empty list of commands (each a string or a list of strings), got "
                    + many.kind());
            return out;
        }
        for (int i = 0; i < l.items.size(); i++) {
            List<String> c = commandWithStdin(l.items.get(i), where + " commands[" + i + "]", out.size(), stdin);
            if (!c.isEmpty()) {
                out.add(c);
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
                    r.problem(item, w + " file must be relative to the run directory and stay inside it, got '" + f + "'");
                } else {
                    files.add(f);
                }
            }
        }
        Duration limit = tn == null ? null : r.duration(tn, w + " timeout");
        return files.isEmpty() || limit == null ? null : new ExternalConfig.WaitSpec(files, limit);
    }

    /** {@code kill_grace}: a duration that may be 0 (SIGKILL at once). */
    private Duration grace(Node n, String where) {
        if (n instanceof Node.Scalar s && s.value instanceof Number num) {
            if (num.doubleValue() == 0) {
                return Duration.ZERO;
            }
            if (!(num.doubleValue() > 0) || !Double.isFinite(num.doubleValue())) {
                r.problem(n, where + " must be 0 or a positive duration: seconds (5) or a number with a unit (500ms, 5s), got "
                        + (Double.isFinite(num.doubleValue()) ? num : JobReading.fmt(num.doubleValue())));
                return null;
            }
        }
        return r.duration(n, where);
    }

    /** {@code link}: as {@code files}, but each is staged by a symbolic link and may be a r.folder. */
    private Map<String, Path> linkedFiles(Node n, String where, Map<String, Path> files, Map<String, Path> templates) {
        Map<String, Path> out = new LinkedHashMap<>();
        if (n == null) {
            return out;
        }
        Map<Node, String> targets = new LinkedHashMap<>();
        if (n instanceof Node.MapNode m) {
            for (Map.Entry<String, Node> e : m.entries.entrySet()) {
                String target = e.getKey();
                if (target.startsWith("/") || Path.of(target).normalize().startsWith("..")) {
                    int[] place = m.keyPlaces.get(target);
                    r.problem(place[0], place[1], where + " name '" + target + "' must be relative to the run directory and stay inside it");
                } else {
                    targets.put(e.getValue(), target);
                }
            }
        } else {
            for (Node item : n instanceof Node.ListNode l ? l.items : List.of(n)) {
                targets.put(item, null);
            }
        }
        for (Map.Entry<Node, String> e : targets.entrySet()) {
            Path p = r.path(e.getKey(), where, false);
            if (p == null) {
                continue;
            }
            if (!Files.exists(p)) {
                r.problem(e.getKey(), where + " names a file or folder that does not exist: " + p);
                continue;
            }
            String target = e.getValue() != null ? e.getValue() : p.getFileName().toString();
            if (out.containsKey(target) || files.containsKey(target) || templates.containsKey(target)) {
                r.problem(e.getKey(), where + " puts a second file named '" + target + "' into the run directory; give it another name "
                        + "with a map (run-directory name: file)");
                continue;
            }
            if (Files.isRegularFile(p)) {
                r.namedFiles.add(p);
            }
            out.put(target, p);
        }
        return out;
    }

    /** A command or launcher: a string split at spaces, or a list of strings. */
    private List<String> words(Node c, String where, boolean nonEmpty) {
        List<String> out = new ArrayList<>();
        if (c == null) {
            return out;
        }
        if (c instanceof Node.Scalar s && s.value instanceof String str) {
            if (!str.isBlank()) {
                out.addAll(List.of(str.trim().split("\\s+")));
            }
        } else if (c instanceof Node.ListNode l) {
            for (Node item : l.items) {
                if (item instanceof Node.Scalar s && (s.value instanceof String || s.value instanceof Number)) {
                    out.add(String.valueOf(s.value));
                } else {
                    r.problem(item, where + " items must be strings, got " + item.kind());
                }
            }
        } else {
            r.problem(c, where + " must be a string or a list of strings, got " + c.kind());
            return out;
        }
        if (nonEmpty && out.isEmpty()) {
            r.problem(c, where + " must not be empty");
        }
        return out;
    }

    /** Templates or staged files: a path, a list of paths (kept under their file names), or a map of name to path. */
    private Map<String, Path> stagedFiles(Node n, String where) {
        Map<String, Path> out = new LinkedHashMap<>();
        if (n == null) {
            return out;
        }
        if (n instanceof Node.MapNode m) {
            for (Map.Entry<String, Node> e : m.entries.entrySet()) {
                String target = e.getKey();
                int[] place = m.keyPlaces.get(target);
                if (target.startsWith("/") || Path.of(target).normalize().startsWith("..")) {
                    r.problem(place[0], place[1], where + " name '" + target + "' must be relative to the run directory and stay inside it");
                    continue;
                }
                Path p = r.path(e.getValue(), where + " '" + target + "'", true);
                if (p != null) {
                    out.put(target, p);
                }
            }
            return out;
        }
        List<Node> items = n instanceof Node.ListNode l ? l.items : List.of(n);
        for (int i = 0; i < items.size(); i++) {
            Path p = r.path(items.get(i), where + (n instanceof Node.ListNode ? "[" + i + "]" : ""), true);
            if (p == null) {
                continue;
            }
            String target = p.getFileName().toString();
            if (out.containsKey(target)) {
                r.problem(items.get(i), where + " has two files named '" + target + "'; give them different names with a map "
                        + "(run-directory name: file)");
                continue;
            }
            out.put(target, p);
        }
        return out;
    }

    /**
     * A command: its words (a string or a list), or a map {@code {run: words, stdin: text}} or
     * {@code {run: words, stdin_template: file}} for a command that reads standard input.
     */
    private List<String> commandWithStdin(Node c, String where, int index, Map<Integer, ExternalConfig.StdinSpec> stdin) {
        if (!(c instanceof Node.MapNode m)) {
            return words(c, where, true);
        }
        r.keys(m, where, COMMAND_KEYS);
        List<String> run = words(r.require(m, "run", where), where + " run", true);
        boolean text = m.entries.containsKey("stdin");
        boolean template = m.entries.containsKey("stdin_template");
        if (text && template) {
            int[] place = m.keyPlaces.get("stdin_template");
            r.problem(place[0], place[1], where + " has both 'stdin' (a text) and 'stdin_template' (a template file); give one");
        } else if (text) {
            Node sn = m.entries.get("stdin");
            if (sn instanceof Node.Scalar sc && sc.value instanceof String str) {
                stdin.put(index, new ExternalConfig.StdinSpec(str, null));
            } else {
                r.problem(sn, where + " stdin must be a text (quote it, with \\n between lines: \"Potential\\nDensity\\n\\n\"), got "
                        + sn.kind());
            }
        } else if (template) {
            Path p = r.path(m.entries.get("stdin_template"), where + " stdin_template", true);
            if (p != null) {
                stdin.put(index, new ExternalConfig.StdinSpec(null, p));
            }
        } else {
            r.problem(m, where + " is written as a map, which is for a command with standard input: add 'stdin' or 'stdin_template', "
                    + "or write the command as a list");
        }
        return run;
    }
}

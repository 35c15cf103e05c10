package org.chemfit.cli;

import static org.chemfit.cli.JobKeys.COMMAND_KEYS;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.chemfit.cli.JobFile.ExternalConfig;
import org.jspecify.annotations.NullUnmarked;

/**
 * Reads the commands of an external term ({@code command} or {@code commands}, each a string, a
 * list of words, or a map with the standard input it reads) and a launcher's words.
 *
 * <pre>{@code
 * Map<Integer, ExternalConfig.StdinSpec> stdin = new LinkedHashMap<>();
 * List<List<String>> commands = new CommandsReader(reading).commands(termNode, "term 'md'", stdin);
 * }</pre>
 *
 * @implNote One instance per job file, used while it is read; not thread-safe.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class CommandsReader {

    private final JobReading r;

    CommandsReader(JobReading reading) {
        this.r = reading;
    }

    /** {@code command} (one command) or {@code commands} (a list of commands run in order); exactly one of them. */
    List<List<String>> commands(Node.MapNode t, String where, Map<Integer, ExternalConfig.StdinSpec> stdin) {
        return commands(t, where, stdin, new ArrayList<>());
    }

    /**
     * As {@link #commands(Node.MapNode, String, Map)}, also giving the place of each command.
     *
     * @param nodes receives the node of each command returned, in the same order
     */
    List<List<String>> commands(
            Node.MapNode t, String where, Map<Integer, ExternalConfig.StdinSpec> stdin, List<Node> nodes) {
        List<List<String>> out = new ArrayList<>();
        Node many = t.entries.get("commands");
        if (many == null) {
            Node c = r.require(t, "command", where);
            List<String> one = commandWithStdin(c, where + " command", 0, stdin);
            if (!one.isEmpty()) {
                out.add(one);
                nodes.add(c);
            }
            return out;
        }
        if (t.entries.containsKey("command")) {
            int[] place = t.keyPlaces.get("commands");
            r.problem(
                    place[0],
                    place[1],
                    where + " has both 'command' and 'commands'; give one command with 'command' or a list "
                            + "of commands run in order with 'commands'");
            return out;
        }
        if (!(many instanceof Node.ListNode l) || l.items.isEmpty()) {
            r.problem(
                    many,
                    where + " commands must be a non-empty list of commands (each a string or a list of strings), got "
                            + many.kind());
            return out;
        }
        for (int i = 0; i < l.items.size(); i++) {
            List<String> c = commandWithStdin(l.items.get(i), where + " commands[" + i + "]", out.size(), stdin);
            if (!c.isEmpty()) {
                out.add(c);
                nodes.add(l.items.get(i));
            }
        }
        return out;
    }

    /** A command or launcher: a string split at spaces, or a list of strings. */
    List<String> words(Node c, String where, boolean nonEmpty) {
        List<String> out = new ArrayList<>();
        if (c == null) {
            return out;
        }
        if (c instanceof Node.Scalar s && s.value instanceof String str) {
            List<String> quoted = str.indexOf('\'') >= 0 || str.indexOf('"') >= 0 ? shellWords(str) : null;
            if (quoted != null) {
                // quotes that pair up, as a shell reads them: split at spaces, they would reach the
                // program as characters of its words (a lone apostrophe, as in O'Neil, is such a
                // character, meant as written)
                String key = where.substring(where.lastIndexOf(' ') + 1);
                r.problem(
                        c,
                        where + " is a string with quotes, but a string command is split at spaces and its quotes"
                                + " are passed on as they are; write it as a list, one item a word: "
                                + (key.matches("[a-z_]+") ? key + ": " : "") + asList(quoted));
                return out;
            }
            String operator = str.isBlank() ? null : shellOperator(str.trim().split("\\s+"));
            if (operator != null) {
                // run without a shell, a redirection or a pipe would reach the program as arguments
                r.problem(
                        c,
                        where + " holds the shell's '" + operator + "', but a command runs without a shell, so '"
                                + operator + "' and the words after it would reach the program as arguments; "
                                + (operator.startsWith("<")
                                        ? "give its standard input with a map {run: [...], stdin: TEXT} or {run:"
                                                + " [...], stdin_template: FILE}, or run it through a shell: "
                                        : "run it through a shell: ")
                                + asList(List.of("sh", "-c", str.trim()))
                                + stagedForAShell(str.trim().split("\\s+")));
                return out;
            }
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

    /**
     * @param words the words of a command given to a shell
     * @return for a program written as a relative path ({@code ./sim.py}, after any {@code
     *     NAME=value}), which the shell looks for in the run directory rather than beside the job file,
     *     what it takes there; else ""
     */
    private static String stagedForAShell(String[] words) {
        int k = 0;
        while (k < words.length - 1 && words[k].matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
            k++;
        }
        String program = words[k];
        if (!program.contains("/") || program.startsWith("/") || program.startsWith("~")) {
            return "";
        }
        return " (a shell looks for " + program + " in the run directory, not beside the job file: "
                + FitPlan.stagingHint(program) + ", unless the term stages it already)";
    }

    /**
     * A command: its words (a string or a list), or a map {@code {run: words, stdin: text}} or
     * {@code {run: words, stdin_template: file}} for a command that reads standard input.
     */
    private List<String> commandWithStdin(
            Node c, String where, int index, Map<Integer, ExternalConfig.StdinSpec> stdin) {
        if (!(c instanceof Node.MapNode m)) {
            return words(c, where, true);
        }
        r.keys(m, where, COMMAND_KEYS);
        List<String> run = words(r.require(m, "run", where), where + " run", true);
        boolean text = m.entries.containsKey("stdin");
        boolean template = m.entries.containsKey("stdin_template");
        if (text && template) {
            int[] place = m.keyPlaces.get("stdin_template");
            r.problem(
                    place[0],
                    place[1],
                    where + " has both 'stdin' (a text) and 'stdin_template' (a template file); give one");
        } else if (text) {
            Node sn = m.entries.get("stdin");
            if (sn instanceof Node.Scalar sc && sc.value instanceof String str) {
                stdin.put(index, new ExternalConfig.StdinSpec(str, null));
            } else {
                r.problem(
                        sn,
                        where
                                + " stdin must be a text (quote it, with \\n between lines: \"Potential\\nDensity\\n\\n\"), got "
                                + sn.kind());
            }
        } else if (template) {
            Path p = r.path(m.entries.get("stdin_template"), where + " stdin_template", true);
            if (p != null && r.utf8(p, "a standard-input template")) {
                stdin.put(index, new ExternalConfig.StdinSpec(null, p));
            }
        } else {
            r.problem(
                    m,
                    where
                            + " is written as a map, which is for a command with standard input: add 'stdin' or 'stdin_template', "
                            + "or write the command as a list");
        }
        return run;
    }

    /**
     * @param command a command string
     * @return its words as a shell would split them, quotes taken away, or null when a quote is not
     *     closed (then no shell reading is meant)
     */
    static @org.jspecify.annotations.Nullable List<String> shellWords(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < command.length(); i++) {
            char ch = command.charAt(i);
            if (quote != 0) {
                if (ch == quote) {
                    quote = 0;
                } else {
                    word.append(ch);
                }
            } else if (ch == '\'' || ch == '"') {
                quote = ch;
                inWord = true;
            } else if (Character.isWhitespace(ch)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(ch);
                inWord = true;
            }
        }
        if (quote != 0) {
            return null;
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /**
     * @param words a string command's words, split at spaces
     * @return the first that only a shell reads, a redirection ({@code <}, {@code >}, {@code >>},
     *     {@code 2>}, {@code 2>&1}, {@code &>}, or one of the first three joined to its file, as
     *     in {@code <sel.txt}), a pipe, or a list operator ({@code |}, {@code ||}, {@code &&},
     *     {@code ;}, {@code &}); null when there is none
     */
    static @org.jspecify.annotations.Nullable String shellOperator(String[] words) {
        for (String w : words) {
            if (w.matches("[<>|;&]|>>|\\|\\||&&|2>|2>>|2>&1|&>|[<>].+|>>.+")) {
                return w;
            }
        }
        return null;
    }

    /**
     * @param words a command's words
     * @return them as a YAML list, each word quoted unless YAML reads it as that very text (a
     *     number, {@code true}, {@code null} or an empty word would be read as something else)
     */
    static String asList(List<String> words) {
        StringBuilder out = new StringBuilder("[");
        for (String w : words) {
            if (out.length() > 1) {
                out.append(", ");
            }
            boolean plain = w.matches("[A-Za-z_./][A-Za-z0-9_./+=@%-]*|--?[A-Za-z][A-Za-z0-9_./+=@%-]*")
                    && !w.matches("(?i)true|false|yes|no|on|off|null|y|n");
            out.append(plain ? w : "\"" + w.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        }
        return out.append(']').toString();
    }
}

package org.chemfit.external;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a failed program said: the known error lines found in its output files (put first), and
 * the last lines of each file. Recognised: LAMMPS {@code ERROR:} lines with the
 * {@code Last command:} line after them, the GROMACS {@code Fatal error:} block and its kin,
 * grompp's {@code ERROR n [file ...]} blocks, a GROMACS tool's lines on a selection that chose
 * nothing, and the last line of a Python traceback (the exception). Written by hand: these are a few fixed patterns of
 * three programs, with no library that knows them.
 *
 * @param errorLines the program's own error lines, in the order found (files in the order given)
 * @param tails the last lines of each non-empty file, by its name in the run directory
 */
record ProgramOutput(List<String> errorLines, Map<String, String> tails) {

    /** How much of the end of a file is read. */
    static final int READ_BYTES = 64 * 1024;
    /** How many lines of a file's end are kept. */
    static final int TAIL_LINES = 40;
    /** How many error lines are kept at most. */
    static final int MAX_ERROR_LINES = 20;
    /**
     * How many characters of a line are kept at most (its end): the size of an output parser's
     * excerpt. A program that writes megabytes without a line break still shows its last words.
     */
    static final int LINE_CHARS = 800;

    /**
     * A GROMACS tool's line on a selection read from its standard input: gmx energy's
     * {@code String 'Potental' does not match anything} and {@code number 99 is out of range}, an
     * index group's {@code Error: No such group 'Sytem'}.
     */
    private static final Pattern GROMACS_SELECTION = Pattern.compile(
            "String '.*' does not match anything|number -?\\d+ is out of range|Error: No such group '.*'");

    /**
     * GROMACS's line when mdrun catches a signal, which it does for SIGINT and SIGTERM: it then
     * stops within a few steps and exits with code 1 ({@code Received the INT signal, stopping
     * within 20 steps}; a second signal: {@code Received the second INT/TERM signal, stopping
     * within 11 steps}). Group 1 is the signal's name, without {@code SIG}.
     */
    private static final Pattern GROMACS_SIGNAL =
            Pattern.compile("Received the (?:second |third )?([A-Z0-9]+(?:/[A-Z0-9]+)?) signal, stopping.*");

    /** A line of an output parser's excerpt: its number, marked with {@code >} or not, then the text. */
    private static final Pattern EXCERPT_LINE = Pattern.compile("(?:  |> )\\d+:(?: (.*))?");

    ProgramOutput {
        errorLines = List.copyOf(errorLines);
        tails = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tails));
    }

    /**
     * Reads the ends of the files that exist.
     *
     * @param dir the run directory
     * @param files the files, relative to {@code dir}, in the order they are reported
     * @return what they say
     */
    static ProgramOutput read(Path dir, List<String> files) {
        List<String> errors = new ArrayList<>();
        Map<String, String> tails = new LinkedHashMap<>();
        for (String f : files) {
            Path p = dir.resolve(f);
            if (!Files.isRegularFile(p)) {
                continue;
            }
            List<String> lines = lastLines(p);
            if (lines.isEmpty()) {
                continue;
            }
            for (String e : errorLines(lines)) {
                if (errors.size() < MAX_ERROR_LINES && !errors.contains(e)) {
                    errors.add(e);
                }
            }
            int from = Math.max(0, lines.size() - TAIL_LINES);
            tails.put(f, String.join("\n", lines.subList(from, lines.size())));
        }
        return new ProgramOutput(errors, tails);
    }

    /**
     * @param lines the lines of one file
     * @return the known error lines among them
     */
    static List<String> errorLines(List<String> lines) {
        List<String> out = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<String> unknownKeys = new ArrayList<>();
        int unknownKeyBlocks = 0;
        int traceback = -1;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            String s = l.strip();
            if (s.startsWith("ERROR:") || s.startsWith("ERROR on proc ")) {
                // LAMMPS: the error, and the input line that caused it on the next line
                out.add(s);
                if (i + 1 < lines.size() && lines.get(i + 1).strip().startsWith("Last command:")) {
                    out.add(lines.get(i + 1).strip());
                }
            } else if (s.startsWith("Fatal error:")
                    || s.startsWith("Error in user input:")
                    || s.startsWith("Inconsistency in user input:")
                    || s.startsWith("Internal error (bug):")) {
                // GROMACS: the header, then the message up to a blank line, the hint or the rule
                i = block(lines, i, s.indexOf(':') + 1, out);
            } else if (s.matches("ERROR \\d+ \\[file [^]]*\\]:.*")) {
                // grompp: each error of the input files ("ERROR 1 [file md.mdp, line 44]:") and its
                // message, which the Fatal error block after them only counts
                i = block(lines, i, s.indexOf("]:") + 2, out);
            } else if (s.matches("WARNING \\d+ \\[file [^]]*\\]:.*")) {
                // grompp: a warning of the input files, which stops it when there are more than -maxwarn
                // allows ("Too many warnings"): kept apart, and said only then, or when it is a key
                // grompp does not know, the likely cause of an error that follows (a misspelt key)
                List<String> block = new ArrayList<>();
                i = block(lines, i, s.indexOf("]:") + 2, block);
                warnings.addAll(block);
                if (block.stream().anyMatch(b -> b.startsWith("Unknown left-hand")) && unknownKeyBlocks++ < 3) {
                    // the first three: more would push the errors out of what is shown
                    unknownKeys.addAll(block);
                }
            } else if (GROMACS_SIGNAL.matcher(s).matches()) {
                // mdrun caught a signal and stopped (exit code 1): sent from outside, by a user or a
                // batch system, not a failure of the run
                out.add(s);
            } else if (GROMACS_SELECTION.matcher(s).matches()) {
                // a GROMACS tool's words on a selection read from stdin that chose nothing: a run
                // that writes progress lines after it (gmx energy's frames) would push it out of the tail
                out.add(s);
            } else if (s.equals("Traceback (most recent call last):")) {
                traceback = i;
            }
        }
        if (!warnings.isEmpty() && out.stream().anyMatch(l -> l.startsWith("Too many warnings"))) {
            // the warnings are what stopped grompp: said before the Fatal error that only counts them
            out.addAll(0, warnings);
        } else if (!unknownKeys.isEmpty()
                && out.stream().anyMatch(l -> l.startsWith("Fatal error:") || l.matches("ERROR \\d+ \\[file .*"))) {
            // a key grompp ignored ("tcouple" for tcoupl) explains the error its absence brings
            out.addAll(0, unknownKeys);
        }
        if (traceback >= 0) {
            // Python: the exception is the first line after the traceback that is not indented
            for (int i = traceback + 1; i < lines.size(); i++) {
                String l = lines.get(i);
                if (!l.isEmpty() && !Character.isWhitespace(l.charAt(0))) {
                    out.add(l.strip());
                    break;
                }
            }
        }
        return out;
    }

    /**
     * Adds a block of GROMACS's: its header line, then the message's lines up to a blank line
     * after some text, the hint ("For more information and tips") or the rule of dashes.
     *
     * @param lines the file's lines
     * @param at the header's index
     * @param headerEnd where the header's own text ends in its stripped line (text after it counts
     *     as the message's first line)
     * @param out receives the lines, stripped
     * @return the index of the block's last line
     */
    private static int block(List<String> lines, int at, int headerEnd, List<String> out) {
        String header = lines.get(at).strip();
        out.add(header);
        boolean content = header.length() > headerEnd;
        int k = at + 1;
        for (; k < lines.size(); k++) {
            String m = lines.get(k).strip();
            if (m.startsWith("For more information and tips") || m.startsWith("-----") || m.isEmpty() && content) {
                break;
            }
            if (!m.isEmpty()) {
                out.add(m);
                content = true;
            }
        }
        return k - 1;
    }

    /**
     * @return the lines of the last {@link #READ_BYTES} of a file, or none: a first line that
     *     begins before them is dropped, unless it is the only one (a program that writes without
     *     line breaks); a line longer than {@link #LINE_CHARS} keeps its end, marked as cut
     */
    static List<String> lastLines(Path file) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            int n = (int) Math.min(len, READ_BYTES);
            byte[] b = new byte[n];
            f.seek(len - n);
            f.readFully(b);
            String text = new String(b, StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(Arrays.asList(text.split("\\R")));
            while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
                lines.remove(lines.size() - 1);
            }
            // the bytes of the file before the first line read, when it begins before them
            long before = len - n;
            if (before > 0 && lines.size() > 1) {
                lines.remove(0);
                before = 0;
            }
            for (int i = 0; i < lines.size(); i++) {
                lines.set(i, printable(cut(lines.get(i), i == 0 ? before : 0)));
            }
            return lines;
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * @param line a line
     * @param before how many bytes of it come before it (in the file, not read)
     * @return the line, or its last {@link #LINE_CHARS} characters after a mark that says how many
     *     bytes of it are not shown
     */
    static String cut(String line, long before) {
        if (line.length() <= LINE_CHARS && before == 0) {
            return line;
        }
        int from = Math.max(0, line.length() - LINE_CHARS);
        if (from > 0 && Character.isLowSurrogate(line.charAt(from))) {
            from++;
        }
        long hidden = before + line.substring(0, from).getBytes(StandardCharsets.UTF_8).length;
        return "[line cut: its first " + hidden + " bytes not shown] " + line.substring(from);
    }

    /**
     * @return a line of a program's output as it may be shown on a terminal: a control character
     *     (an escape sequence's ESC, a bell, a NUL, a carriage return) in caret notation ({@code ^[},
     *     {@code ^G}, {@code ^@}, {@code ^M}, {@code ^?}), a C1 control as {@code \u0085}-style
     *     escape, a tab kept; so that an excerpt cannot clear the screen or retitle the window
     */
    static String printable(String line) {
        StringBuilder sb = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            boolean control = c != '\t' && Character.isISOControl(c);
            if (control && sb == null) {
                sb = new StringBuilder(line.length() + 8).append(line, 0, i);
            }
            if (sb == null) {
                continue;
            }
            if (!control) {
                sb.append(c);
            } else if (c < 0x20) {
                sb.append('^').append((char) (c + 64));
            } else if (c == 0x7f) {
                sb.append("^?");
            } else {
                sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        return sb == null ? line : sb.toString();
    }

    /**
     * @return the first error line in which GROMACS says it caught a signal and stopped, with the
     *     signal's name ({@code SIGINT}, {@code SIGINT or SIGTERM}), or null when there is none
     */
    @Nullable
    SignalStop signalStop() {
        for (String e : errorLines) {
            Matcher m = GROMACS_SIGNAL.matcher(e);
            if (m.matches()) {
                return new SignalStop("SIG" + m.group(1).replace("/", " or SIG"), e);
            }
        }
        return null;
    }

    /**
     * A program's word that it was stopped by a signal it caught.
     *
     * @param signal the signal's name: {@code SIGINT}, or {@code SIGINT or SIGTERM} when the program
     *     does not say which
     * @param line the program's line that says so
     */
    record SignalStop(String signal, String line) {}

    /** @return whether nothing was found */
    boolean isEmpty() {
        return errorLines.isEmpty() && tails.isEmpty();
    }

    /**
     * @param tailLines how many lines of each file's end to show
     * @return the text for a failure message: the error lines, then each file's end
     */
    String describe(int tailLines) {
        return describe(tailLines, null);
    }

    /**
     * @param tailLines how many lines of each file's end to show
     * @param excerpt an output parser's excerpt that the failure message already shows (its lines
     *     as {@code "  12: text"}), or null
     * @return the text for a failure message: the error lines, then each file's end, leaving out a
     *     file's end that shows the excerpt's lines again (the log a parser read, or the program's
     *     stdout when it printed that log to the screen too, as LAMMPS does)
     */
    String describe(int tailLines, @Nullable String excerpt) {
        List<String> shown = excerptLines(excerpt);
        StringBuilder sb = new StringBuilder();
        if (!errorLines.isEmpty()) {
            sb.append("\nthe program's error:");
            for (String e : errorLines) {
                sb.append("\n  ").append(e);
            }
        }
        for (Map.Entry<String, String> t : tails.entrySet()) {
            List<String> lines = Arrays.asList(t.getValue().split("\n"));
            int from = Math.max(0, lines.size() - tailLines);
            if (repeats(lines.subList(from, lines.size()), shown)) {
                continue;
            }
            sb.append("\n")
                    .append(t.getKey())
                    .append(" (last ")
                    .append(lines.size() - from)
                    .append(" lines):\n")
                    .append(String.join("\n", lines.subList(from, lines.size())));
        }
        return sb.toString();
    }

    /**
     * @return the text of each line of an excerpt, without the line numbers; none when there is no
     *     excerpt or a line of it is not numbered ("(the file is empty)")
     */
    static List<String> excerptLines(@Nullable String excerpt) {
        if (excerpt == null || excerpt.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String l : excerpt.split("\n", -1)) {
            Matcher m = EXCERPT_LINE.matcher(l);
            if (!m.matches()) {
                return List.of();
            }
            String text = m.group(1);
            out.add(text == null ? "" : text);
        }
        return out;
    }

    /**
     * @param end the lines of a file's end, as a failure message would show them
     * @param shown the lines of an excerpt
     * @return whether the excerpt's lines are among them, one after the other
     */
    static boolean repeats(List<String> end, List<String> shown) {
        if (shown.isEmpty()) {
            return false;
        }
        for (int at = 0; at + shown.size() <= end.size(); at++) {
            int k = 0;
            while (k < shown.size() && sameLine(shown.get(k), end.get(at + k))) {
                k++;
            }
            if (k == shown.size()) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param shown a line of an excerpt, whose trailing spaces may be gone and whose end may be cut
     *     (marked with {@code ...})
     * @param line a line of a file's end
     * @return whether it is that line
     */
    private static boolean sameLine(String shown, String line) {
        String s = shown.stripTrailing();
        String l = line.stripTrailing();
        if (s.equals(l)) {
            return true;
        }
        if (!s.endsWith("...")) {
            return false;
        }
        String cut = s.substring(0, s.length() - 3).stripTrailing();
        return !cut.isEmpty() && l.startsWith(cut);
    }
}

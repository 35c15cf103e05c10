package org.chemfit.cli;

import static org.chemfit.cli.JobKeys.FINITE_HINT;
import static org.chemfit.cli.JobKeys.MAX_MAGNITUDE;
import static org.chemfit.cli.JobKeys.MAX_SECONDS;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.chemfit.support.Excerpt;
import org.chemfit.support.Names;
import org.jspecify.annotations.NullUnmarked;
import org.jspecify.annotations.Nullable;

/**
 * One reading of one job file: where it is, the problems found so far (each at its line and
 * column), the files it names, and the checks of typed values that the section readers share. A
 * check that fails reports a problem at the node's place and returns null rather than throwing, so
 * that one reading finds every problem.
 *
 * <pre>{@code
 * JobReading r = new JobReading(file, Path.of("fit.yaml"));
 * Integer workers = r.optInt(m, "workers", "execution workers", 1, JobKeys.MAX_WORKERS);
 * }</pre>
 *
 * @implNote One instance per job file, used while it is read; not thread-safe.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class JobReading {

    final Path file;
    /** The file as the user named it, which problems show. */
    final Path shown;

    final Path folder;
    final List<JobFileException.Problem> problems = new ArrayList<>();
    /** Files the job names, for its hash. */
    final Set<Path> namedFiles = new LinkedHashSet<>();
    /** The structure files of the atoms terms, each parsed once in this read. */
    final StructureFiles structures = new StructureFiles();
    /** Every parameter name written, valid or not, so that a bad value is not reported again where it is used. */
    final Set<String> declared = new LinkedHashSet<>();
    /** The program aliases of the {@code programs} section, read before the terms that use them. */
    final Set<String> programAliases = new LinkedHashSet<>();
    /**
     * What the data make likely to be a mistake without being one for certain, each a sentence
     * printed after "warning: " ({@link JobFile#warnings()}); the job stays valid.
     */
    final List<String> warnings = new ArrayList<>();
    /**
     * The rows of each reference CSV read whole without a problem in its rows, by its path as the
     * terms give it: what the checks that compare terms' data ({@link HeldOutOverlap}) use rather
     * than read the file again. Not kept past the reading ({@link JobFile#referenceRows()} keeps
     * their counts).
     */
    final java.util.Map<Path, List<org.chemfit.atoms.ReferenceEntry>> referenceCsvRows = new java.util.HashMap<>();
    /**
     * How many rows each reference CSV read without a problem holds, by its path: its reference
     * values, and an atoms term's tasks ({@link JobFile#referenceRows()}).
     */
    final java.util.Map<Path, Integer> referenceRows = new java.util.HashMap<>();
    /**
     * The rows of each reference CSV whose structure file is there, by the CSV's path: the first
     * row that lists each structure, by the structure file's real place (links followed), for the
     * warning about a structure that two terms list.
     */
    final java.util.Map<Path, Map<Path, org.chemfit.atoms.ReferenceEntry>> referenceEntries = new java.util.HashMap<>();
    /** The reference CSVs (by their real places) whose repeated structures have been looked for. */
    final java.util.Set<Path> repeatsChecked = new java.util.HashSet<>();

    /** The text files checked to be UTF-8 ({@link #utf8}), each reported once however many terms name it. */
    private final java.util.Set<Path> utf8Checked = new java.util.HashSet<>();
    /** The force components of the structures of each reference CSV read with forces, when every one gave its forces. */
    final java.util.Map<Path, Integer> referenceForces = new java.util.HashMap<>();
    /** Units, coordinates and term names seen. */
    final UnitsReading extras = new UnitsReading();

    /**
     * @param file the job file, absolute
     * @param shown the file as the user named it
     */
    JobReading(Path file, Path shown) {
        this.file = file;
        this.shown = shown;
        this.folder = file.getParent();
    }

    Node.MapNode map(Node n, String where) {
        if (n instanceof Node.MapNode m) {
            return m;
        }
        problem(n, where + " must be a map of keys to values, got " + n.kind());
        return null;
    }

    void keys(Node.MapNode m, String where, List<String> known) {
        for (Map.Entry<String, int[]> e : m.keyPlaces.entrySet()) {
            String key = e.getKey();
            if (!known.contains(key)) {
                String sug = suggest(key, known);
                if (sug != null && !m.entries.containsKey(sug)) {
                    m.misspelt.add(sug);
                }
                String other = sug == null ? OtherToolsWords.key(key, known) : null;
                problem(
                        e.getValue()[0],
                        e.getValue()[1],
                        "unknown key '" + key + "' in " + where
                                + (sug != null
                                        ? " (did you mean '" + sug + "'?)"
                                        : other != null ? " (" + other + ")" : "")
                                + "; known keys: " + String.join(", ", known));
            }
        }
    }

    /**
     * As {@link #require}, for a key that decides which other keys the map may have (a term's
     * {@code kind}, a pair term's {@code form}, a parser's {@code parser}): a key of the map that is
     * none of {@code everyKey} and reads like {@code key} ({@code knd} for {@code kind}) is taken
     * for it misspelt, said as unknown by {@link #keys} (which the caller runs, with every key when
     * the selector is missing), not also as missing.
     *
     * @param m the map
     * @param key the selecting key
     * @param where the map in words
     * @param everyKey every key the map may have, whatever the selector's value
     * @return the key's node, or null when it is missing
     */
    Node requireSelector(Node.MapNode m, String key, String where, List<String> everyKey) {
        if (m != null && !m.entries.containsKey(key)) {
            for (String k : m.keyPlaces.keySet()) {
                if (!everyKey.contains(k) && key.equals(suggest(k, everyKey))) {
                    m.misspelt.add(key);
                }
            }
        }
        return require(m, key, where);
    }

    Node require(Node.MapNode m, String key, String where) {
        if (m == null) {
            return null;
        }
        Node n = m.entries.get(key);
        if (n == null && !m.misspelt.contains(key)) {
            problem(m, "missing required key '" + key + "' in " + where);
        }
        return n;
    }

    String string(Node n, String where) {
        if (n == null) {
            return null;
        }
        if (n instanceof Node.Scalar s && s.value instanceof String str) {
            if (str.isBlank()) {
                problem(n, where + " must not be empty");
                return null;
            }
            return str;
        }
        problem(n, where + " must be a string, got " + n.kind());
        return null;
    }

    String optString(Node.MapNode m, String key, String where, String def) {
        return m.entries.containsKey(key) ? string(m.entries.get(key), where) : def;
    }

    String choice(Node n, String where, List<String> allowed) {
        String s = string(n, where);
        if (s == null) {
            return null;
        }
        String norm = s.toLowerCase(Locale.ROOT).replace('-', '_');
        if (allowed.contains(norm)) {
            return norm;
        }
        String other = OtherToolsWords.loss(norm, allowed);
        String sug = other == null ? suggest(norm, allowed) : null;
        problem(
                n,
                where + " must be one of " + String.join(", ", allowed) + ", got '" + Excerpt.of(s) + "'"
                        + (other != null ? " (" + other + ")" : sug == null ? "" : " (did you mean '" + sug + "'?)"));
        return null;
    }

    /**
     * As {@link #choice(Node, String, List)}, as the constant of the typed model that the word names.
     *
     * @param <E> the enum
     * @param n the node
     * @param where where it is, for messages
     * @param allowed the words allowed, from {@link JobKeys}
     * @param type the enum whose constants those words name
     * @return the constant, or null when a problem was reported
     */
    <E extends Enum<E>> E choice(Node n, String where, List<String> allowed, Class<E> type) {
        String word = choice(n, where, allowed);
        return word == null ? null : JobKeys.constant(type, word);
    }

    Double number(Node n, String where) {
        if (n instanceof Node.Scalar s && s.value instanceof Number num) {
            return num.doubleValue();
        }
        problem(n, where + " must be a number, got " + n.kind());
        return null;
    }

    Double finite(Node n, String where) {
        Double d = number(n, where);
        if (d != null && (Double.isFinite(d) && Math.abs(d) > MAX_MAGNITUDE || tooLarge(n))) {
            // a number written out (1e400) that a double cannot hold is read as infinity: the limit,
            // not .inf, is its problem
            problem(n, where + " must be at most 1e100 in magnitude, got " + written(n));
            return null;
        }
        if (d != null && !Double.isFinite(d)) {
            problem(n, where + " must be a finite number, got " + fmt(d) + FINITE_HINT);
            return null;
        }
        return d;
    }

    /**
     * @return whether the node is a number written with digits (1e400, not .inf) too large for a
     *     double to hold, so read as infinity
     */
    static boolean tooLarge(Node n) {
        return n instanceof Node.Scalar s
                && s.value instanceof Double d
                && Double.isInfinite(d)
                && s.text != null
                && s.text.chars().anyMatch(Character::isDigit);
    }

    /**
     * @return a number as the file writes it (1e200, not 1.0E200; its start when it is long), or
     *     as read when the text is not known
     */
    static String written(Node n) {
        if (n instanceof Node.Scalar s && s.text != null) {
            return Excerpt.of(s.text);
        }
        if (n instanceof Node.Scalar s && s.value instanceof Double d) {
            return fmt(d);
        }
        return n instanceof Node.Scalar s ? Excerpt.of(String.valueOf(s.value)) : n.kind();
    }

    Double positive(Node n, String where) {
        Double d = finite(n, where);
        if (d != null && !(d > 0)) {
            problem(n, where + " must be positive, got " + fmt(d));
            return null;
        }
        return d;
    }

    Double nonNegative(Node n, String where) {
        Double d = finite(n, where);
        if (d != null && d < 0) {
            problem(n, where + " must not be negative, got " + fmt(d));
            return null;
        }
        return d;
    }

    Integer optInt(Node.MapNode m, String key, String where, int min, int max) {
        Node n = m.entries.get(key);
        if (n == null) {
            return null;
        }
        String range = "; allowed: " + min + " to " + max;
        java.math.BigInteger v = n instanceof Node.Scalar s ? wholeValue(s.value) : null;
        if (v == null && n instanceof Node.Scalar s && s.value instanceof Double d && d == Double.POSITIVE_INFINITY) {
            problem(
                    n,
                    where + " must be at most " + max + ", got "
                            + (tooLarge(n) ? written(n) : "a number too large to hold"));
            return null;
        }
        if (v == null) {
            problem(n, where + " must be a whole number, got " + shown(n) + range);
            return null;
        }
        if (v.compareTo(java.math.BigInteger.valueOf(min)) < 0) {
            problem(
                    n,
                    where + " must be a whole number of at least " + min + ", got " + Excerpt.of(v.toString()) + range);
            return null;
        }
        if (v.compareTo(java.math.BigInteger.valueOf(max)) > 0) {
            problem(n, where + " must be at most " + max + ", got " + Excerpt.of(v.toString()));
            return null;
        }
        return v.intValue();
    }

    /** @return a whole number written as one (7) or as a float with nothing after the point (7.0, 1e3), else null */
    static java.math.BigInteger wholeValue(Object value) {
        if (value instanceof Integer || value instanceof Long) {
            return java.math.BigInteger.valueOf(((Number) value).longValue());
        }
        if (value instanceof java.math.BigInteger b) {
            return b;
        }
        if (value instanceof Double d && Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 1e18) {
            return java.math.BigInteger.valueOf(d.longValue());
        }
        return null;
    }

    /** @return how a value is named in a message; YAML's own words for the values that are not finite */
    static String shown(Node n) {
        if (n instanceof Node.Scalar s && s.value instanceof Double d && !Double.isFinite(d)) {
            return "a number (" + fmt(d) + ")";
        }
        return n.kind();
    }

    Boolean bool(Node n, String where) {
        if (n instanceof Node.Scalar s && s.value instanceof Boolean b) {
            return b;
        }
        problem(n, where + " must be true or false, got " + n.kind());
        return null;
    }

    /**
     * One part of a duration: a number and its unit (in any case), the longest spelling of a unit
     * first. Spaces and tabs are the only blanks a duration takes, before, between and after its
     * parts, as the job schema's pattern says (whose {@code \s} would be every Unicode blank in an
     * editor's ECMA-262 engine and ASCII ones only in Java's).
     */
    private static final Pattern DURATION_PART = Pattern.compile(
            "([0-9]+(?:\\.[0-9]+)?)[ \\t]*"
                    + "(milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)(?![A-Za-z])",
            Pattern.CASE_INSENSITIVE);

    /** The forms a duration may take, for the message that refuses another. */
    private static final String DURATION_FORMS = "seconds (30), a number with a unit (500ms, 30s, 5m or 5min or"
            + " 5mins, 2h, 1d; also written as words: 10 minutes, 2 hours; in any case but M, which may be months),"
            + " or several of them, each unit once and the largest first (1h30m, 2h 15min)";

    /**
     * @return the seconds a text of one or more parts ({@code 90s}, {@code 1h30m}, {@code 2 hours})
     *     says, with a sign before the first part; null when the text is not such
     */
    private static @Nullable Double seconds(String text) {
        String t = blanksTrimmed(text);
        double sign = 1;
        if (t.startsWith("-") || t.startsWith("+")) {
            sign = t.startsWith("-") ? -1 : 1;
            t = blanksTrimmed(t.substring(1));
        }
        Matcher mt = DURATION_PART.matcher(t);
        double sec = 0;
        int at = 0;
        int last = Integer.MAX_VALUE; // the rank of the unit before: each is smaller than the one before
        while (at < t.length()) {
            if (!mt.region(at, t.length()).lookingAt() || mt.group(2).equals("M")) {
                return null; // M may be months, as in ISO 8601's P1M
            }
            double v = Double.parseDouble(mt.group(1));
            String unit = mt.group(2).toLowerCase(java.util.Locale.ROOT);
            boolean milli = unit.startsWith("ms") || unit.startsWith("milli");
            int rank = switch (unit.charAt(0)) {
                case 'm' -> milli ? 0 : 2;
                case 's' -> 1;
                case 'h' -> 3;
                default -> 4;
            };
            if (rank >= last) {
                return null; // 1h 1h, 30m1h
            }
            last = rank;
            sec += switch (rank) {
                case 0 -> v / 1000;
                case 1 -> v;
                case 2 -> v * 60;
                case 3 -> v * 3600;
                default -> v * 86400;
            };
            at = mt.end();
            while (at < t.length() && (t.charAt(at) == ' ' || t.charAt(at) == '\t')) {
                at++;
            }
        }
        return at == 0 ? null : sign * sec;
    }

    /** @return the text without the spaces and tabs at its ends */
    private static String blanksTrimmed(String text) {
        int from = 0;
        int to = text.length();
        while (from < to && (text.charAt(from) == ' ' || text.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (text.charAt(to - 1) == ' ' || text.charAt(to - 1) == '\t')) {
            to--;
        }
        return text.substring(from, to);
    }

    /**
     * A positive duration: seconds, or one or more numbers with units, as {@link #seconds} reads
     * them; a problem at the node otherwise.
     *
     * @param n the node
     * @param where the key in words, for the message
     * @return the duration, or null after a problem
     */
    Duration duration(Node n, String where) {
        return duration(n, where, false);
    }

    /**
     * A duration as {@link #duration(Node, String)} reads it, that may be 0 when {@code zero} says
     * so ({@code kill_grace: 0} kills at once, {@code 0s} too); the message that refuses another
     * says the rule: "a positive duration", or "a duration of 0 or more".
     *
     * @param n the node
     * @param where the key in words, for the message
     * @param zero whether 0 is allowed
     * @return the duration, or null after a problem
     */
    Duration duration(Node n, String where, boolean zero) {
        String rule = zero ? "a duration of 0 or more" : "a positive duration";
        if (zero && n instanceof Node.Scalar s && s.value instanceof Number num && num.doubleValue() == 0) {
            return Duration.ZERO;
        }
        if (n instanceof Node.Scalar s && s.value instanceof Number num) {
            double sec = num.doubleValue();
            if (sec > MAX_SECONDS && (Double.isFinite(sec) || tooLarge(n))) {
                problem(n, where + " must be at most " + fmt(MAX_SECONDS) + " seconds (365 days), got " + written(n));
                return null;
            }
            if (!(sec > 0) || !Double.isFinite(sec)) {
                problem(
                        n,
                        where
                                + (zero
                                        ? " must be " + rule + ": seconds (5) or a number with a unit (500ms, 5s)"
                                        : " must be a positive number of seconds")
                                + ", got " + (Double.isFinite(sec) ? written(n) : fmt(sec)));
                return null;
            }
            if ((long) (sec * 1e9) == 0) {
                problem(n, where + " must be at least a nanosecond, got " + written(n) + " seconds");
                return null;
            }
            return Duration.ofNanos((long) (sec * 1e9));
        }
        if (n instanceof Node.Scalar s && s.value instanceof String str) {
            Double sec = seconds(str);
            if (sec != null) {
                if (sec > MAX_SECONDS) {
                    problem(n, where + " must be at most 365 days (8760h), got '" + Excerpt.of(str.trim()) + "'");
                    return null;
                }
                if (sec > 0 && (long) (sec * 1e9) == 0) {
                    problem(n, where + " must be at least a nanosecond, got '" + Excerpt.of(str.trim()) + "'");
                    return null;
                }
                if (sec > 0) {
                    return Duration.ofNanos((long) (sec * 1e9));
                }
                if (zero && sec == 0) {
                    return Duration.ZERO;
                }
                problem(n, where + " must be " + rule + ", got '" + Excerpt.of(str.trim()) + "'");
                return null;
            }
            problem(n, where + " must be " + rule + ": " + DURATION_FORMS + ", got '" + Excerpt.of(str.trim()) + "'");
            return null;
        }
        problem(n, where + " must be " + rule + ": " + DURATION_FORMS + ", got " + n.kind());
        return null;
    }

    /**
     * @param p a path that is not there to be read
     * @return why it cannot be reached when a folder on its way may not be entered (a folder made
     *     chmod 000 says "does not exist" to {@link Files#exists} too), or null when it does not exist
     */
    static @org.jspecify.annotations.Nullable String unreachable(Path p) {
        String why = org.chemfit.support.Reasons.missing(p);
        return why.equals("does not exist") ? null : why;
    }

    /** @return " names a file that does not exist: ..." with its hint, or " names a file that cannot be reached: ..." */
    private String missing(Path p, String written) {
        String unreachable = unreachable(p);
        return unreachable != null
                ? " names a file that " + unreachable + ": " + p
                : " names a file that does not exist: " + p + notFoundHint(written);
    }

    Path path(Node n, String where, boolean mustExist) {
        String s = string(n, where);
        if (s == null) {
            return null;
        }
        Path p = folder.resolve(s).normalize();
        if (mustExist) {
            if (Files.isDirectory(p)) {
                problem(n, where + " names a folder, not a file: " + p);
                return null;
            }
            if (!Files.isRegularFile(p)) {
                problem(
                        n,
                        where
                                + (Files.exists(p)
                                        ? " names something that is not a regular file (a device, a pipe or a"
                                                + " socket): " + p
                                        : missing(p, s)));
                return null;
            }
            if (!Files.isReadable(p)) {
                problem(n, where + " names a file this user may not read (permission denied): " + p);
                return null;
            }
            namedFiles.add(p);
        }
        return p;
    }

    /**
     * What to add to the message that a path of the job file names nothing: how it was written
     * wrong ({@link #separatorHint}), or else that paths are relative to the job file's folder, and
     * how to write it when the path given names something relative to the current folder (the job
     * file was named from another folder).
     *
     * @param written the path as the job file gives it
     * @return {@code "; paths in a job file are relative to its folder /tmp/tc/b, and
     *     b/data/ref.csv exists relative to the current folder: write data/ref.csv"}, its first part
     *     alone when nothing is there either, or "" for an absolute path
     */
    String notFoundHint(String written) {
        String separator = separatorHint(written);
        if (!separator.isEmpty()) {
            return separator;
        }
        Path given;
        try {
            given = Path.of(written);
        } catch (java.nio.file.InvalidPathException e) {
            return "";
        }
        if (given.isAbsolute()) {
            return "";
        }
        String hint = "; paths in a job file are relative to its folder " + folder;
        Path here = given.toAbsolutePath().normalize();
        if (!here.equals(folder.resolve(given).normalize()) && Files.exists(here)) {
            String relative = folder.relativize(here).toString();
            hint += ", and " + written + " exists relative to the current folder: write "
                    + (relative.isEmpty() ? "." : relative);
        } else if (Files.isSymbolicLink(file)) {
            // a job file reached through a link: its paths are taken beside the link, not its target
            try {
                Path target = file.toRealPath();
                Path beside = target.getParent() == null
                        ? null
                        : target.getParent().resolve(given).normalize();
                if (beside != null && Files.exists(beside)) {
                    hint += " (where the link " + file.getFileName() + " is), and " + written + " exists beside the"
                            + " file it links to, " + target + ": run that file, or give the path from " + folder;
                }
            } catch (java.io.IOException e) {
                // a link that leads nowhere: the job file could not have been read
            }
        }
        return hint;
    }

    /**
     * What to add to the message that a path of the job file names nothing: a path written with
     * Windows' backslashes ({@code data\ref.csv}) is one name with backslashes in it on other
     * systems, so that it is found nowhere.
     *
     * @param written the path as the job file gives it (or as it was resolved: a Windows drive is
     *     also found after a '/')
     * @return {@code "; paths in a job file use '/' as separator: data/ref.csv"} when it holds a
     *     backslash (a path from a Windows drive is told to be given as this machine knows it); that
     *     no shell expands {@code ~} and {@code $HOME} in a job file when it holds them (a shell
     *     would, so the path may be one that works on the command line); else ""
     */
    static String separatorHint(String written) {
        return separatorHint(written, "a job file's paths", "the job file's folder");
    }

    /**
     * {@link #separatorHint(String)} for a path written elsewhere (a reference CSV's file column).
     *
     * @param written the path as written there
     * @param paths what the paths are, for the message ("a reference CSV's paths")
     * @param base the folder they are relative to ("its folder /data")
     * @return the hint, or ""
     */
    static String separatorHint(String written, String paths, String base) {
        if (written.indexOf('\\') < 0) {
            return SHELL_WORDS.matcher(written).find()
                    ? "; " + paths + " are not expanded as a shell expands them ('~' and $VARIABLES are taken as"
                            + " they are written): give the path itself, relative to " + base + " or absolute"
                    : "";
        }
        if (WINDOWS_DRIVE.matcher(written).find()) {
            // C:\data\x.csv names a drive this machine has not: no '/' form of it would be found
            return "; paths use '/' as separator, and a Windows drive such as C: names nothing here: give the"
                    + " file's path on this machine";
        }
        return "; paths in a job file use '/' as separator: " + written.replace('\\', '/');
    }

    /**
     * @param written a path as the job file writes it
     * @return whether it holds a home folder at its start or a variable, which a shell would expand
     */
    static boolean shellWords(String written) {
        return SHELL_WORDS.matcher(written).find();
    }

    /**
     * A home folder at a path's start or a variable, as a shell expands them: {@code ~/data},
     * {@code ~me/data}, {@code $HOME/data}, {@code ${SCRATCH}} (not {@code data/~/x}, which a shell
     * leaves too).
     */
    private static final java.util.regex.Pattern SHELL_WORDS =
            java.util.regex.Pattern.compile("^~[A-Za-z0-9_.-]*(/|$)|\\$\\{?[A-Za-z_][A-Za-z0-9_]*");

    /** A Windows drive at the start of a path, or of a part of it after a '/': {@code C:\}. */
    private static final java.util.regex.Pattern WINDOWS_DRIVE = java.util.regex.Pattern.compile("(^|/)[A-Za-z]:\\\\");

    /**
     * @param name a misspelt name
     * @param known the names there are
     * @return the closest known name by edit distance, else one that shares a long prefix with
     *     it ("max_evals" for "max_evaluations"), else null
     */
    static String suggest(String name, java.util.Collection<String> known) {
        return Names.suggest(name, known);
    }

    /** What the job declares besides the terms: units and coordinate columns, and the term names used so far. */
    static final class UnitsReading {
        final Map<String, String> parameters = new LinkedHashMap<>();
        /** The node of each declared unit of {@link #parameters}, for the line of a warning. */
        final Map<String, Node> parameterUnitNodes = new LinkedHashMap<>();
        /** Parameters whose unit has been warned of, so that each is said once. */
        final java.util.Set<String> unitsWarned = new java.util.HashSet<>();

        final Map<String, Map<String, String>> quantities = new LinkedHashMap<>();
        final Map<String, JobFile.Coordinate> coordinates = new LinkedHashMap<>();
        /** Names of fit and validation terms: one name, one term, across both sections. */
        final Map<String, Node> termNames = new LinkedHashMap<>();
        /** The names of {@link #termNames} that were given to unnamed terms. */
        final java.util.Set<String> defaultTermNames = new java.util.HashSet<>();

        JobFile.Units units() {
            return new JobFile.Units(parameters, quantities, coordinates);
        }
    }

    /** The longest unit, in characters: {@code kcal/mol/Angstrom} (17) and {@code kcal mol^-1 A^-1} fit. */
    static final int UNIT_CHARS = 24;

    /** A unit: a short text such as eV, K, eV/A or kcal/mol. */
    String unit(Node n, String where) {
        if (!(n instanceof Node.Scalar s) || !(s.value instanceof String str)) {
            problem(
                    n,
                    where + " must be a text such as eV, K or eV/A, got "
                            + (n instanceof Node.Scalar sc && sc.value != null ? "the number " + sc.value : n.kind()));
            return null;
        }
        String u = str.strip();
        if (u.isEmpty() || u.length() > UNIT_CHARS || u.chars().anyMatch(c -> Character.isISOControl(c))) {
            problem(
                    n,
                    where + " must be 1 to " + UNIT_CHARS + " printable characters (such as eV, K or eV/A), got '"
                            + Excerpt.of(str) + "'");
            return null;
        }
        return u;
    }

    void problem(Node n, String message) {
        problem(n.line, n.column, message);
    }

    /**
     * A problem inside a file the job names (a data file), at that file's line.
     *
     * @param file the file, absolute
     * @param line its line, from 1 (0 for the file as a whole)
     * @param message the rule broken and the value found
     */
    void fileProblem(Path file, int line, String message) {
        problems.add(new JobFileException.Problem(shown(file), line, 0, message));
    }

    /**
     * A text file the job names (a template) that is not UTF-8 is a problem at the line of its first
     * byte that is not, naming that byte and its column.
     *
     * @param file the file, absolute
     * @param what the kind of file in words ("a template")
     * @return false when it is not UTF-8 text and that was reported now; true otherwise (a file
     *     that cannot be read is reported where it is read, and one checked before was reported then)
     */
    boolean utf8(Path file, String what) {
        org.chemfit.support.Utf8Text.Place bad;
        if (!utf8Checked.add(file.toAbsolutePath().normalize())) {
            return true; // reported, if at all, for the first term that names it
        }
        try {
            bad = org.chemfit.support.Utf8Text.firstBadByte(file);
        } catch (java.io.IOException | RuntimeException e) {
            return true;
        }
        if (bad != null) {
            fileProblem(
                    file,
                    bad.line(),
                    bad.problem(what)
                            + (what.equals("a template") && holdsNul(file)
                                    ? "; or, if it is no text to render (a binary table, a file the program reads as"
                                            + " it is), stage it with files, which copies it unchanged"
                                    : ""));
        }
        return bad == null;
    }

    /** @return whether the file's first 64 KiB hold a NUL byte, which no text file does (false when it cannot be read) */
    private static boolean holdsNul(Path file) {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            for (byte b : in.readNBytes(1 << 16)) {
                if (b == 0) {
                    return true;
                }
            }
        } catch (java.io.IOException e) {
            return false;
        }
        return false;
    }

    /**
     * @param file a file the job names, absolute
     * @return it as the user reaches it: beside the job file as the user named that (such as
     *     examples/argon/data/ar2.csv for examples/argon/fit.yaml), or absolute when outside its folder
     */
    Path shown(Path file) {
        return shownBeside(shown, folder, file);
    }

    /**
     * @param job the job file as the user named it
     * @param folder the job's folder, absolute
     * @param file a file the job names
     * @return the file as the user reaches it: beside the job file as the user named that, or
     *     absolute when outside its folder
     */
    static Path shownBeside(Path job, Path folder, Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path base = folder.toAbsolutePath().normalize();
        if (!abs.startsWith(base)) {
            return abs;
        }
        Path parent = job.getParent();
        Path rel = base.relativize(abs);
        return parent == null ? rel : parent.resolve(rel);
    }

    void problem(int line, int column, String message) {
        // a message repeats names from the file, which a hostile file may make a megabyte long
        String m = message.length() > 2000
                ? message.substring(0, 2000) + "... (" + message.length() + " characters)"
                : message;
        problems.add(new JobFileException.Problem(shown, line, column, m));
    }

    static String fmt(double d) {
        if (d == Double.POSITIVE_INFINITY) {
            return ".inf";
        }
        if (d == Double.NEGATIVE_INFINITY) {
            return "-.inf";
        }
        if (Double.isNaN(d)) {
            return ".nan";
        }
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}

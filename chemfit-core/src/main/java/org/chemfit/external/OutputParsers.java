package org.chemfit.external;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.chemfit.Quantities;
import org.jspecify.annotations.Nullable;

/**
 * The built-in output parsers: a regular expression, a column of a whitespace table, a JSON path
 * and the thermo table of a LAMMPS log. Each reads one quantity from one file of the run directory.
 *
 * <pre>{@code
 * OutputParsers.regex("energy", "out.txt", "E = (\\S+)").last();
 * OutputParsers.column("g", "rdf.dat", "c_rdf[2]").all();          // an array
 * OutputParsers.column("t", "table.dat", 3).meanOfLast(10);
 * OutputParsers.json("gap", "result.json", "bands.gap");           // or "/bands/gap"
 * OutputParsers.lammpsThermo("pe", "log.lammps", "PotEng").last(); // last row of the last run
 * OutputParsers.xvg("rho", "energy.xvg", "Density").window(30, 80).mean(); // GROMACS .xvg
 * }</pre>
 *
 * <p>A missing file, no match, or a value that is not a finite number fails with an
 * {@link OutputParseException} naming the file, the parser and an excerpt of the text. A row of
 * a table that is not all numbers (a line cut short by a killed run or a full disk, garbage) fails
 * too, with the file, line, column and value, whichever rows and column are selected: see {@link
 * Column} and {@link LammpsThermo}. A JSON file with anything but whitespace after its value fails.
 *
 * <p>The factories throw {@link IllegalArgumentException} for an empty quantity name, a file
 * path that is absolute or leaves the run directory, or an invalid pattern, column or path.
 *
 * @implNote Every parser is immutable and thread-safe; withers return copies.
 */
public final class OutputParsers {

    /**
     * Reads the output files of the json parser: {@code NaN}, {@code Infinity} and {@code
     * -Infinity}, which Python's {@code json.dump} writes though JSON has no such numbers, are read
     * as numbers, to be refused as every parser refuses a number that is not finite.
     */
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private static final int EXCERPT_LINES = 8;
    private static final int EXCERPT_CHARS = 800;

    private OutputParsers() {}

    /**
     * @param parser a parser
     * @return the file a built-in parser reads, relative to the run directory; null for a parser
     *     written in Java, which may read any files
     */
    static @Nullable String fileOf(OutputParser parser) {
        String[] read = fileAndQuantity(parser);
        return read == null ? null : read[0];
    }

    /**
     * @param parser a parser
     * @return the quantity a built-in parser reads; null for a parser written in Java, whose
     *     quantities are known only once it has read them
     */
    static @Nullable String quantityOf(OutputParser parser) {
        String[] read = fileAndQuantity(parser);
        return read == null ? null : read[1];
    }

    /** @return the file and the quantity of a built-in parser; null for one written in Java */
    private static String @Nullable [] fileAndQuantity(OutputParser parser) {
        if (parser instanceof Regex r) {
            return new String[] {r.file, r.quantity};
        }
        if (parser instanceof Column c) {
            return new String[] {c.file, c.quantity};
        }
        if (parser instanceof Json j) {
            return new String[] {j.file, j.quantity};
        }
        if (parser instanceof LammpsThermo l) {
            return new String[] {l.file, l.quantity};
        }
        if (parser instanceof XvgParser x) {
            return new String[] {x.file(), x.quantity()};
        }
        return null;
    }

    /** Which values a parser takes when there are several. */
    enum Pick {
        FIRST,
        LAST,
        ALL,
        MEAN,
        MEAN_OF_LAST
    }

    /**
     * @param quantity the quantity's name
     * @param file the file, relative to the run directory
     * @param regex a regular expression; its first group is the value when it has groups
     * @return a parser of the first match (change with {@code last()}, {@code all()}, {@code group(...)})
     * @throws IllegalArgumentException when the expression does not compile, the quantity is blank,
     *     or the file is absolute or leaves the run directory
     */
    public static Regex regex(String quantity, String file, String regex) {
        Pattern p;
        try {
            p = Pattern.compile(Objects.requireNonNull(regex, "regex"), Pattern.MULTILINE);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                    "invalid regular expression for '" + quantity + "': " + e.getMessage(), e);
        }
        return new Regex(
                checkQuantity(quantity), checkFile(file), p, null, p.matcher("").groupCount() > 0 ? 1 : 0, Pick.FIRST);
    }

    /**
     * @param quantity the quantity's name
     * @param file the file, relative to the run directory
     * @param header the column's name in the table's header line (a leading {@code #} is ignored)
     * @return a parser of the last row (change with {@code first()}, {@code meanOfLast(n)}, {@code all()})
     * @throws IllegalArgumentException when the header is not one word, the quantity is blank, or
     *     the file is absolute or leaves the run directory
     */
    public static Column column(String quantity, String file, String header) {
        if (header == null || header.isBlank() || header.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("a column header must be one word, got '" + header + "'");
        }
        return new Column(checkQuantity(quantity), checkFile(file), header, -1, Pick.LAST, 0);
    }

    /**
     * @param quantity the quantity's name
     * @param file the file, relative to the run directory
     * @param index the column's index, from 0; every all-number line with enough columns is a row
     *     (see {@link Column} for the lines that fail)
     * @return a parser of the last row (change with {@code first()}, {@code meanOfLast(n)}, {@code all()})
     * @throws IllegalArgumentException when the index is negative, the quantity is blank, or the
     *     file is absolute or leaves the run directory
     */
    public static Column column(String quantity, String file, int index) {
        if (index < 0) {
            throw new IllegalArgumentException("a column index must be 0 or more, got " + index);
        }
        return new Column(checkQuantity(quantity), checkFile(file), null, index, Pick.LAST, 0);
    }

    /**
     * @param quantity the quantity's name
     * @param file the JSON file, relative to the run directory
     * @param path a JSON Pointer ({@code /a/b/0}) or a dotted path ({@code a.b[0]} or {@code a.b.0});
     *     a number gives a scalar, an array of numbers an array
     * @return the parser
     */
    public static Json json(String quantity, String file, String path) {
        return new Json(checkQuantity(quantity), checkFile(file), path, toPointer(path));
    }

    /**
     * @param quantity the quantity's name
     * @param logFile the LAMMPS log, relative to the run directory
     * @param column a thermo column as LAMMPS prints it in the header ({@code PotEng}, {@code Press}, {@code c_msd[4]})
     * @return a parser of the last row of the last run or minimize block (change with {@code run(k)},
     *     {@code mean()}, {@code meanOfLast(n)}, {@code first()}, {@code all()})
     * @throws IllegalArgumentException when the column is not one word, the quantity is blank, or
     *     the file is absolute or leaves the run directory
     */
    public static LammpsThermo lammpsThermo(String quantity, String logFile, String column) {
        if (column == null || column.isBlank() || column.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("a thermo column must be one word, got '" + column + "'");
        }
        return new LammpsThermo(checkQuantity(quantity), checkFile(logFile), column, -1, Pick.LAST, 0);
    }

    /**
     * @param quantity the quantity's name
     * @param file an {@code .xvg} file (GROMACS, Grace), relative to the run directory
     * @param legend the column's legend, as in {@code @ s1 legend "Density"}
     * @return a parser of the last row (change with {@code mean()}, {@code window(from, to)}, ...); see {@link XvgParser}
     * @throws IllegalArgumentException when the legend or quantity is blank, or the file is absolute
     *     or leaves the run directory
     */
    public static XvgParser xvg(String quantity, String file, String legend) {
        return XvgParser.column(quantity, file, legend);
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * Reads a value with a regular expression (multi-line mode: {@code ^} and {@code $} match at lines).
     *
     * <pre>{@code
     * OutputParsers.regex("energy", "out.txt", "Energy:\\s+(?<e>\\S+)").group("e").last();
     * }</pre>
     *
     * @implNote Immutable and thread-safe.
     */
    public static final class Regex implements OutputParser {
        private final String quantity;
        private final String file;
        private final Pattern pattern;
        private final @Nullable String groupName;
        private final int group;
        private final Pick pick;

        private Regex(String quantity, String file, Pattern pattern, @Nullable String groupName, int group, Pick pick) {
            this.quantity = quantity;
            this.file = file;
            this.pattern = pattern;
            this.groupName = groupName;
            this.group = group;
            this.pick = pick;
        }

        /** @return a copy that takes the first match */
        public Regex first() {
            return new Regex(quantity, file, pattern, groupName, group, Pick.FIRST);
        }

        /** @return a copy that takes the last match */
        public Regex last() {
            return new Regex(quantity, file, pattern, groupName, group, Pick.LAST);
        }

        /** @return a copy that takes every match, as an array */
        public Regex all() {
            return new Regex(quantity, file, pattern, groupName, group, Pick.ALL);
        }

        /**
         * @param g the group whose text is the value (0 for the whole match)
         * @return a copy reading that group
         * @throws IllegalArgumentException when the pattern has no such group
         */
        public Regex group(int g) {
            int count = pattern.matcher("").groupCount();
            if (g < 0 || g > count) {
                throw new IllegalArgumentException("pattern /" + pattern + "/ has groups 0.." + count + ", got " + g);
            }
            return new Regex(quantity, file, pattern, null, g, pick);
        }

        /**
         * @param name a named group of the pattern
         * @return a copy reading that group
         * @throws IllegalArgumentException when the pattern has no such group
         */
        public Regex group(String name) {
            if (!pattern.pattern().contains("(?<" + name + ">")) {
                throw new IllegalArgumentException("pattern /" + pattern + "/ has no group named '" + name + "'");
            }
            return new Regex(quantity, file, pattern, name, -1, pick);
        }

        @Override
        public Quantities parse(Path runDirectory) throws IOException {
            String text = read(runDirectory, file, this);
            Matcher m = pattern.matcher(text);
            List<String> found = new ArrayList<>();
            while (m.find()) {
                String g = groupName != null ? m.group(groupName) : m.group(group);
                if (g != null) {
                    found.add(g);
                    if (pick == Pick.FIRST) {
                        break;
                    }
                }
            }
            if (found.isEmpty()) {
                throw new OutputParseException(file, toString(), "no match", excerpt(text, false));
            }
            if (pick == Pick.ALL) {
                double[] a = new double[found.size()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = number(found.get(i), file, this, text);
                }
                return Quantities.builder().put(quantity, a).build();
            }
            String s = pick == Pick.FIRST ? found.get(0) : found.get(found.size() - 1);
            return Quantities.of(quantity, number(s, file, this, text));
        }

        @Override
        public String toString() {
            return "regex /" + pattern + "/ (" + pick.name().toLowerCase(java.util.Locale.ROOT) + " match, group "
                    + (groupName != null ? groupName : Integer.toString(group)) + ") for '" + quantity + "'";
        }
    }

    /**
     * Reads a column of a whitespace-separated table, by header name or index. Blank lines and
     * lines that begin with {@code #} are skipped everywhere.
     *
     * <p>By header: the table is the lines after the first line that names the column (its header,
     * a leading {@code #} ignored). A line with as many fields as the header is a row and must be
     * all numbers, unless it repeats the header or is text (a message, a footer, a rule of dashes:
     * see {@link #isText}; {@code 1.0e}, {@code ****} or {@code --} before numbers are no text). A line with
     * another number of fields is not a row: skipped when it begins with a word or is all numbers
     * (the block lines of {@code fix ave/time}); it fails when it begins with a number and holds a
     * field that is not a number, and when it is the last line, after rows, with fewer fields than
     * the header (a row cut short).
     *
     * <p>By index: every all-number line with more fields than the index is a row. From the first
     * row on, a line that begins with a number and holds a field that is not a number fails, and so
     * does a last line of numbers too short to hold the column; lines that begin with a word are
     * skipped.
     *
     * <p>A failure names the file, line, column and value ({@code table.dat:4: '1.0e' in column
     * 'E' is not a number, ...}) whichever row and column are selected; {@code nan} and {@code inf}
     * are numbers here, and fail only when a selected value is one.
     *
     * <pre>{@code
     * OutputParsers.column("pe", "thermo.dat", "pe").meanOfLast(20);
     * }</pre>
     *
     * @implNote Immutable and thread-safe.
     */
    public static final class Column implements OutputParser {
        private final String quantity;
        private final String file;
        private final @Nullable String header;
        private final int index;
        private final Pick pick;
        private final int n;

        private Column(String quantity, String file, @Nullable String header, int index, Pick pick, int n) {
            this.quantity = quantity;
            this.file = file;
            this.header = header;
            this.index = index;
            this.pick = pick;
            this.n = n;
        }

        /** @return a copy that takes the first row */
        public Column first() {
            return new Column(quantity, file, header, index, Pick.FIRST, 0);
        }

        /** @return a copy that takes the last row */
        public Column last() {
            return new Column(quantity, file, header, index, Pick.LAST, 0);
        }

        /** @return a copy that takes every row, as an array */
        public Column all() {
            return new Column(quantity, file, header, index, Pick.ALL, 0);
        }

        /**
         * @param rows how many rows at the end to average
         * @return a copy that averages them
         * @throws IllegalArgumentException when rows is less than 1
         */
        public Column meanOfLast(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("meanOfLast needs at least 1 row, got " + rows);
            }
            return new Column(quantity, file, header, index, Pick.MEAN_OF_LAST, rows);
        }

        @Override
        public Quantities parse(Path runDirectory) throws IOException {
            String text = read(runDirectory, file, this);
            String[] lines = text.split("\\R");
            int col = index;
            int width = -1;
            int start = 0;
            if (header != null) {
                for (int i = 0; i < lines.length && width < 0; i++) {
                    List<String> t = headerTokens(lines[i]);
                    int k = t.indexOf(header);
                    if (k >= 0 && !allNumbers(t)) {
                        if (t.lastIndexOf(header) != k) {
                            throw new OutputParseException(
                                    file,
                                    toString(),
                                    file + ":" + (i + 1) + ": the header line '" + abbreviate(lines[i].strip())
                                            + "' names column '" + header + "' more than once (columns " + k
                                            + " and " + t.lastIndexOf(header) + ", from 0): which one to read is"
                                            + " not clear; read it by index instead",
                                    XvgParser.excerptAt(text, i + 1));
                        }
                        col = k;
                        width = t.size();
                        start = i + 1;
                    }
                }
                if (width < 0) {
                    throw new OutputParseException(
                            file,
                            toString(),
                            "no header line names column '" + header + "'" + didYouMean(lines, header)
                                    + commaHint(lines, header),
                            excerpt(text, true));
                }
            }
            List<String> names = width >= 0 ? headerTokens(lines[start - 1]) : List.of();
            int last = lastContentLine(lines, start);
            List<String> values = new ArrayList<>();
            for (int i = start; i < lines.length; i++) {
                String line = lines[i].strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                List<String> t = List.of(line.split("\\s+"));
                boolean numbers = allNumbers(t);
                if (width >= 0 && t.size() == width) {
                    // a line as wide as the header is a row, unless it repeats the header or is
                    // text that happens to have as many words ("Done." under a table of one column)
                    if (numbers) {
                        values.add(t.get(col));
                    } else if (!t.equals(names) && !isText(t)) {
                        throw notANumber(
                                file,
                                this,
                                text,
                                i,
                                t,
                                names,
                                "a row of the table (" + width + " columns, header at line " + start + ")");
                    }
                    continue;
                }
                if (width < 0 && numbers && t.size() > col) {
                    values.add(t.get(col));
                    continue;
                }
                if (isText(t) || (width < 0 && values.isEmpty())) {
                    // text (a message, a footer), or a line before the first row of a table read by index
                    continue;
                }
                int need = width >= 0 ? width : col + 1;
                if (!numbers) {
                    throw notANumber(
                            file, this, text, i, t, names, "a line that begins with a number, which is read as a row");
                }
                if (i == last && !values.isEmpty() && t.size() < need) {
                    throw cutShort(file, this, text, i, t.size(), need, width >= 0);
                }
                // else a line of numbers of another width, as the block lines of fix ave/time: not a row
            }
            if (values.isEmpty()) {
                throw new OutputParseException(
                        file,
                        toString(),
                        "no rows of numbers"
                                + (width >= 0
                                        ? " with " + width + " columns after the header"
                                        : " with a column " + col),
                        excerpt(text, true));
            }
            return picked(quantity, values, pick, n, file, this, text);
        }

        @Override
        public String toString() {
            return "column " + (header != null ? "'" + header + "'" : Integer.toString(index)) + " ("
                    + pickName(pick, n) + ") for '" + quantity + "'";
        }
    }

    /**
     * Reads a number or an array of numbers from a JSON file. The file must hold one JSON value:
     * anything but whitespace after it (a second value, garbage) fails with the line and column
     * where it begins, rather than being ignored.
     *
     * <pre>{@code
     * OutputParsers.json("energy", "result.json", "results.energy");
     * }</pre>
     *
     * @implNote Immutable and thread-safe.
     */
    public static final class Json implements OutputParser {
        private final String quantity;
        private final String file;
        private final String path;
        private final JsonPointer pointer;

        private Json(String quantity, String file, String path, JsonPointer pointer) {
            this.quantity = quantity;
            this.file = file;
            this.path = path;
            this.pointer = pointer;
        }

        /**
         * @param root the file's content
         * @return " (did you mean '/energy'?)" when the object that would hold the value has a key
         *     close to the path's last one, written as the path is, else ""
         */
        private String nearKey(@Nullable JsonNode root) {
            JsonPointer head = pointer.head();
            String last = pointer.last() == null ? null : pointer.last().getMatchingProperty();
            JsonNode parent = root == null || head == null ? null : root.at(head);
            if (last == null || parent == null || !parent.isObject()) {
                return "";
            }
            List<String> keys = new ArrayList<>();
            parent.fieldNames().forEachRemaining(keys::add);
            String near = org.chemfit.support.Names.suggest(last, keys);
            if (near == null) {
                return "";
            }
            return " (did you mean '"
                    + (path.endsWith(last) ? path.substring(0, path.length() - last.length()) + near : near) + "'?)";
        }

        @Override
        public Quantities parse(Path runDirectory) throws IOException {
            String text = read(runDirectory, file, this);
            JsonNode root;
            try (com.fasterxml.jackson.core.JsonParser p = JSON.createParser(text)) {
                root = JSON.readTree(p);
                trailing(p, text);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new OutputParseException(
                        file,
                        toString(),
                        "not valid JSON: " + org.chemfit.support.JsonErrors.withPlace(e),
                        excerpt(text, false));
            }
            JsonNode node = root == null ? null : root.at(pointer);
            if (node == null || node.isMissingNode()) {
                throw new OutputParseException(
                        file, toString(), "no value at '" + path + "'" + nearKey(root), excerpt(text, false));
            }
            if (node.isNumber()) {
                return Quantities.of(quantity, finiteAt(node, "the value", text));
            }
            if (node.isArray()) {
                double[] a = new double[node.size()];
                for (int i = 0; i < a.length; i++) {
                    JsonNode e = node.get(i);
                    if (!e.isNumber()) {
                        throw new OutputParseException(
                                file,
                                toString(),
                                "element " + i + " at '" + path + "' is not a number: " + e,
                                excerpt(text, false));
                    }
                    a[i] = finiteAt(e, "element " + i, text);
                }
                return Quantities.builder().put(quantity, a).build();
            }
            throw new OutputParseException(
                    file, toString(), "the value at '" + path + "' is not a number: " + node, excerpt(text, false));
        }

        /**
         * @param p the parser, after the file's JSON value
         * @param text the file's text
         * @throws OutputParseException when anything but whitespace follows the value (a second
         *     value, the rest of an earlier run's file, garbage), naming the line and column where it
         *     begins
         */
        private void trailing(com.fasterxml.jackson.core.JsonParser p, String text) {
            com.fasterxml.jackson.core.JsonLocation end = p.currentLocation();
            boolean more;
            try {
                more = p.nextToken() != null;
            } catch (IOException e) {
                more = true; // text that is not even a JSON token
            }
            if (!more) {
                return;
            }
            String[] lines = text.split("\\R", -1);
            int ln = Math.max(1, end.getLineNr());
            int from = Math.max(0, end.getColumnNr() - 1);
            String rest = ln <= lines.length ? lines[ln - 1].substring(Math.min(from, lines[ln - 1].length())) : "";
            while (rest.isBlank() && ln < lines.length) {
                ln++;
                from = 0;
                rest = lines[ln - 1];
            }
            int lead = rest.length() - rest.stripLeading().length();
            throw new OutputParseException(
                    file,
                    toString(),
                    file + ":" + ln + ": there is data after the JSON value, from column " + (from + lead + 1)
                            + ": '" + abbreviate(rest.strip()) + "'; the file must hold one JSON value (is it"
                            + " written twice, or by two runs?)",
                    XvgParser.excerptAt(text, ln));
        }

        /**
         * @param node a number node
         * @param what what the value is, for the message
         * @return its value, when finite
         * @throws OutputParseException naming the value, the path and the rule when it is not
         */
        private double finiteAt(JsonNode node, String what, String text) {
            double d = node.asDouble();
            if (Double.isFinite(d)) {
                return d;
            }
            // the token as the file writes it (NaN, Infinity, -Infinity), to be found in the excerpt
            String raw = Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
            throw new OutputParseException(
                    file,
                    toString(),
                    what + " '" + raw + "' at '" + path + "' is not a finite number",
                    excerptAround(text, raw));
        }

        @Override
        public String toString() {
            return "json '" + path + "' for '" + quantity + "'";
        }
    }

    /**
     * Reads a thermo column of a LAMMPS log. A log holds one thermo table per {@code run} or
     * {@code minimize}; the last one with rows is read unless {@link #run(int)} says otherwise.
     * A table runs from its header to {@code Loop time of} (or an {@code ERROR} line, or the end of
     * the log). In it, a line of numbers with as many fields as the header is a row. A line with as
     * many fields that begins with a number and has exactly one field that is not a number is a
     * row cut short or garbled ({@code 20 -0.5 banana}), and the parse fails naming the file, line,
     * column and value (in any table of the log, whichever table, row and column are selected); the
     * other lines LAMMPS prints among the rows (warnings, SHAKE statistics, {@code fix print}
     * messages such as {@code 20 steps are done}, lines of another number of fields) are skipped.
     * When the log ends inside a table, a last line that begins with a number and has fewer fields
     * than the header is a row cut short, and fails, and so does a last row with no line break at
     * its end (LAMMPS ends every row with one: the row was cut while it was written, perhaps inside
     * its last number). Only the default one-line thermo style is read
     * ({@code thermo_style multi} and {@code yaml} are not).
     *
     * <pre>{@code
     * OutputParsers.lammpsThermo("press", "log.lammps", "Press").run(1).mean();
     * }</pre>
     *
     * @implNote Immutable and thread-safe.
     */
    public static final class LammpsThermo implements OutputParser {
        private final String quantity;
        private final String file;
        private final String column;
        private final int run;
        private final Pick pick;
        private final int n;

        private LammpsThermo(String quantity, String file, String column, int run, Pick pick, int n) {
            this.quantity = quantity;
            this.file = file;
            this.column = column;
            this.run = run;
            this.pick = pick;
            this.n = n;
        }

        /**
         * @param k which thermo table: 0 for the first run or minimize, -1 for the last (the default), -2 for the one before
         * @return a copy reading that table
         */
        public LammpsThermo run(int k) {
            return new LammpsThermo(quantity, file, column, k, pick, n);
        }

        /** @return a copy that takes the first row */
        public LammpsThermo first() {
            return new LammpsThermo(quantity, file, column, run, Pick.FIRST, 0);
        }

        /** @return a copy that takes the last row */
        public LammpsThermo last() {
            return new LammpsThermo(quantity, file, column, run, Pick.LAST, 0);
        }

        /** @return a copy that averages every row of the table */
        public LammpsThermo mean() {
            return new LammpsThermo(quantity, file, column, run, Pick.MEAN, 0);
        }

        /**
         * @param rows how many rows at the end to average
         * @return a copy that averages them
         * @throws IllegalArgumentException when rows is less than 1
         */
        public LammpsThermo meanOfLast(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("meanOfLast needs at least 1 row, got " + rows);
            }
            return new LammpsThermo(quantity, file, column, run, Pick.MEAN_OF_LAST, rows);
        }

        /** @return a copy that takes every row, as an array */
        public LammpsThermo all() {
            return new LammpsThermo(quantity, file, column, run, Pick.ALL, 0);
        }

        @Override
        public Quantities parse(Path runDirectory) throws IOException {
            String text = read(runDirectory, file, this);
            String[] lines = text.split("\\R");
            List<List<String>> headers = new ArrayList<>();
            List<List<String[]>> tables = new ArrayList<>();
            List<String> header = null;
            List<String[]> rows = null;
            int headerAt = -1;
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i].strip();
                if (header == null) {
                    boolean afterMemory = i > 0 && lines[i - 1].startsWith("Per MPI rank memory");
                    boolean stepHeader = line.startsWith("Step ")
                            && i + 1 < lines.length
                            && allNumbers(List.of(lines[i + 1].strip().split("\\s+")));
                    if ((afterMemory || stepHeader) && !line.isEmpty()) {
                        header = List.of(line.split("\\s+"));
                        headerAt = i;
                        rows = new ArrayList<>();
                        headers.add(header);
                        tables.add(rows);
                    }
                    continue;
                }
                if (line.startsWith("Loop time of") || line.startsWith("ERROR")) {
                    header = null;
                    continue;
                }
                String[] t = line.split("\\s+");
                if (rows == null || t.length != header.size()) { // rows are set with header
                    continue; // a warning, a fix's message: LAMMPS prints other lines among the rows
                }
                if (allNumbers(List.of(t))) {
                    rows.add(t);
                } else if (looksNumeric(t[0])
                        && java.util.Arrays.stream(t)
                                        .filter(v -> !looksNumeric(v))
                                        .count()
                                == 1) {
                    // a row with one value cut short or garbled; a message that begins with a
                    // number ("20 steps are done", from fix print) has more words, and is skipped
                    throw notANumber(
                            file,
                            this,
                            text,
                            i,
                            List.of(t),
                            header,
                            "a row of the thermo table whose header is line " + (headerAt + 1));
                }
            }
            if (header != null) {
                // the table is not closed by "Loop time of": its last line may be a row cut short
                int last = lastContentLine(lines, headerAt + 1);
                String[] t = last < 0 ? new String[0] : lines[last].strip().split("\\s+");
                if (t.length > 0 && t.length < header.size() && looksNumeric(t[0])) {
                    throw cutShort(file, this, text, last, t.length, header.size(), true);
                }
                if (last == lines.length - 1
                        && !text.endsWith("\n")
                        && t.length == header.size()
                        && allNumbers(List.of(t))) {
                    // LAMMPS ends every thermo line with a line break: a last row without one was cut
                    // while it was written, maybe inside its last number (53 for 530.2)
                    throw new OutputParseException(
                            file,
                            toString(),
                            file + ":" + (last + 1) + ": the last row has no line break at its end, which LAMMPS"
                                    + " writes after every row, and no 'Loop time of' follows: the log was cut short"
                                    + " while this row was written, and its last value may be cut",
                            XvgParser.excerptAt(text, last + 1));
                }
            }
            List<Integer> withRows = new ArrayList<>();
            for (int i = 0; i < tables.size(); i++) {
                if (!tables.get(i).isEmpty()) {
                    withRows.add(i);
                }
            }
            if (withRows.isEmpty()) {
                throw new OutputParseException(
                        file,
                        toString(),
                        "no thermo table found (is it a LAMMPS log with one-line thermo output?)",
                        excerpt(text, true));
            }
            int k = run < 0 ? withRows.size() + run : run;
            if (k < 0 || k >= withRows.size()) {
                throw new OutputParseException(
                        file,
                        toString(),
                        "the log has " + (withRows.size() == 1 ? "1 thermo table" : withRows.size() + " thermo tables")
                                + ", there is no table " + run + " (0 is the first, -1 the last"
                                + (withRows.size() > 1 ? ", " + (withRows.size() - 1) + " the last too" : "") + ")",
                        excerpt(text, true));
            }
            List<String> h = headers.get(withRows.get(k));
            int col = h.indexOf(column);
            if (col < 0) {
                throw new OutputParseException(
                        file,
                        toString(),
                        "thermo table " + k + " has no column '" + column + "'" + nearColumn(column, h)
                                + "; its columns are " + String.join(" ", h),
                        excerpt(text, true));
            }
            List<String> values = new ArrayList<>();
            for (String[] r : tables.get(withRows.get(k))) {
                values.add(r[col]);
            }
            return picked(quantity, values, pick, n, file, this, text);
        }

        @Override
        public String toString() {
            return "LAMMPS thermo '" + column + "' (" + pickName(pick, n) + " of "
                    + (run == -1 ? "the last table" : "table " + run) + ") for '" + quantity + "'";
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static String pickName(Pick pick, int n) {
        return switch (pick) {
            case FIRST -> "first row";
            case LAST -> "last row";
            case ALL -> "all rows";
            case MEAN -> "mean of all rows";
            case MEAN_OF_LAST -> "mean of the last " + n + " rows";
        };
    }

    private static Quantities picked(
            String quantity, List<String> values, Pick pick, int n, String file, Object parser, String text) {
        switch (pick) {
            case FIRST:
                return Quantities.of(quantity, number(values.get(0), file, parser, text));
            case LAST:
                return Quantities.of(quantity, number(values.get(values.size() - 1), file, parser, text));
            case ALL: {
                double[] a = new double[values.size()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = number(values.get(i), file, parser, text);
                }
                return Quantities.builder().put(quantity, a).build();
            }
            default: {
                int from = pick == Pick.MEAN ? 0 : values.size() - n;
                if (from < 0) {
                    throw new OutputParseException(
                            file,
                            String.valueOf(parser),
                            "asked for the mean of the last " + n + " rows, there "
                                    + (values.size() == 1 ? "is only 1" : "are only " + values.size()),
                            excerpt(text, true));
                }
                double sum = 0;
                for (int i = from; i < values.size(); i++) {
                    sum += number(values.get(i), file, parser, text);
                }
                return Quantities.of(quantity, sum / (values.size() - from));
            }
        }
    }

    private static String checkQuantity(String quantity) {
        if (quantity == null || quantity.isBlank()) {
            throw new IllegalArgumentException("a parser needs a quantity name, got '" + quantity + "'");
        }
        return quantity;
    }

    private static String checkFile(String file) {
        RunPaths.checkRelative(file, "output file");
        return file;
    }

    /**
     * Reads an output file as UTF-8 text, or as ISO-8859-1 when it is not valid UTF-8 (as {@link
     * Files#readString} would have it, then again), without the UTF-8 byte-order mark it may begin
     * with; one that begins with a UTF-16 or UTF-32 byte-order mark fails naming that encoding.
     * Read through {@link FileInputStream}, the stream the JDK opens for every program's redirected
     * files: the same system calls as {@link Files#readString} (open, read to the end, close)
     * through far less Java, which counts in a term that runs a few hundred times before its code is
     * compiled.
     */
    static String read(Path runDirectory, String file, Object parser) throws IOException {
        Path p = RunPaths.resolve(runDirectory, file, "output file");
        java.io.File f = p.toFile();
        if (!f.isFile()) { // one stat when the file is there, as it nearly always is
            String kind = otherKind(p, f);
            if (kind != null) {
                throw new OutputParseException(file, String.valueOf(parser), kind, null);
            }
        }
        try {
            byte[] bytes = readBytes(p, f, runDirectory, file, parser);
            String wide = wideEncoding(bytes);
            if (wide != null) {
                throw new OutputParseException(
                        file,
                        String.valueOf(parser),
                        "'" + file + "' is " + wide + "; the parsers read UTF-8: have the program write UTF-8, or"
                                + " convert the file in a command after it and parse the converted one ([sh, -c,"
                                + " \"iconv -f "
                                + (wide.contains("little-endian")
                                        ? "UTF-16LE"
                                        : wide.contains("big-endian") ? "UTF-16BE" : wide.substring(0, 6))
                                + " -t UTF-8 " + file + " > utf8-"
                                + file.substring(file.lastIndexOf('/') + 1) + "\"])",
                        null);
            }
            // a UTF-8 byte-order mark (EF BB BF), as some Windows programs write, is no part of the text
            return decode(bytes, startsWith(bytes, 0xEF, 0xBB, 0xBF) ? 3 : 0);
        } catch (OutOfMemoryError e) {
            // the one large array the file is read into was refused, and is not held: the term
            // fails, and the fit goes on
            throw new OutputParseException(
                    file,
                    String.valueOf(parser),
                    "the file (" + f.length() + " bytes) does not fit in the memory left to Java ("
                            + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB at most, " + e.getMessage()
                            + "); write less into it, or give Java more memory (CHEMFIT_JAVA_OPTS=-Xmx...)",
                    null);
        }
    }

    /**
     * @return what stands where an output file belongs, when it is no regular file and not simply
     *     missing: a folder, a symbolic link that leads to no file, or a named pipe, socket or device
     *     (whose open would wait for a writer, or whose read would never end); null when nothing is there
     */
    private static @Nullable String otherKind(Path p, java.io.File f) {
        if (f.isDirectory()) {
            return "it is a folder, not a file, which a program's output is read from";
        }
        if (!f.exists()) {
            if (!Files.isSymbolicLink(p)) {
                return null; // missing: said with the folder's files
            }
            // "does not exist" beside the link's own name among the folder's files would contradict
            return org.chemfit.support.Reasons.danglingLink(p)
                    + " (it is missing, on another machine, or links in a loop)";
        }
        return "it is not a regular file (a named pipe, a socket or a device), which a program's output is read from";
    }

    private static byte[] readBytes(Path p, java.io.File f, Path runDirectory, String file, Object parser)
            throws IOException {
        try (FileInputStream in = new FileInputStream(f)) {
            return readAll(in, f::length);
        } catch (FileNotFoundException e) {
            // missing, a folder, not readable: told apart, and said, in the file system's own words
            return readWithNio(p, runDirectory, file, parser);
        }
    }

    /**
     * @param bytes a file's bytes
     * @param from where its text begins (3 after a UTF-8 byte-order mark)
     * @return the bytes from there as UTF-8 text, or as ISO-8859-1 when they are not valid UTF-8
     */
    private static String decode(byte[] bytes, int from) {
        String text = new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
        // a malformed sequence reads as U+FFFD: only then (or for a U+FFFD of its own) is the file
        // decoded strictly, to tell which
        if (text.indexOf('\uFFFD') >= 0) {
            try {
                return StandardCharsets.UTF_8
                        .newDecoder()
                        .decode(ByteBuffer.wrap(bytes, from, bytes.length - from))
                        .toString();
            } catch (CharacterCodingException e) {
                return new String(bytes, from, bytes.length - from, StandardCharsets.ISO_8859_1);
            }
        }
        return text;
    }

    /**
     * @param bytes a file's bytes
     * @return what a byte-order mark of UTF-16 or UTF-32 at their start says the file is ("UTF-16
     *     text (it begins with a byte-order mark FF FE)"), or that its first bytes are UTF-16 without
     *     one (every other byte 0, as ASCII in UTF-16 is), or null when neither is so
     */
    static @Nullable String wideEncoding(byte[] bytes) {
        // UTF-32's marks first: FF FE 00 00 begins with UTF-16's FF FE
        if (startsWith(bytes, 0xFF, 0xFE, 0x00, 0x00)) {
            return "UTF-32 text (it begins with a byte-order mark FF FE 00 00)";
        }
        if (startsWith(bytes, 0x00, 0x00, 0xFE, 0xFF)) {
            return "UTF-32 text (it begins with a byte-order mark 00 00 FE FF)";
        }
        if (startsWith(bytes, 0xFF, 0xFE)) {
            return "UTF-16 text (it begins with a byte-order mark FF FE)";
        }
        if (startsWith(bytes, 0xFE, 0xFF)) {
            return "UTF-16 text (it begins with a byte-order mark FE FF)";
        }
        // without a mark: ASCII text in UTF-16 has every other byte 0, which UTF-8 text never has
        int n = Math.min(bytes.length, 256) & ~1;
        if (n >= 4) {
            int evenZeros = 0;
            int oddZeros = 0;
            for (int i = 0; i < n; i += 2) {
                evenZeros += bytes[i] == 0 ? 1 : 0;
                oddZeros += bytes[i + 1] == 0 ? 1 : 0;
            }
            if (oddZeros == n / 2 && evenZeros == 0) {
                return "UTF-16 text without a byte-order mark (little-endian: every other byte is 0)";
            }
            if (evenZeros == n / 2 && oddZeros == 0) {
                return "UTF-16 text without a byte-order mark (big-endian: every other byte is 0)";
            }
        }
        return null;
    }

    /** @return whether the bytes begin with the given ones, each from 0 to 255 */
    private static boolean startsWith(byte[] bytes, int... start) {
        if (bytes.length < start.length) {
            return false;
        }
        for (int i = 0; i < start.length; i++) {
            if ((bytes[i] & 0xFF) != start[i]) {
                return false;
            }
        }
        return true;
    }

    /** @return the file's bytes, read by {@link Files#readAllBytes}, whose exceptions name what is wrong */
    private static byte[] readWithNio(Path p, Path runDirectory, String file, Object parser) throws IOException {
        try {
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new OutputParseException(
                    file,
                    String.valueOf(parser),
                    // the run directory itself is named by the term's failure, once
                    "the file does not exist in the run directory" + missingHint(runDirectory, file),
                    null);
        }
    }

    /** The largest array a file is read into (that of {@code InputStream.readAllBytes}). */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    /**
     * @return every byte to the stream's end, in reads that double a buffer of 8 KiB: a few reads
     *     for a large file, where {@code InputStream.readAllBytes} reads 8 KiB at a time
     */
    static byte[] readAll(InputStream in) throws IOException {
        return readAll(in, () -> 0L);
    }

    /**
     * @param size the file's size, asked once the first 8 KiB are read: the buffer then grows to
     *     hold the whole file at once (a file of 1 GB takes about 1 GB, not the 3 GB of doubling and a
     *     last copy), and doubles beyond it if the file grew
     * @return every byte to the stream's end
     */
    static byte[] readAll(InputStream in, java.util.function.LongSupplier size) throws IOException {
        byte[] b = new byte[8192];
        int n = 0;
        boolean sized = false;
        while (true) {
            int read = in.read(b, n, b.length - n);
            if (read < 0) {
                return n == b.length ? b : Arrays.copyOf(b, n);
            }
            n += read;
            if (n == b.length) {
                if (n == MAX_ARRAY) {
                    throw new OutOfMemoryError("more than " + MAX_ARRAY + " bytes, the most one text holds");
                }
                long want = 2L * n;
                if (!sized) {
                    sized = true;
                    // one byte more than the file holds: its end is then seen without growing again
                    want = Math.max(want, size.getAsLong() + 1);
                }
                b = Arrays.copyOf(b, (int) Math.min(want, MAX_ARRAY));
            }
        }
    }

    /**
     * @param file an output file's name as the job gives it
     * @return {@code "stdout"} or {@code "stderr"} when the whole name stands for a program's
     *     standard output or error ({@code stdout}, {@code STDOUT.txt}, {@code std_err}, {@code
     *     std.out}, {@code standard_output.log}: the stream's name, with an extension or not), else
     *     null; not a name that only begins with one ({@code stdout_energies.csv}, {@code
     *     stdoutput.log}), nor the files in which the streams are saved ({@code program.stdout})
     */
    public static @Nullable String standardStream(String file) {
        String name = file.substring(file.lastIndexOf('/') + 1).toLowerCase(java.util.Locale.ROOT);
        Matcher m = STANDARD_STREAM.matcher(name);
        if (!m.matches()) {
            return null;
        }
        return m.group(1) != null ? "stdout" : "stderr";
    }

    /**
     * A standard stream's name, lower case: std, or standard, then out(put) or err(or), with a
     * separator or none, and an optional extension of up to 4 letters or digits.
     */
    private static final Pattern STANDARD_STREAM = Pattern.compile(
            "(?:(std[._-]?out|standard[._-]?output)|std[._-]?err|standard[._-]?error)(?:\\.[a-z0-9]{1,4})?");

    /**
     * @param runDirectory the run directory
     * @param file an output file that does not exist there
     * @return for a name that stands for a standard stream ({@link #standardStream}), where the
     *     program's stream is saved: the files of that stream in the run directory, else the names
     *     they get; else nothing
     */
    private static String streamHint(Path runDirectory, String file) {
        String stream = standardStream(file);
        if (stream == null) {
            return "";
        }
        List<String> saved = new ArrayList<>();
        try (java.util.stream.Stream<Path> files = Files.list(runDirectory)) {
            files.map(f -> f.getFileName().toString())
                    .filter(f -> f.matches("program[0-9]*\\." + stream))
                    .sorted()
                    .forEach(saved::add);
        } catch (IOException e) {
            // the hint gives the names the files get instead
        }
        String what = stream.equals("stdout") ? "standard output" : "standard error";
        return "; a program's " + what + " is saved in the run directory as "
                + (saved.isEmpty()
                        ? "program." + stream + " (program1." + stream + ", program2." + stream
                                + ", ... when the term runs several commands)"
                        : String.join(", ", saved))
                + ": name " + (saved.size() > 1 ? "one of them" : "that file") + " as the output's file";
    }

    /** The most names of a run directory's files that a missing output file's message lists. */
    private static final int LISTED = 8;

    /**
     * @param runDirectory the run directory
     * @param file an output file that does not exist there
     * @return where a standard stream is saved ({@link #streamHint}) for a name that stands for one;
     *     else what the run directory holds, sorted ({@value #LISTED} names at most, a folder with a
     *     '/'), with the name meant when one is near ({@code "; it holds in.json, out.txt, program.stderr
     *     (did you mean 'out.txt'?)"}); nothing when the folder cannot be listed
     */
    private static String missingHint(Path runDirectory, String file) {
        String stream = streamHint(runDirectory, file);
        if (!stream.isEmpty()) {
            return stream;
        }
        List<String> names = new ArrayList<>();
        try (java.util.stream.Stream<Path> files = Files.list(runDirectory)) {
            files.map(f -> f.getFileName() + (Files.isDirectory(f) ? "/" : ""))
                    .sorted()
                    .forEach(names::add);
        } catch (IOException | java.io.UncheckedIOException e) {
            return "";
        }
        if (names.isEmpty()) {
            return "; it is empty";
        }
        List<String> plain = new ArrayList<>();
        names.forEach(n -> plain.add(n.endsWith("/") ? n.substring(0, n.length() - 1) : n));
        String near = org.chemfit.support.Names.suggest(file, plain);
        return "; it holds " + String.join(", ", names.subList(0, Math.min(LISTED, names.size())))
                + (names.size() > LISTED ? " and " + (names.size() - LISTED) + " more" : "")
                + (near == null ? "" : " (did you mean '" + near + "'?)");
    }

    /**
     * @param lines the lines of a file in which no header line names the column
     * @param header the column's name
     * @return a hint for a comma-separated file, whose lines the column parser (which splits on
     *     whitespace) takes for one word each: the line that names the column between commas, with
     *     a regex that reads it; else, when the first line that is not blank holds a comma, that the
     *     column parser does not split there; else nothing
     */
    static String commaHint(String[] lines, String header) {
        String first = null;
        int firstLine = 0;
        for (int i = 0; i < lines.length; i++) {
            String s = lines[i].strip();
            if (s.startsWith("#")) {
                s = s.substring(1).strip();
            }
            if (s.isEmpty()) {
                continue;
            }
            if (first == null) {
                first = s;
                firstLine = i + 1;
            }
            if (!s.contains(",")) {
                continue;
            }
            List<String> fields = new ArrayList<>();
            for (String f : s.split(",", -1)) {
                fields.add(f.strip());
            }
            int k = fields.indexOf(header);
            if (k >= 0) {
                String pattern = (k == 0 ? "^" : "^(?:[^,]*,){" + k + "}") + "\\s*([-+.0-9][^,\\s]*)";
                return "; line " + (i + 1) + " ('" + abbreviate(s) + "') names it between commas, but the column"
                        + " parser splits lines on whitespace only: read a comma-separated file with the regex"
                        + " parser, for column '" + header + "' (field " + k + " from 0) pattern '" + pattern
                        + "' with select: last";
            }
        }
        if (first != null && first.contains(",")) {
            return "; line " + firstLine + " ('" + abbreviate(first) + "') holds commas, but the column parser"
                    + " splits lines on whitespace only: read a comma-separated file with the regex parser";
        }
        return "";
    }

    /** @return the index of the last line from start on that is neither blank nor a {@code #} comment, or -1 */
    private static int lastContentLine(String[] lines, int start) {
        for (int i = lines.length - 1; i >= start; i--) {
            String s = lines[i].strip();
            if (!s.isEmpty() && !s.startsWith("#")) {
                return i;
            }
        }
        return -1;
    }

    /**
     * @param i the line's index, from 0
     * @param fields its fields, of which one is not a number
     * @param names the table's column names, or empty when its columns are known by index
     * @param what what the line is taken for
     * @return the failure naming the file, line, column and value
     */
    private static OutputParseException notANumber(
            String file, Object parser, String text, int i, List<String> fields, List<String> names, String what) {
        int k = 0;
        while (k < fields.size() - 1 && looksNumeric(fields.get(k))) {
            k++;
        }
        String column = k < names.size() ? "column '" + names.get(k) + "'" : "column " + k + " (from 0)";
        return new OutputParseException(
                file,
                String.valueOf(parser),
                file + ":" + (i + 1) + ": '" + abbreviate(fields.get(k)) + "' in " + column + " is not a number, in "
                        + what + ": the file may be cut short or garbled",
                XvgParser.excerptAt(text, i + 1));
    }

    /**
     * @param i the last line's index, from 0
     * @param fields how many fields it has
     * @param need how many a row has (with a header), or needs to hold the column (by index)
     * @return the failure of a last line that is too short to be a row
     */
    private static OutputParseException cutShort(
            String file, Object parser, String text, int i, int fields, int need, boolean byHeader) {
        return new OutputParseException(
                file,
                String.valueOf(parser),
                file + ":" + (i + 1) + ": the last line has " + fields + (fields == 1 ? " column" : " columns")
                        + (byHeader
                                ? ", the rows of the table have " + need
                                : ", too few for column " + (need - 1) + " (from 0)")
                        + ": the file may be cut short",
                XvgParser.excerptAt(text, i + 1));
    }

    /**
     * @param lines the lines of an output file
     * @param header the column a column parser looks for, which no header line names
     * @return " (did you mean 'energy'?)" when a word of a line that is not all numbers (a header
     *     line) among the first 1,000 is close to it, as for every other misspelt name, else ""
     */
    static String didYouMean(String[] lines, String header) {
        java.util.Set<String> words = new java.util.LinkedHashSet<>();
        // a table's header is near its top: a long log is not read whole on this failure's path
        for (int i = 0; i < Math.min(lines.length, SUGGEST_LINES); i++) {
            List<String> t = headerTokens(lines[i]);
            if (!allNumbers(t)) {
                words.addAll(t);
            }
        }
        String s = org.chemfit.support.Names.suggest(header, words);
        return s == null ? "" : " (did you mean '" + s + "'?)";
    }

    /**
     * @param column the column asked for
     * @param columns the columns a table has
     * @return " (did you mean 'v_fx'?)" when one of them differs from it only in case, else "":
     *     LAMMPS's own columns are short words one letter apart (PotEng, TotEng), so a near spelling
     *     is no sign of a typo
     */
    private static String nearColumn(String column, List<String> columns) {
        for (String c : columns) {
            if (c.equalsIgnoreCase(column)) {
                return " (did you mean '" + c + "'?)";
            }
        }
        return "";
    }

    /** The lines of an output file looked at for a misspelt column's suggestion. */
    private static final int SUGGEST_LINES = 1000;

    private static List<String> headerTokens(String line) {
        String s = line.strip();
        if (s.startsWith("#")) {
            s = s.substring(1).strip();
        }
        return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
    }

    private static boolean allNumbers(List<String> tokens) {
        if (tokens.isEmpty() || tokens.get(0).isEmpty()) {
            return false;
        }
        for (String t : tokens) {
            if (!looksNumeric(t)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a line is text (a message, a footer, a rule of dashes) rather than a row: its first
     * field begins with a letter and is no number ({@code Done.}, {@code WARNING:}), or every field
     * is made of {@code -}, {@code =}, {@code _}, {@code ~} or {@code *} only ({@code ---- ----}).
     * Anything else is a row, and fails when a field is not a number: {@code 1.0e} or {@code -2x}
     * (a value cut short or garbled), {@code ****} before numbers (a Fortran field too narrow for
     * its value), {@code --} before numbers (a missing value).
     */
    static boolean isText(List<String> fields) {
        return beginsWithWord(fields.get(0)) || fields.stream().allMatch(OutputParsers::isRule);
    }

    /** @return whether a field begins with a letter and is no number ({@code nan} and {@code inf} are numbers) */
    static boolean beginsWithWord(String t) {
        return !t.isEmpty() && Character.isLetter(t.charAt(0)) && !looksNumeric(t);
    }

    private static boolean isRule(String t) {
        return !t.isEmpty() && t.chars().allMatch(c -> c == '-' || c == '=' || c == '_' || c == '~' || c == '*');
    }

    /** Fortran's form of a number whose three-digit exponent leaves no room for the E: 1.0-100. */
    private static final java.util.regex.Pattern FORTRAN_EXPONENT =
            java.util.regex.Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)[-+]\\d{3}");

    /** A number, or one of the spellings of NaN and infinity that C and Fortran programs print. */
    private static boolean looksNumeric(String t) {
        String l = t.toLowerCase(java.util.Locale.ROOT);
        if (l.equals("nan")
                || l.equals("-nan")
                || l.equals("+nan")
                || l.equals("inf")
                || l.equals("-inf")
                || l.equals("+inf")
                || l.equals("infinity")
                || l.equals("-infinity")) {
            return true;
        }
        if (l.contains("x") || l.contains("p")) {
            return false; // Java reads hexadecimal (0x1p3 is 8), which no program prints as a number
        }
        try {
            Double.parseDouble(l.replace('d', 'e'));
            return !l.endsWith("f") && !l.endsWith("e");
        } catch (NumberFormatException e) {
            return false;
        }
    }

    static double number(String s, String file, Object parser, String text) {
        String t = s.strip();
        if (!looksNumeric(t)) {
            throw new OutputParseException(
                    file,
                    String.valueOf(parser),
                    "'" + abbreviate(t) + "' is not a number"
                            + (FORTRAN_EXPONENT.matcher(t).matches()
                                    ? " (Fortran writes 1.0-100 for 1.0E-100 when an exponent has three digits and no"
                                            + " room for its letter: print the value with a wider format, such as"
                                            + " ES24.16E3)"
                                    : ""),
                    excerptAround(text, s));
        }
        String l = t.toLowerCase(java.util.Locale.ROOT);
        double d = l.contains("nan")
                ? Double.NaN
                : l.contains("inf")
                        ? (l.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
                        : Double.parseDouble(l.replace('d', 'e'));
        return finite(d, t, file, parser, text);
    }

    private static double finite(double d, String raw, String file, Object parser, String text) {
        if (!Double.isFinite(d)) {
            throw new OutputParseException(
                    file,
                    String.valueOf(parser),
                    "the value '" + raw + "' is not a finite number",
                    excerptAround(text, raw));
        }
        return d;
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /** @return the first (or last, for tables) lines of the text, bounded in size */
    static String excerpt(String text, boolean tail) {
        String[] lines = lines(text);
        int from = tail ? Math.max(0, lines.length - EXCERPT_LINES) : 0;
        int to = tail ? lines.length : Math.min(lines.length, EXCERPT_LINES);
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append("  ").append(i + 1).append(": ").append(lines[i]).append('\n');
        }
        if (text.isEmpty()) {
            return "  (the file is empty)";
        }
        String s = sb.toString().stripTrailing();
        return s.length() > EXCERPT_CHARS ? s.substring(0, EXCERPT_CHARS) + " ..." : s;
    }

    /** @return the text's lines; the empty string after a final line break is not a line */
    private static String[] lines(String text) {
        String[] lines = text.split("\\R", -1);
        return lines.length > 1 && lines[lines.length - 1].isEmpty()
                ? java.util.Arrays.copyOf(lines, lines.length - 1)
                : lines;
    }

    private static String excerptAround(String text, String needle) {
        int at = text.indexOf(needle);
        if (at < 0) {
            return excerpt(text, false);
        }
        int lineNo = 1;
        for (int i = 0; i < at; i++) {
            if (text.charAt(i) == '\n') {
                lineNo++;
            }
        }
        String[] lines = lines(text);
        StringBuilder sb = new StringBuilder();
        for (int i = Math.max(1, lineNo - 2); i <= Math.min(lines.length, lineNo + 2); i++) {
            sb.append("  ").append(i).append(": ").append(lines[i - 1]).append('\n');
        }
        String s = sb.toString().stripTrailing();
        return s.length() > EXCERPT_CHARS ? s.substring(0, EXCERPT_CHARS) + " ..." : s;
    }

    static JsonPointer toPointer(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("a JSON path must not be empty");
        }
        try {
            if (path.startsWith("/")) {
                return JsonPointer.compile(path);
            }
            StringBuilder sb = new StringBuilder();
            for (String part : path.split("\\.", -1)) {
                Matcher m = Pattern.compile("^([^\\[\\]]*)((?:\\[\\d+])*)$").matcher(part);
                if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
                    throw new IllegalArgumentException("invalid JSON path '" + path + "': part '" + part
                            + "' must be a name optionally followed by [index]");
                }
                if (!m.group(1).isEmpty()) {
                    sb.append('/').append(m.group(1).replace("~", "~0").replace("/", "~1"));
                }
                Matcher idx = Pattern.compile("\\[(\\d+)]").matcher(m.group(2));
                while (idx.find()) {
                    sb.append('/').append(idx.group(1));
                }
            }
            return JsonPointer.compile(sb.toString());
        } catch (IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            throw new IllegalArgumentException(
                    m.startsWith("invalid JSON path") ? m : "invalid JSON path '" + path + "': " + m, e);
        }
    }
}

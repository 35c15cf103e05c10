package org.chemfit.atoms;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.chemfit.ChemFitException;
import org.chemfit.support.DecimalText;
import org.chemfit.support.Excerpt;
import org.chemfit.support.Reasons;
import org.chemfit.support.Utf8Text;
import org.jspecify.annotations.Nullable;

/**
 * Reads reference energies from CSV, as ChemFit's {@code process_csv} does: a header row naming
 * the columns {@code file} or {@code path}, {@code reference_energy} (or {@code energy}), and
 * optionally {@code tag} (or {@code name}), in any order and any case; other columns (such as the unnamed row index that pandas
 * writes first) are ignored. {@code path} is another name of {@code file}: relative names in
 * either are resolved against the CSV's folder, never the working directory, so that a job reads
 * the same structures from wherever it is run. A missing tag becomes the file name without its
 * extension. Fields may be double-quoted. A header that names a column twice (names compared
 * trimmed and without case), or gives one column under both of its names ({@code file} and
 * {@code path}, {@code reference_energy} and {@code energy}, {@code tag} and {@code name}), is
 * refused: only one of the two would be read.
 *
 * <pre>{@code
 * // ,file,reference_energy,tag
 * // 0,./atoms_2.4.xyz,0.012431,dimer_C1_2.4
 * List<ReferenceEntry> rows = ReferenceCsv.read(Path.of("data/energies.csv"));
 * }</pre>
 *
 * @implNote Stateless; thread-safe.
 */
public final class ReferenceCsv {

    /** The most bad rows that {@link #read(Path)} reports one by one. */
    private static final int MAX_REPORTED = 20;

    private ReferenceCsv() {}

    /**
     * @param csv the CSV file
     * @return its rows, in order (at least one)
     * @throws InputFormatException when the header lacks a required column or names a column twice
     *     (naming both columns' positions), the file is not UTF-8 text (at the line and column of its
     *     first byte that is not: a CSV saved in Windows-1252), a row has the wrong
     *     number of fields, a file name is empty, an energy is not a finite number written in decimal
     *     of at most 1e100 in magnitude ({@code 60.4d}, {@code 0x1p3} and {@code 1e200} are not), two rows have the same
     *     tag or the file has no rows; the message names the file and line. Every bad row is found,
     *     and every bad field of a row: the exception names the first problem, and each further one
     *     (of the first 20 bad rows) is attached to it as a suppressed {@code InputFormatException};
     *     when more rows are bad, a last one (line 0) says how many
     * @throws ChemFitException when the file cannot be read
     */
    public static List<ReferenceEntry> read(Path csv) {
        return scan(csv, null).rowsOrThrow();
    }

    /**
     * Reads the rows of a reference CSV that are well formed and hands every problem of the file to
     * {@code problems} instead of stopping at it, so that a check of the file reports them all at
     * once. The problems are those that {@link #read(Path)} attaches to its exception, in line order
     * (the first 20 bad rows, then a count at line 0), and, when {@code column} is not null, each
     * value of that column that is not a finite number. A row whose only problem is its value in
     * {@code column} is still returned.
     *
     * <pre>{@code
     * List<InputFormatException> problems = new ArrayList<>();
     * List<ReferenceEntry> rows = ReferenceCsv.readWellFormed(csv, "r", problems::add);
     * }</pre>
     *
     * @param csv the CSV file
     * @param column a numeric column (compared without case) whose value is checked in each row, or
     *     null; a header without it is not a problem here ({@link #column} reports it)
     * @param problems receives each problem, with its file and line
     * @return the well-formed rows, in order (none when the header is malformed)
     * @throws ChemFitException when the file cannot be read
     */
    public static List<ReferenceEntry> readWellFormed(
            Path csv, @Nullable String column, Consumer<? super InputFormatException> problems) {
        Scan s = scan(csv, column);
        s.problems().forEach(problems);
        return s.rows();
    }

    /** What one reading of a CSV found: its well-formed rows, their values in a numeric column, every problem. */
    private record Scan(
            List<ReferenceEntry> rows,
            double[] values,
            @Nullable InputFormatException noColumn,
            List<InputFormatException> problems) {

        List<ReferenceEntry> rowsOrThrow() {
            throwProblems(problems);
            return rows;
        }

        double[] valuesOrThrow() {
            List<InputFormatException> all = new ArrayList<>(problems);
            if (noColumn != null) {
                all.add(0, noColumn);
            }
            throwProblems(all);
            return values;
        }
    }

    private static void throwProblems(List<InputFormatException> problems) {
        if (problems.isEmpty()) {
            return;
        }
        InputFormatException first = problems.get(0);
        for (int i = 1; i < problems.size(); i++) {
            first.addSuppressed(problems.get(i));
        }
        throw first;
    }

    /**
     * Reads the whole file once, finding every problem: a bad row does not stop the reading, and a
     * bad field does not hide the other fields of its row (a tag is counted even when the energy of
     * its row is bad).
     */
    private static Scan scan(Path csv, @Nullable String column) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // a CSV in another encoding (Excel on Windows writes Windows-1252): a problem at its line
            Utf8Text.Place bad = Utf8Text.placeOf(csv, e);
            if (bad != null) {
                return failed(new InputFormatException(csv, bad.line(), bad.problem("a reference CSV")));
            }
            throw new ChemFitException("cannot read reference CSV " + csv + ": " + Reasons.of(e, csv), e);
        }
        if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) {
            // spreadsheet programs save "CSV UTF-8" with a byte order mark; it is not part of the header
            lines = new ArrayList<>(lines);
            lines.set(0, lines.get(0).substring(1));
        }
        Path folder = Objects.requireNonNull(csv.toAbsolutePath().getParent(), "the folder of " + csv);
        int headerLine = 0;
        while (headerLine < lines.size() && lines.get(headerLine).isBlank()) {
            headerLine++;
        }
        if (headerLine == lines.size()) {
            return failed(new InputFormatException(
                    csv,
                    1,
                    "expected a header row with the columns 'file' (or 'path') and 'reference_energy' (or"
                            + " 'energy'), and optionally 'tag' (or 'name'), in any case, got an empty file"));
        }
        List<String> header;
        try {
            header = split(csv, headerLine + 1, lines.get(headerLine));
        } catch (InputFormatException e) {
            return failed(e);
        }
        InputFormatException twice = duplicateColumn(csv, headerLine + 1, header);
        if (twice != null) {
            return failed(twice);
        }
        int fileCol = -1;
        int energyCol = -1;
        int tagCol = -1;
        int valueCol = -1;
        for (int c = 0; c < header.size(); c++) {
            switch (role(header.get(c))) {
                case FILE -> fileCol = c;
                case ENERGY -> energyCol = c;
                case TAG -> tagCol = c;
                case OTHER -> {}
            }
            if (column != null && valueCol < 0 && header.get(c).trim().equalsIgnoreCase(column.trim())) {
                valueCol = c;
            }
        }
        if (fileCol < 0 || energyCol < 0) {
            return failed(new InputFormatException(
                    csv,
                    headerLine + 1,
                    "expected a header row with the columns 'file' (or 'path') and 'reference_energy' (or"
                            + " 'energy'), and optionally 'tag' (or 'name'), in any case, got '"
                            + Excerpt.of(lines.get(headerLine))
                            + "'" + separatorHint(lines.get(headerLine))));
        }
        InputFormatException noColumn = column != null && valueCol < 0
                ? new InputFormatException(
                        csv,
                        headerLine + 1,
                        "expected a column '" + column + "' in the header, got '" + Excerpt.of(lines.get(headerLine))
                                + "'")
                : null;
        Columns cols = new Columns(header, fileCol, energyCol, tagCol, valueCol, column);
        List<ReferenceEntry> out = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        // Every bad row is found in one reading, so that a user fixes them all at once; the problems
        // of the first MAX_REPORTED bad rows are kept (a file may hold a million bad rows).
        List<InputFormatException> bad = new ArrayList<>();
        int badRows = 0;
        int firstUnlisted = 0;
        Map<String, Integer> tagLines = new HashMap<>();
        for (int k = headerLine + 1; k < lines.size(); k++) {
            String line = lines.get(k);
            if (line.isBlank()) {
                continue;
            }
            int lineNo = k + 1;
            List<InputFormatException> rowProblems = new ArrayList<>();
            Row row = row(csv, folder, cols, lineNo, line, rowProblems);
            if (row.tag() != null) {
                Integer first = tagLines.putIfAbsent(row.tag(), lineNo);
                if (first != null) {
                    rowProblems.add(new InputFormatException(
                            csv,
                            lineNo,
                            "tag '" + Excerpt.of(row.tag()) + "' is given twice, on lines " + first + " and " + lineNo
                                    + "; each row needs a tag of its own (it names the structure's term and its row"
                                    + " of predictions): give each row its own tag in the 'tag' column"));
                }
            }
            if (row.entry() != null && rowProblems.size() == row.valueProblems()) {
                out.add(row.entry());
                values.add(row.value());
            }
            if (!rowProblems.isEmpty()) {
                badRows++;
                if (badRows <= MAX_REPORTED) {
                    bad.addAll(rowProblems);
                } else if (badRows == MAX_REPORTED + 1) {
                    firstUnlisted = lineNo;
                }
            }
        }
        if (badRows > MAX_REPORTED) {
            // at the line of the first row not listed: said after the rows listed, not before them
            bad.add(new InputFormatException(
                    csv,
                    firstUnlisted,
                    "and " + (badRows - MAX_REPORTED) + " more bad rows (the first " + MAX_REPORTED + " are listed)"));
        }
        if (out.isEmpty() && bad.isEmpty()) {
            bad.add(new InputFormatException(
                    csv, lines.size(), "expected at least one row after the header, got none"));
        }
        double[] v = new double[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        return new Scan(out, v, noColumn, bad);
    }

    /**
     * Finds two columns of a header that one name (compared as the columns are looked up: trimmed,
     * without case) or two names of one column ({@code reference_energy} and {@code energy},
     * {@code tag} and {@code name}) give, which would leave one of them silently unread. Unnamed
     * columns (such as the row index that pandas writes first) are read by no one and may repeat.
     *
     * @return the problem, at the header's line, or null when every named column is named once
     */
    private static @Nullable InputFormatException duplicateColumn(Path csv, int lineNo, List<String> header) {
        Map<String, Integer> first = new HashMap<>();
        Map<String, Integer> roles = new HashMap<>();
        for (int c = 0; c < header.size(); c++) {
            String name = header.get(c).trim();
            String key = name.toLowerCase(Locale.ROOT);
            if (key.isEmpty()) {
                continue;
            }
            Integer before = first.putIfAbsent(key, c);
            if (before != null) {
                return new InputFormatException(
                        csv,
                        lineNo,
                        "column '" + Excerpt.of(name) + "' is named twice in the header, in columns " + (before + 1)
                                + " and "
                                + (c + 1) + " (names are compared without case and surrounding spaces); only one"
                                + " would be read: rename or remove the other");
            }
            String role = switch (key) {
                case "file", "path" -> "structure file";
                case "reference_energy", "energy" -> "reference energy";
                case "tag", "name" -> "tag";
                default -> null;
            };
            Integer other = role == null ? null : roles.putIfAbsent(role, c);
            if (role != null && other != null) {
                return new InputFormatException(
                        csv,
                        lineNo,
                        "columns " + (other + 1) + " ('"
                                + Excerpt.of(header.get(other).trim()) + "') and " + (c + 1)
                                + " ('" + Excerpt.of(name) + "') of the header both give the " + role + " ('"
                                + switch (role) {
                                    case "tag" -> "tag' and 'name";
                                    case "structure file" -> "file' and 'path";
                                    default -> "reference_energy' and 'energy";
                                }
                                + "' are two names of one column); only one would be read: rename or remove the"
                                + " other");
            }
        }
        return null;
    }

    private static Scan failed(InputFormatException problem) {
        return new Scan(List.of(), new double[0], null, List.of(problem));
    }

    /** Where the columns a row is read from are: indexes into the header's fields (-1 when absent). */
    private record Columns(
            List<String> header,
            int name,
            int energy,
            int tag,
            int value,
            @Nullable String valueName) {}

    /**
     * One row as far as it could be read: its entry when the file, energy and tag are good, its
     * tag when that is known, its value in the numeric column (NaN when there is none or it is bad)
     * and how many of its problems concern that value.
     */
    private record Row(
            @Nullable ReferenceEntry entry, @Nullable String tag, double value, int valueProblems) {}

    /** One row of a reference CSV; each of its problems, with its line, is added to {@code problems}. */
    private static Row row(
            Path csv, Path folder, Columns cols, int lineNo, String line, List<InputFormatException> problems) {
        List<String> f;
        try {
            f = split(csv, lineNo, line);
        } catch (InputFormatException e) {
            problems.add(e);
            return new Row(null, null, Double.NaN, 0);
        }
        if (f.size() != cols.header().size()) {
            problems.add(new InputFormatException(
                    csv,
                    lineNo,
                    "expected " + cols.header().size() + " fields as in the header ("
                            + Excerpt.of(String.join(",", cols.header())) + "), got " + f.size() + ": '"
                            + Excerpt.of(line) + "'"));
            return new Row(null, null, Double.NaN, 0);
        }
        int before = problems.size();
        String name = f.get(cols.name()).trim();
        if (name.isEmpty()) {
            problems.add(new InputFormatException(
                    csv,
                    lineNo,
                    "expected a structure file name in column '"
                            + cols.header().get(cols.name()).trim() + "', got an empty field"));
        }
        double e = number(f.get(cols.energy()));
        if (!Double.isFinite(e)) {
            problems.add(new InputFormatException(
                    csv,
                    lineNo,
                    "expected a finite number in column 'reference_energy'"
                            + DecimalText.rule(f.get(cols.energy()).trim()) + ", got '"
                            + Excerpt.of(f.get(cols.energy())) + "'"));
        }
        Path file = name.isEmpty() ? null : folder.resolve(name).normalize();
        String tag = cols.tag() >= 0 ? f.get(cols.tag()).trim() : "";
        if (tag.isEmpty() && file != null) {
            String fn = String.valueOf(file.getFileName());
            int dot = fn.lastIndexOf('.');
            tag = dot > 0 ? fn.substring(0, dot) : fn;
        }
        boolean good = problems.size() == before;
        double value = Double.NaN;
        int valueProblems = 0;
        if (cols.value() >= 0) {
            String field = f.get(cols.value()).trim();
            value = number(field);
            if (!Double.isFinite(value)) {
                problems.add(new InputFormatException(
                        csv,
                        lineNo,
                        "expected a finite number in column '" + cols.valueName() + "'" + DecimalText.rule(field)
                                + ", got '" + Excerpt.of(field) + "'"));
                valueProblems = 1;
            }
        }
        ReferenceEntry entry = good && file != null ? new ReferenceEntry(file, e, tag, lineNo) : null;
        return new Row(entry, tag.isEmpty() ? null : tag, value, valueProblems);
    }

    /** @return the field as a number, NaN when it is not decimal text of at most 1e100 in magnitude */
    private static double number(String field) {
        return DecimalText.parse(field.trim());
    }

    /**
     * Reads one numeric column of a reference CSV, one value per row that {@link #read(Path)}
     * returns (for example the distance {@code r} of a dimer curve, the coordinate of a scan).
     *
     * <pre>{@code
     * double[] r = ReferenceCsv.column(Path.of("data/ar2-energies.csv"), "r");
     * }</pre>
     *
     * @param csv the CSV file
     * @param column the column's name in the header (compared without case)
     * @return its values, in row order
     * @throws InputFormatException naming the file and line when the header has no such column, a
     *     value is not a finite number, or {@link #read(Path)} finds a problem; the first problem is
     *     thrown with the others attached, as {@link #read(Path)} does, whether it concerns the
     *     column or the rest of the row
     * @throws ChemFitException when the file cannot be read
     */
    public static double[] column(Path csv, String column) {
        return scan(csv, column).valuesOrThrow();
    }

    /**
     * Reads several CSVs, as {@code process_csv} does with a list of paths.
     *
     * @param csvs the CSV files
     * @return their rows, file after file
     * @throws InputFormatException as {@link #read(Path)}
     * @throws IllegalArgumentException when the list is empty
     */
    public static List<ReferenceEntry> read(List<Path> csvs) {
        if (csvs.isEmpty()) {
            throw new IllegalArgumentException("at least one reference CSV is needed, got none");
        }
        List<ReferenceEntry> out = new ArrayList<>();
        for (Path csv : csvs) {
            out.addAll(read(csv));
        }
        return out;
    }

    private static List<String> split(Path csv, int lineNo, String line) {
        // every double quote toggles quoting except a doubled one inside quotes: an odd count leaves one open
        if (line.chars().filter(ch -> ch == '"').count() % 2 != 0) {
            throw new InputFormatException(
                    csv,
                    lineNo,
                    "expected a closing double quote, got the end of the line: '" + Excerpt.of(line) + "'");
        }
        return fields(line);
    }

    /** What a header field names: a column the reader takes, or another. */
    private enum Role {
        FILE,
        ENERGY,
        TAG,
        OTHER
    }

    /** @return what the header field names, compared without case and surrounding spaces */
    private static Role role(String field) {
        return switch (field.trim().toLowerCase(Locale.ROOT)) {
            case "file", "path" -> Role.FILE;
            case "reference_energy", "energy" -> Role.ENERGY;
            case "tag", "name" -> Role.TAG;
            default -> Role.OTHER;
        };
    }

    /**
     * Whether a header names the columns a reference needs: a structure file ({@code file} or
     * {@code path}) and its energy ({@code reference_energy} or {@code energy}), in any case.
     *
     * <pre>{@code
     * ReferenceCsv.namesFileAndEnergy(ReferenceCsv.fields("file,energy,r"));   // true
     * }</pre>
     *
     * @param header the header's fields
     * @return whether both are named
     */
    public static boolean namesFileAndEnergy(List<String> header) {
        boolean file = false;
        boolean energy = false;
        for (String f : header) {
            Role r = role(f);
            file |= r == Role.FILE;
            energy |= r == Role.ENERGY;
        }
        return file && energy;
    }

    /**
     * Splits one line of a CSV file into its fields: commas separate fields, a field in double
     * quotes may hold commas, and a doubled double quote inside quotes stands for one. A quote
     * left open runs to the end of the line. For example {@code fields("a,\"b,c\",\"say \"\"hi\"\"\"")}
     * is {@code [a, b,c, say "hi"]}.
     *
     * @param line one line, without its line break
     * @return its fields, in order (one empty field for an empty line)
     * @throws NullPointerException when the line is null
     * @implNote Stateless; thread-safe.
     */
    public static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /**
     * @return a hint when the header would name the reference's columns split at another separator
     *     (a semicolon, as a spreadsheet in many locales writes, or a tab), else ""
     */
    private static String separatorHint(String headerLine) {
        for (String sep : new String[] {";", "\t"}) {
            if (namesFileAndEnergy(List.of(headerLine.split(sep, -1)))) {
                String name = sep.equals(";") ? "semicolons" : "tabs";
                return ": its fields are separated by " + name + ", but a reference CSV is read with commas"
                        + " (write it with commas: pandas' to_csv does by default)"
                        + (sep.equals(";")
                                ? ", and its numbers with decimal points (a spreadsheet that separates fields with"
                                        + " semicolons writes decimal commas, 60,465539: set its decimal separator"
                                        + " to a point before saving)"
                                : "");
            }
        }
        return "";
    }
}

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
import org.chemfit.ChemFitException;

/**
 * Reads reference energies from CSV, as ChemFit's {@code process_csv} does: a header row naming
 * the columns {@code file} or {@code path}, {@code reference_energy} (or {@code energy}), and
 * optionally {@code tag}, in any order; other columns (such as the unnamed row index that pandas
 * writes first) are ignored. As in ChemFit, relative names in {@code file} are resolved against
 * the CSV's folder, relative names in {@code path} against the working directory, and {@code path}
 * wins when both are present. A missing tag becomes the file name without its extension. Fields
 * may be double-quoted.
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
     * @throws InputFormatException when the header lacks a required column, a row has the wrong
     *     number of fields, an energy is not a number, two rows have the same tag or the file has no
     *     rows; the message names the file and line. Every bad row is found: the exception names
     *     the first, and each further one (up to 20 in all) is attached to it as a suppressed
     *     {@code InputFormatException}; when there are more, a last one (line 0) says how many
     * @throws ChemFitException when the file cannot be read
     */
    public static List<ReferenceEntry> read(Path csv) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ChemFitException("cannot read reference CSV " + csv + ": " + e.getMessage(), e);
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
            throw new InputFormatException(
                    csv,
                    1,
                    "expected a header row naming the columns file, reference_energy and tag, got an empty file");
        }
        List<String> header = split(csv, headerLine + 1, lines.get(headerLine));
        int fileCol = -1;
        int pathCol = -1;
        int energyCol = -1;
        int tagCol = -1;
        for (int c = 0; c < header.size(); c++) {
            String h = header.get(c).trim().toLowerCase(Locale.ROOT);
            switch (h) {
                case "file" -> fileCol = fileCol < 0 ? c : fileCol;
                case "path" -> pathCol = pathCol < 0 ? c : pathCol;
                case "reference_energy", "energy" -> energyCol = energyCol < 0 ? c : energyCol;
                case "tag", "name" -> tagCol = tagCol < 0 ? c : tagCol;
                default -> {}
            }
        }
        if (fileCol < 0 && pathCol < 0 || energyCol < 0) {
            throw new InputFormatException(
                    csv,
                    headerLine + 1,
                    "expected a header row with the columns 'file' (or 'path') and "
                            + "'reference_energy' (and optionally 'tag'), got '" + lines.get(headerLine) + "'");
        }
        boolean byPath = pathCol >= 0;
        int nameCol = byPath ? pathCol : fileCol;
        List<ReferenceEntry> out = new ArrayList<>();
        // Every bad row is found in one reading, so that a user fixes them all at once; the first
        // MAX_REPORTED are kept (a file may hold a million bad rows).
        List<InputFormatException> bad = new ArrayList<>();
        int badRows = 0;
        Map<String, Integer> tagLines = new HashMap<>();
        for (int k = headerLine + 1; k < lines.size(); k++) {
            String line = lines.get(k);
            if (line.isBlank()) {
                continue;
            }
            int lineNo = k + 1;
            try {
                ReferenceEntry entry = row(csv, folder, header, lineNo, line, nameCol, energyCol, tagCol, byPath);
                Integer first = tagLines.putIfAbsent(entry.tag(), lineNo);
                if (first != null) {
                    throw new InputFormatException(
                            csv,
                            lineNo,
                            "tag '" + entry.tag() + "' is given twice, on lines " + first + " and " + lineNo
                                    + "; each row needs a tag of its own (it names the structure's term and its row"
                                    + " of predictions): give each row its own tag in the 'tag' column");
                }
                out.add(entry);
            } catch (InputFormatException e) {
                badRows++;
                if (bad.size() < MAX_REPORTED) {
                    bad.add(e);
                }
            }
        }
        if (!bad.isEmpty()) {
            InputFormatException first = bad.get(0);
            for (int i = 1; i < bad.size(); i++) {
                first.addSuppressed(bad.get(i));
            }
            if (badRows > bad.size()) {
                first.addSuppressed(new InputFormatException(
                        csv,
                        0,
                        "and " + (badRows - bad.size()) + " more bad rows (the first " + MAX_REPORTED
                                + " are listed)"));
            }
            throw first;
        }
        if (out.isEmpty()) {
            throw new InputFormatException(csv, lines.size(), "expected at least one row after the header, got none");
        }
        return out;
    }

    /** One row of a reference CSV, or an {@link InputFormatException} naming its line. */
    private static ReferenceEntry row(
            Path csv,
            Path folder,
            List<String> header,
            int lineNo,
            String line,
            int nameCol,
            int energyCol,
            int tagCol,
            boolean byPath) {
        String nameColumn = byPath ? "path" : "file";
        List<String> f = split(csv, lineNo, line);
        if (f.size() != header.size()) {
            throw new InputFormatException(
                    csv,
                    lineNo,
                    "expected " + header.size() + " fields as in the header (" + String.join(",", header) + "), got "
                            + f.size() + ": '" + line + "'");
        }
        String name = f.get(nameCol).trim();
        if (name.isEmpty()) {
            throw new InputFormatException(
                    csv, lineNo, "expected a structure file name in column '" + nameColumn + "', got an empty field");
        }
        double e;
        try {
            e = Double.parseDouble(f.get(energyCol).trim());
        } catch (NumberFormatException ex) {
            e = Double.NaN;
        }
        if (!Double.isFinite(e)) {
            throw new InputFormatException(
                    csv,
                    lineNo,
                    "expected a finite number in column 'reference_energy', got '" + f.get(energyCol) + "'");
        }
        Path file = (byPath ? Path.of(name).toAbsolutePath() : folder.resolve(name)).normalize();
        String tag = tagCol >= 0 ? f.get(tagCol).trim() : "";
        if (tag.isEmpty()) {
            String fn = file.getFileName().toString();
            int dot = fn.lastIndexOf('.');
            tag = dot > 0 ? fn.substring(0, dot) : fn;
        }
        return new ReferenceEntry(file, e, tag, lineNo);
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
     * @throws InputFormatException naming the file and line when the header has no such column or a
     *     value is not a finite number
     * @throws ChemFitException when the file cannot be read
     */
    public static double[] column(Path csv, String column) {
        List<ReferenceEntry> rows = read(csv);
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ChemFitException("cannot read reference CSV " + csv + ": " + e.getMessage(), e);
        }
        int headerLine = 0;
        while (lines.get(headerLine).isBlank()) {
            headerLine++;
        }
        List<String> header = split(csv, headerLine + 1, lines.get(headerLine).replace("\uFEFF", ""));
        int col = -1;
        for (int c = 0; c < header.size(); c++) {
            if (header.get(c).trim().equalsIgnoreCase(column.trim())) {
                col = c;
                break;
            }
        }
        if (col < 0) {
            throw new InputFormatException(
                    csv,
                    headerLine + 1,
                    "expected a column '" + column + "' in the header, got '" + lines.get(headerLine) + "'");
        }
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            int lineNo = rows.get(i).line();
            String field = split(csv, lineNo, lines.get(lineNo - 1)).get(col).trim();
            double v;
            try {
                v = Double.parseDouble(field);
            } catch (NumberFormatException ex) {
                v = Double.NaN;
            }
            if (!Double.isFinite(v)) {
                throw new InputFormatException(
                        csv, lineNo, "expected a finite number in column '" + column + "', got '" + field + "'");
            }
            out[i] = v;
        }
        return out;
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
                    csv, lineNo, "expected a closing double quote, got the end of the line: '" + line + "'");
        }
        return fields(line);
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
}

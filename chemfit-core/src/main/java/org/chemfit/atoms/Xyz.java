package org.chemfit.atoms;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import org.chemfit.ChemFitException;
import org.chemfit.support.DecimalText;
import org.chemfit.support.Excerpt;
import org.chemfit.support.Reasons;
import org.chemfit.support.Utf8Text;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes XYZ and extended XYZ files. A frame is a line with the number of atoms, a
 * comment line, and one line per atom. In extended XYZ the comment line holds {@code key=value}
 * pairs (values with spaces in double quotes); this reader understands {@code Lattice="ax ay az
 * bx by bz cx cy cz"} (the cell vectors as rows), {@code Properties=name:type:count:...} (the
 * per-atom columns: types S, R, I, L; {@code species} and {@code pos} are required, an integer
 * {@code molecule} or {@code mol-id} column gives molecule indices; a real {@code forces:R:3}
 * or {@code force:R:3} column holds reference forces, which {@link #readForces(Path)} reads; a
 * property named twice is refused), {@code pbc="T T F"}
 * (periodic flags; when a lattice is given without it, every direction is periodic, as in ASE),
 * and {@code energy=} (eV). Other pairs are kept in {@link Atoms#info()}. A plain XYZ comment line
 * is free text.
 *
 * <p>An atom line of an extended XYZ frame (one whose comment line holds {@code Lattice=},
 * {@code Properties=} or {@code pbc=}) holds exactly the columns that {@code Properties=} describes
 * ({@code species:S:1:pos:R:3} without it): a column more or less is refused. An atom line of a
 * plain XYZ frame may carry more columns after x y z, which are ignored.
 *
 * <pre>{@code
 * Atoms dimer = Xyz.read(Path.of("atoms_3.0.xyz"));          // the last frame, as ase.io.read
 * List<Atoms> frames = Xyz.readAll(Path.of("trajectory.xyz"));
 * Xyz.write(Path.of("out.xyz"), frames);
 * }</pre>
 *
 * <p>The readers throw an {@link InputFormatException} that names the file, the line and what was
 * expected there. A file is UTF-8 text: one that is not (a comment line saved in Latin-1) is
 * malformed at the line of its first byte that is not UTF-8, which the message names with its
 * column.
 *
 * @implNote Stateless; every method is thread-safe.
 */
public final class Xyz {

    private Xyz() {}

    /**
     * Reads the last frame of a file, as {@code ase.io.read(file)} does.
     *
     * @param file an XYZ or extended XYZ file
     * @return its last frame
     * @throws InputFormatException when the file is malformed or holds no frame
     * @throws ChemFitException when the file cannot be read
     */
    public static Atoms read(Path file) {
        List<Atoms> all = readAll(file);
        return all.get(all.size() - 1);
    }

    /**
     * @param file an XYZ or extended XYZ file
     * @return every frame, in order (at least one)
     * @throws InputFormatException when the file is malformed or holds no frame
     * @throws ChemFitException when the file cannot be read
     */
    public static List<Atoms> readAll(Path file) {
        return parse(file, lines(file));
    }

    /**
     * Parses the text of an XYZ file.
     *
     * @param source the name used in error messages
     * @param text the file's content
     * @return every frame
     * @throws InputFormatException when the text is malformed
     */
    public static List<Atoms> parse(Path source, String text) {
        return parse(source, text.lines().toList());
    }

    private static List<Atoms> parse(Path file, List<String> lines) {
        return frames(file, lines).stream().map(Frame::atoms).toList();
    }

    /**
     * Reads the reference forces of the last frame of a file (the frame {@link #read(Path)}
     * returns): its per-atom column {@code forces:R:3} of {@code Properties=}, or {@code force:R:3}
     * as some writers name it, in the unit of the file's energies per Å.
     *
     * <pre>{@code
     * double[] f = Xyz.readForces(Path.of("frame.xyz"));   // fx0, fy0, fz0, fx1, ...
     * }</pre>
     *
     * @param file an extended XYZ file
     * @return the forces fx0, fy0, fz0, fx1, ... of its last frame, 3 per atom
     * @throws InputFormatException at the last frame's comment line when it names no forces column
     *     (or both {@code forces} and {@code force}), or names one that is not 3 real numbers per
     *     atom; at an atom's line when a force is not a finite number; as {@link #read(Path)} when
     *     the file is otherwise malformed
     * @throws ChemFitException when the file cannot be read
     */
    public static double[] readForces(Path file) {
        return readLast(file).forces();
    }

    /**
     * Reads the last frame of a file once, for both its structure ({@link #read(Path)}) and its
     * reference forces ({@link #readForces(Path)}): a caller that needs both parses the file once.
     *
     * <pre>{@code
     * Xyz.LastFrame f = Xyz.readLast(Path.of("frame.xyz"));
     * Atoms atoms = f.atoms();
     * double[] forces = f.forces();   // fx0, fy0, fz0, fx1, ...
     * }</pre>
     *
     * @param file an XYZ or extended XYZ file
     * @return its last frame
     * @throws InputFormatException when the file is malformed or holds no frame, as {@link
     *     #read(Path)} throws it
     * @throws ChemFitException when the file cannot be read
     */
    public static LastFrame readLast(Path file) {
        List<Frame> all = frames(file, lines(file));
        return new LastFrame(file, all.get(all.size() - 1));
    }

    /**
     * The last frame of an XYZ file, as {@link #readLast(Path)} read it.
     *
     * @implNote Immutable; thread-safe.
     */
    public static final class LastFrame {

        private final Path file;
        private final Frame last;

        private LastFrame(Path file, Frame last) {
            this.file = file;
            this.last = last;
        }

        /** @return its structure, the one {@link #read(Path)} returns */
        public Atoms atoms() {
            return last.atoms();
        }

        /**
         * @return its reference forces fx0, fy0, fz0, fx1, ..., 3 per atom, as {@link
         *     #readForces(Path)} returns them (a new array at each call)
         * @throws InputFormatException as {@link #readForces(Path)} throws it: at the comment line
         *     when it names no forces column (or both {@code forces} and {@code force}), or names one
         *     that is not 3 real numbers per atom
         */
        public double[] forces() {
            Header h = last.header();
            if (h.forcesNames.size() > 1) {
                throw new InputFormatException(
                        file,
                        last.commentLine(),
                        "expected one forces column in Properties=, got both '" + h.forcesNames.get(0) + "' and '"
                                + h.forcesNames.get(1) + "': '" + Excerpt.of(String.valueOf(h.properties)) + "'");
            }
            if (h.forcesNames.isEmpty()) {
                throw new InputFormatException(
                        file,
                        last.commentLine(),
                        "expected per-atom reference forces, a column forces:R:3 (or force:R:3) in the extended XYZ"
                                + " Properties=, got "
                                + (h.properties == null
                                        ? "a comment line without Properties=: '"
                                                + Excerpt.of(last.comment().trim()) + "'"
                                        : "'Properties=" + Excerpt.of(h.properties) + "'"));
            }
            if (!h.forcesSpec.equals("R:3")) {
                throw new InputFormatException(
                        file,
                        last.commentLine(),
                        "expected " + h.forcesNames.get(0) + ":R:3 in Properties= (3 real numbers, the force on the"
                                + " atom along x, y and z), got " + h.forcesNames.get(0) + ":" + h.forcesSpec);
            }
            return Objects.requireNonNull(last.forces(), "forces of a frame with a forces column")
                    .clone();
        }
    }

    private static List<String> lines(Path file) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return r.lines().toList();
        } catch (IOException | UncheckedIOException e) {
            // text in another encoding (an Å saved in Latin-1): a malformed file, at its line
            Utf8Text.Place bad = Utf8Text.placeOf(file, e);
            if (bad != null) {
                throw new InputFormatException(file, bad.line(), bad.problem("a structure file"));
            }
            throw new ChemFitException("cannot read structure file " + file + ": " + Reasons.of(e, file), e);
        }
    }

    /**
     * One frame as read: its structure, its forces column (fx0, fy0, fz0, ...) when it has one of 3
     * real numbers, and its comment line.
     */
    private record Frame(Atoms atoms, double @Nullable [] forces, Header header, int commentLine, String comment) {}

    private static List<Frame> frames(Path file, List<String> lines) {
        if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) {
            // a byte order mark, as some editors write before UTF-8 text: not part of the atom count
            lines = new ArrayList<>(lines);
            lines.set(0, lines.get(0).substring(1));
        }
        List<Frame> frames = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            if (lines.get(i).isBlank()) {
                i++;
                continue;
            }
            String countLine = lines.get(i).trim();
            int n;
            try {
                n = Integer.parseInt(countLine.split("\\s+")[0]);
            } catch (NumberFormatException e) {
                throw new InputFormatException(
                        file,
                        i + 1,
                        "expected the number of atoms (a whole number) at the start of a frame, got '"
                                + Excerpt.of(countLine) + "'");
            }
            if (n < 0) {
                throw new InputFormatException(file, i + 1, "expected a non-negative number of atoms, got " + n);
            }
            if (i + 1 >= lines.size()) {
                throw new InputFormatException(
                        file, i + 2, "expected a comment line after the atom count " + n + ", got the end of the file");
            }
            Header h = parseHeader(file, i + 2, lines.get(i + 1));
            int first = i + 2;
            if (first + n > lines.size()) {
                throw new InputFormatException(
                        file,
                        lines.size() + 1,
                        "expected " + n + " atom lines (lines " + (first + 1) + "-" + (first + n)
                                + "), got the end of the file after " + (lines.size() - first));
            }
            String[] species = new String[n];
            double[] pos = new double[3 * n];
            int[] mol = h.moleculeColumn >= 0 ? new int[n] : null;
            double[] forces = h.forcesColumn >= 0 && h.forcesSpec.equals("R:3") ? new double[3 * n] : null;
            for (int k = 0; k < n; k++) {
                int lineNo = first + k + 1;
                String line = lines.get(first + k);
                String[] t = line.trim().split("\\s+");
                int got = line.isBlank() ? 0 : t.length;
                if (h.extended && got != h.columns) {
                    // extended XYZ: the comment line says what every column is, so a column more is
                    // as wrong as one less (a plain XYZ may carry extra columns after x y z)
                    throw new InputFormatException(
                            file,
                            lineNo,
                            "expected " + h.columns + " columns for atom " + (k + 1) + " of " + n + ", as "
                                    + h.layout() + " (" + h.describe() + "), got " + got + ": '"
                                    + Excerpt.of(line.trim()) + "'");
                }
                if (t.length < h.columns || line.isBlank()) {
                    throw new InputFormatException(
                            file,
                            lineNo,
                            "expected " + h.columns + " columns (" + h.describe() + ") for atom " + (k + 1) + " of " + n
                                    + ", got " + (line.isBlank() ? 0 : t.length) + ": '" + Excerpt.of(line.trim())
                                    + "'");
                }
                species[k] = t[h.speciesColumn];
                if (Character.isDigit(species[k].charAt(0)) || species[k].charAt(0) == '-') {
                    throw new InputFormatException(
                            file,
                            lineNo,
                            "expected a chemical symbol in column " + (h.speciesColumn + 1) + ", got '"
                                    + Excerpt.of(species[k]) + "'");
                }
                for (int c = 0; c < 3; c++) {
                    pos[3 * k + c] = number(
                            file, lineNo, t[h.posColumn + c], "coordinate " + "xyz".charAt(c) + " of atom " + (k + 1));
                }
                for (int[] col : h.typed) {
                    int c = col[0] - h.forcesColumn;
                    if (forces != null && c >= 0 && c < 3) {
                        forces[3 * k + c] = number(
                                file,
                                lineNo,
                                t[col[0]],
                                "force " + "xyz".charAt(c) + " of atom " + (k + 1) + " (column " + (col[0] + 1) + ")");
                    } else {
                        check(file, lineNo, t[col[0]], (char) col[1], col[0] + 1);
                    }
                }
                if (mol != null) {
                    try {
                        mol[k] = Integer.parseInt(t[h.moleculeColumn]);
                    } catch (NumberFormatException e) {
                        throw new InputFormatException(
                                file,
                                lineNo,
                                "expected an integer molecule index in column " + (h.moleculeColumn + 1) + ", got '"
                                        + Excerpt.of(t[h.moleculeColumn]) + "'");
                    }
                }
            }
            Atoms a = Atoms.ofFlat(species, pos);
            if (h.lattice != null) {
                try {
                    a = a.withCell(h.lattice, h.pbc[0], h.pbc[1], h.pbc[2]);
                } catch (IllegalArgumentException e) {
                    throw new InputFormatException(
                            file, i + 2, "expected a Lattice of three independent vectors: " + e.getMessage());
                }
            } else if (h.pbcGiven && (h.pbc[0] || h.pbc[1] || h.pbc[2])) {
                throw new InputFormatException(
                        file, i + 2, "expected a Lattice= key, since pbc= marks a direction periodic");
            }
            if (mol != null) {
                a = a.withMolecules(mol);
            }
            if (h.energy != null) {
                a = a.withEnergy(h.energy);
            }
            if (!h.info.isEmpty()) {
                a = a.withInfo(h.info);
            }
            frames.add(new Frame(a, forces, h, i + 2, lines.get(i + 1)));
            i = first + n;
        }
        if (frames.isEmpty()) {
            throw new InputFormatException(
                    file, 1, "expected at least one frame (a line with the number of atoms), got an empty file");
        }
        return frames;
    }

    private static double number(Path file, int line, String s, String what) {
        double v = DecimalText.parse(s);
        if (Double.isFinite(v)) {
            return v;
        }
        throw new InputFormatException(
                file,
                line,
                "expected a finite number for " + what + DecimalText.rule(s) + ", got '" + Excerpt.of(s) + "'");
    }

    private static void check(Path file, int line, String s, char type, int column) {
        switch (type) {
            case 'R' -> number(file, line, s, "column " + column);
            case 'I' -> {
                try {
                    Integer.parseInt(s);
                } catch (NumberFormatException e) {
                    throw new InputFormatException(
                            file, line, "expected an integer in column " + column + ", got '" + Excerpt.of(s) + "'");
                }
            }
            case 'L' -> {
                if (parseBool(s) == null) {
                    throw new InputFormatException(
                            file,
                            line,
                            "expected a logical (T or F) in column " + column + ", got '" + Excerpt.of(s) + "'");
                }
            }
            default -> {}
        }
    }

    private static @Nullable Boolean parseBool(String s) {
        return switch (s) {
            case "T", "True", "true", "TRUE" -> Boolean.TRUE;
            case "F", "False", "false", "FALSE" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** What the comment line says about the frame. */
    private static final class Header {
        int columns = 4;
        int speciesColumn = 0;
        int posColumn = 1;
        int moleculeColumn = -1;
        /** The first column of the forces property ({@code forces} or {@code force}), or -1. */
        int forcesColumn = -1;
        /** The type and count of the forces property, as {@code R:3}. */
        String forcesSpec = "";
        /** The names of the forces properties given ({@code forces}, {@code force}): more than one is refused when read. */
        final List<String> forcesNames = new ArrayList<>();

        final List<int[]> typed = new ArrayList<>();
        final List<String> names = new ArrayList<>(List.of("species", "x", "y", "z"));
        double @Nullable [][] lattice;
        boolean[] pbc = new boolean[3];
        boolean pbcGiven;
        /** Whether the comment line is extended XYZ, whose atom lines hold exactly {@link #columns} columns. */
        boolean extended;
        /** The value of {@code Properties=}, or null when the comment line has none. */
        @Nullable
        String properties;

        @Nullable
        Double energy;

        final Map<String, String> info = new LinkedHashMap<>();

        String describe() {
            return String.join(" ", names);
        }

        /** Where the columns are described, after "as". */
        String layout() {
            return properties != null
                    ? "Properties=" + Excerpt.of(properties) + " describes"
                    : "an extended XYZ comment line without Properties= means species:S:1:pos:R:3";
        }
    }

    private static Header parseHeader(Path file, int lineNo, String comment) {
        Header h = new Header();
        Map<String, String> kv = keyValues(comment);
        boolean extended = kv != null
                && kv.entrySet().stream().anyMatch(e -> {
                    String l = e.getKey().toLowerCase(Locale.ROOT);
                    return e.getValue() != null && (l.equals("lattice") || l.equals("properties") || l.equals("pbc"));
                });
        if (kv == null) {
            if (comment.contains("Lattice=") || comment.contains("Properties=") || comment.contains("pbc=")) {
                throw new InputFormatException(
                        file,
                        lineNo,
                        "expected key=value pairs with balanced double quotes in the "
                                + "extended XYZ comment line, got '" + Excerpt.of(comment.trim()) + "'");
            }
            return h;
        }
        h.extended = extended;
        for (Map.Entry<String, String> e : kv.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            if (value == null) {
                if (extended) {
                    h.info.put(key, "T");
                }
                continue;
            }
            switch (key.toLowerCase(Locale.ROOT)) {
                case "lattice" -> {
                    String[] t = value.trim().split("\\s+");
                    if (t.length != 9) {
                        throw new InputFormatException(
                                file,
                                lineNo,
                                "expected Lattice= to hold 9 numbers (three cell vectors), got " + t.length + ": '"
                                        + value + "'");
                    }
                    h.lattice = new double[3][3];
                    for (int k = 0; k < 9; k++) {
                        h.lattice[k / 3][k % 3] = number(file, lineNo, t[k], "Lattice component " + (k + 1));
                    }
                    if (!h.pbcGiven) {
                        h.pbc = new boolean[] {true, true, true};
                    }
                }
                case "pbc" -> {
                    String[] t = value.trim().split("\\s+");
                    if (t.length != 3) {
                        throw new InputFormatException(
                                file,
                                lineNo,
                                "expected pbc= to hold 3 flags (T or F), got '" + Excerpt.of(value) + "'");
                    }
                    for (int k = 0; k < 3; k++) {
                        Boolean b = parseBool(t[k]);
                        if (b == null) {
                            throw new InputFormatException(
                                    file,
                                    lineNo,
                                    "expected pbc= to hold 3 flags (T or F), got '" + Excerpt.of(value) + "'");
                        }
                        h.pbc[k] = b;
                    }
                    h.pbcGiven = true;
                }
                case "properties" -> parseProperties(file, lineNo, value, h);
                case "energy" -> {
                    if (extended || looksNumeric(value)) {
                        h.energy = number(file, lineNo, value, "energy=");
                    }
                }
                default -> {
                    if (extended) {
                        h.info.put(key, value);
                    }
                }
            }
        }
        return h;
    }

    private static boolean looksNumeric(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void parseProperties(Path file, int lineNo, String value, Header h) {
        String[] t = value.trim().split(":");
        if (t.length % 3 != 0) {
            throw new InputFormatException(
                    file, lineNo, "expected Properties= as name:type:count triples, got '" + Excerpt.of(value) + "'");
        }
        h.typed.clear();
        h.names.clear();
        h.speciesColumn = -1;
        h.posColumn = -1;
        int col = 0;
        // a property named twice (or the molecule index under two of its names) would leave one unread
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        for (int k = 0; k < t.length; k += 3) {
            String name = t[k];
            String type = t[k + 1];
            String role = name.equals("mol-id") || name.equals("mol_id") ? "molecule" : name;
            Integer before = seen.putIfAbsent(role, k / 3 + 1);
            if (before != null) {
                throw new InputFormatException(
                        file,
                        lineNo,
                        "expected each property once in Properties=, got '" + t[(before - 1) * 3] + "' as property "
                                + before + " and '" + name + "' as property " + (k / 3 + 1)
                                + (role.equals(name) ? "" : " (two names of the molecule index)") + ": '" + value
                                + "'");
            }
            int count;
            try {
                count = Integer.parseInt(t[k + 2]);
            } catch (NumberFormatException e) {
                count = -1;
            }
            if (count < 1) {
                throw new InputFormatException(
                        file,
                        lineNo,
                        "expected a positive column count for property '" + name + "' in Properties=, got '" + t[k + 2]
                                + "'");
            }
            if (!(type.equals("S") || type.equals("R") || type.equals("I") || type.equals("L"))) {
                throw new InputFormatException(
                        file,
                        lineNo,
                        "expected the type of property '" + name + "' to be S, R, I or L in Properties=, got '" + type
                                + "'");
            }
            switch (name) {
                case "species" -> {
                    if (!type.equals("S") || count != 1) {
                        throw new InputFormatException(
                                file,
                                lineNo,
                                "expected species:S:1 in Properties=, got " + name + ":" + type + ":" + count);
                    }
                    h.speciesColumn = col;
                }
                case "pos" -> {
                    if (!type.equals("R") || count != 3) {
                        throw new InputFormatException(
                                file,
                                lineNo,
                                "expected pos:R:3 in Properties=, got " + name + ":" + type + ":" + count);
                    }
                    h.posColumn = col;
                }
                case "molecule", "mol-id", "mol_id" -> {
                    if (!type.equals("I") || count != 1) {
                        throw new InputFormatException(
                                file,
                                lineNo,
                                "expected " + name + ":I:1 in Properties=, got " + name + ":" + type + ":" + count);
                    }
                    h.moleculeColumn = col;
                }
                default -> {
                    if (name.equals("forces") || name.equals("force")) {
                        h.forcesNames.add(name);
                        if (h.forcesColumn < 0) {
                            h.forcesColumn = col;
                            h.forcesSpec = type + ":" + count;
                        }
                    }
                    for (int c = 0; c < count; c++) {
                        h.typed.add(new int[] {col + c, type.charAt(0)});
                    }
                }
            }
            for (int c = 0; c < count; c++) {
                h.names.add(count == 1 ? name : name + "[" + c + "]");
            }
            col += count;
        }
        if (h.speciesColumn < 0 || h.posColumn < 0) {
            throw new InputFormatException(
                    file,
                    lineNo,
                    "expected Properties= to name species:S:1 and pos:R:3, got '" + Excerpt.of(value) + "'");
        }
        h.columns = col;
        h.properties = value.trim();
    }

    /**
     * Splits {@code a=1 b="x y" flag} into pairs; a bare word ({@code flag}) maps to null, so a plain
     * comment such as "simple cubic lattice" is never mistaken for a key. Null when the quotes do
     * not balance or a key is empty.
     */
    static @Nullable Map<String, @Nullable String> keyValues(String comment) {
        Map<String, @Nullable String> out = new LinkedHashMap<>();
        int i = 0;
        int n = comment.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(comment.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int ks = i;
            while (i < n && comment.charAt(i) != '=' && !Character.isWhitespace(comment.charAt(i))) {
                if (comment.charAt(i) == '"') {
                    return null;
                }
                i++;
            }
            String key = comment.substring(ks, i);
            if (i < n && comment.charAt(i) == '=') {
                i++;
                if (key.isEmpty()) {
                    return null;
                }
                String value;
                if (i < n && comment.charAt(i) == '"') {
                    int end = comment.indexOf('"', i + 1);
                    if (end < 0) {
                        return null;
                    }
                    value = comment.substring(i + 1, end);
                    i = end + 1;
                } else {
                    int vs = i;
                    while (i < n && !Character.isWhitespace(comment.charAt(i))) {
                        if (comment.charAt(i) == '"') {
                            return null;
                        }
                        i++;
                    }
                    value = comment.substring(vs, i);
                }
                out.put(key, value);
            } else {
                out.put(key, null);
            }
        }
        return out;
    }

    /**
     * Formats one frame as extended XYZ: {@code Lattice} and {@code pbc} when the structure has a
     * cell, {@code Properties} (species, pos and molecule when set), {@code energy} when set, and
     * the info pairs. Numbers are written so that reading them back gives the same doubles.
     *
     * @param atoms the structure
     * @return the frame's text, ending in a newline
     */
    public static String format(Atoms atoms) {
        StringBuilder sb = new StringBuilder();
        sb.append(atoms.size()).append('\n');
        List<String> parts = new ArrayList<>();
        if (atoms.hasCell()) {
            double[][] c = Objects.requireNonNull(atoms.cell(), "cell");
            StringBuilder l = new StringBuilder();
            for (double[] v : c) {
                for (double x : v) {
                    l.append(l.length() == 0 ? "" : " ").append(x);
                }
            }
            parts.add("Lattice=\"" + l + "\"");
        }
        int[] mol = atoms.moleculesArray();
        parts.add("Properties=species:S:1:pos:R:3" + (mol == null ? "" : ":molecule:I:1"));
        OptionalDouble e = atoms.energy();
        if (e.isPresent()) {
            parts.add("energy=" + e.getAsDouble());
        }
        atoms.info()
                .forEach((k, v) -> parts.add(
                        k + "=" + (v.isEmpty() || v.chars().anyMatch(Character::isWhitespace) ? "\"" + v + "\"" : v)));
        if (atoms.hasCell()) {
            boolean[] p = atoms.pbc();
            parts.add("pbc=\"" + (p[0] ? "T" : "F") + " " + (p[1] ? "T" : "F") + " " + (p[2] ? "T" : "F") + "\"");
        }
        sb.append(String.join(" ", parts)).append('\n');
        double[] pos = atoms.positionsArray();
        for (int i = 0; i < atoms.size(); i++) {
            sb.append(String.format(
                    Locale.ROOT, "%-3s %s %s %s", atoms.species(i), pos[3 * i], pos[3 * i + 1], pos[3 * i + 2]));
            if (mol != null) {
                sb.append(' ').append(mol[i]);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * Writes frames as extended XYZ, replacing the file.
     *
     * @param file the file
     * @param frames the structures, in order
     * @throws ChemFitException when the file cannot be written
     */
    public static void write(Path file, List<Atoms> frames) {
        StringBuilder sb = new StringBuilder();
        for (Atoms a : frames) {
            sb.append(format(a));
        }
        try {
            Files.writeString(file, sb, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ChemFitException("cannot write structure file " + file + ": " + Reasons.of(e, file), e);
        }
    }
}

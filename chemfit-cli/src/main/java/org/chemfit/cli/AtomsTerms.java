package org.chemfit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;

/**
 * The quantity computer of an {@code atoms} term: the Lennard-Jones energy of each structure of
 * an XYZ file, read once when the job is built.
 *
 * @implNote Immutable and thread-safe once built.
 */
final class AtomsTerms {

    private AtomsTerms() {
    }

    /**
     * @param config the term's settings
     * @return a computer of the quantity named in the config, an array with one energy per structure
     * @throws IllegalArgumentException when a file cannot be read or is malformed (naming file and line)
     */
    static QuantityComputer computer(JobFile.AtomsConfig config) {
        List<double[][]> frames = readXyz(config.structures());
        Map<String, Object> a = config.potentialArguments();
        Object eps = a.get("epsilon");
        Object sig = a.get("sigma");
        double cutoff = a.get("cutoff") instanceof Double c ? c : Double.POSITIVE_INFINITY;
        String quantity = config.quantity();
        return new QuantityComputer() {
            @Override
            public Quantities compute(Parameters p) {
                double e = eps instanceof String s ? p.get(s) : (Double) eps;
                double sg = sig instanceof String s ? p.get(s) : (Double) sig;
                double[] out = new double[frames.size()];
                for (int f = 0; f < out.length; f++) {
                    out[f] = ljEnergy(frames.get(f), e, sg, cutoff);
                }
                return Quantities.builder().put(quantity, out).build();
            }

            @Override
            public String toString() {
                return "lennard_jones over " + config.structures().getFileName();
            }
        };
    }

    static double ljEnergy(double[][] xyz, double eps, double sigma, double cutoff) {
        double e = 0;
        for (int i = 0; i < xyz.length; i++) {
            for (int j = i + 1; j < xyz.length; j++) {
                double dx = xyz[i][0] - xyz[j][0];
                double dy = xyz[i][1] - xyz[j][1];
                double dz = xyz[i][2] - xyz[j][2];
                double r = Math.sqrt(dx * dx + dy * dy + dz * dz);
                if (r <= cutoff) {
                    double s6 = Math.pow(sigma / r, 6);
                    e += 4 * eps * (s6 * s6 - s6);
                }
            }
        }
        return e;
    }

    /**
     * Reads the frames of an XYZ file: a count line, a comment line, then one line per atom
     * (symbol x y z). Written by hand: the format is four columns and a count.
     */
    static List<double[][]> readXyz(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot be read: " + e.getMessage(), e);
        }
        List<double[][]> frames = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            if (lines.get(i).isBlank()) {
                i++;
                continue;
            }
            int n;
            try {
                n = Integer.parseInt(lines.get(i).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected the number of atoms of a frame, got '"
                        + lines.get(i).trim() + "'");
            }
            if (n < 1 || i + 2 + n > lines.size()) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": a frame of " + n + " atoms needs "
                        + (n + 2) + " lines, but the file ends after " + (lines.size() - i));
            }
            double[][] xyz = new double[n][3];
            for (int k = 0; k < n; k++) {
                String[] f = lines.get(i + 2 + k).trim().split("\\s+");
                if (f.length < 4) {
                    throw new IllegalArgumentException(file + ":" + (i + 3 + k) + ": expected 'symbol x y z', got '"
                            + lines.get(i + 2 + k).trim() + "'");
                }
                for (int c = 0; c < 3; c++) {
                    try {
                        xyz[k][c] = Double.parseDouble(f[c + 1]);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(file + ":" + (i + 3 + k) + ": coordinate '" + f[c + 1] + "' is not a number");
                    }
                }
            }
            frames.add(xyz);
            i += n + 2;
        }
        if (frames.isEmpty()) {
            throw new IllegalArgumentException(file + ": holds no structure");
        }
        return frames;
    }

    /**
     * Reads one numeric column of a CSV file with a header line.
     *
     * @param file the file
     * @param column the column's name in the header
     * @return its values, in row order
     * @throws IllegalArgumentException when the column is missing or a value is not a number
     */
    static double[] readColumn(Path file, String column) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot be read: " + e.getMessage(), e);
        }
        int h = 0;
        while (h < lines.size() && (lines.get(h).isBlank() || lines.get(h).startsWith("#"))) {
            h++;
        }
        if (h == lines.size()) {
            throw new IllegalArgumentException(file + ": is empty; expected a header line naming column '" + column + "'");
        }
        String[] header = lines.get(h).split(",");
        int col = -1;
        List<String> names = new ArrayList<>();
        for (int k = 0; k < header.length; k++) {
            names.add(header[k].trim());
            if (header[k].trim().equals(column)) {
                col = k;
            }
        }
        if (col < 0) {
            String s = org.chemfit.Names.closest(column, names);
            throw new IllegalArgumentException(file + ":" + (h + 1) + ": has no column '" + column + "'"
                    + (s == null ? "" : " (did you mean '" + s + "'?)") + "; columns: " + String.join(", ", names));
        }
        List<Double> out = new ArrayList<>();
        for (int r = h + 1; r < lines.size(); r++) {
            String line = lines.get(r);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(",");
            if (f.length <= col) {
                throw new IllegalArgumentException(file + ":" + (r + 1) + ": has " + f.length + " fields, column '" + column
                        + "' is field " + (col + 1));
            }
            try {
                out.add(Double.parseDouble(f[col].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ":" + (r + 1) + ": '" + f[col].trim() + "' in column '" + column
                        + "' is not a number");
            }
        }
        double[] a = new double[out.size()];
        for (int k = 0; k < a.length; k++) {
            a[k] = out.get(k);
        }
        return a;
    }
}

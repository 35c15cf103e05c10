package org.chemfit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;

/**
 * Builds the per-structure quantity computers of an {@code atoms} term.
 *
 * @implNote Stateless; the computers are immutable and thread-safe.
 */
final class AtomsTerms {

    private AtomsTerms() {
    }

    /** One row of a reference CSV. */
    record Entry(Path file, double energy, String tag) {
    }

    /**
     * Reads a reference CSV in ChemFit's process_csv layout.
     *
     * @param csv the file
     * @return its rows
     * @throws IllegalArgumentException naming file and line when it is malformed
     */
    static List<Entry> readReference(Path csv) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv);
        } catch (IOException e) {
            throw new IllegalArgumentException(csv + ": cannot be read: " + e.getMessage(), e);
        }
        int h = 0;
        while (h < lines.size() && (lines.get(h).isBlank() || lines.get(h).startsWith("#"))) {
            h++;
        }
        if (h == lines.size()) {
            throw new IllegalArgumentException(csv + ": is empty; expected a header naming the columns file, reference_energy and tag");
        }
        String[] header = lines.get(h).split(",");
        int file = -1;
        int energy = -1;
        int tag = -1;
        for (int c = 0; c < header.length; c++) {
            switch (header[c].trim().toLowerCase(Locale.ROOT)) {
                case "file", "path" -> file = file < 0 ? c : file;
                case "reference_energy", "energy" -> energy = energy < 0 ? c : energy;
                case "tag", "name" -> tag = tag < 0 ? c : tag;
                default -> {
                }
            }
        }
        if (file < 0 || energy < 0) {
            throw new IllegalArgumentException(csv + ":" + (h + 1) + ": expected a header with the columns 'file' and "
                    + "'reference_energy' (and optionally 'tag'), got '" + lines.get(h) + "'");
        }
        List<Entry> out = new ArrayList<>();
        for (int r = h + 1; r < lines.size(); r++) {
            String line = lines.get(r);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length != header.length) {
                throw new IllegalArgumentException(csv + ":" + (r + 1) + ": has " + f.length + " fields, the header has " + header.length);
            }
            double e;
            try {
                e = Double.parseDouble(f[energy].trim());
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException(csv + ":" + (r + 1) + ": reference energy '" + f[energy].trim() + "' is not a number");
            }
            Path p = csv.toAbsolutePath().getParent().resolve(f[file].trim()).normalize();
            String t = tag >= 0 && !f[tag].isBlank() ? f[tag].trim() : p.getFileName().toString().replaceFirst("\\.[^.]*$", "");
            out.add(new Entry(p, e, t));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(csv + ": has a header but no rows");
        }
        return out;
    }

    /**
     * @param file an XYZ file (its last frame is used)
     * @param config the term's settings
     * @return a computer of the structure's energy under the term's potential
     */
    static QuantityComputer computer(Path file, JobFile.AtomsConfig config) {
        List<double[][]> frames = readXyz(file);
        double[][] xyz = frames.get(frames.size() - 1);
        for (JobFile.PairTermSpec p : config.potential()) {
            if (!p.form().equals("lennard_jones")) {
                throw new IllegalArgumentException("pair term form '" + p.form() + "' is not available in this build");
            }
        }
        return new QuantityComputer() {
            @Override
            public Quantities compute(Parameters params) {
                double e = 0;
                for (JobFile.PairTermSpec p : config.potential()) {
                    e += ljEnergy(xyz, value(p.parameters().get("epsilon"), params), value(p.parameters().get("sigma"), params),
                            p.cutoff(), p.shifted());
                }
                return Quantities.builder().put("energy", e).build();
            }
        };
    }

    private static double value(String ref, Parameters p) {
        try {
            return Double.parseDouble(ref);
        } catch (NumberFormatException e) {
            int star = ref.indexOf('*');
            if (star < 0) {
                return p.get(ref);
            }
            String l = ref.substring(0, star).trim();
            String r = ref.substring(star + 1).trim();
            try {
                return Double.parseDouble(l) * p.get(r);
            } catch (NumberFormatException ex) {
                return Double.parseDouble(r) * p.get(l);
            }
        }
    }

    static double ljEnergy(double[][] xyz, double eps, double sigma, double cutoff, boolean shifted) {
        double shift = shifted && Double.isFinite(cutoff) ? lj(eps, sigma, cutoff) : 0;
        double e = 0;
        for (int i = 0; i < xyz.length; i++) {
            for (int j = i + 1; j < xyz.length; j++) {
                double dx = xyz[i][0] - xyz[j][0];
                double dy = xyz[i][1] - xyz[j][1];
                double dz = xyz[i][2] - xyz[j][2];
                double r = Math.sqrt(dx * dx + dy * dy + dz * dz);
                if (r < cutoff) {
                    e += lj(eps, sigma, r) - shift;
                }
            }
        }
        return e;
    }

    private static double lj(double eps, double sigma, double r) {
        double s2 = sigma * sigma / (r * r);
        double s6 = s2 * s2 * s2;
        return 4 * eps * (s6 * s6 - s6);
    }

    /** Reads the frames of an XYZ file: a count line, a comment line, then 'symbol x y z' per atom. */
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
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": a frame of " + n + " atoms needs " + (n + 2)
                        + " lines, but the file ends after " + (lines.size() - i));
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
}

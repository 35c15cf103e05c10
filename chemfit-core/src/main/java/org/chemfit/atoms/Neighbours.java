package org.chemfit.atoms;

import java.util.Objects;

/**
 * Finds every pair of atoms closer than a cutoff with a cell list, counting periodic images: in
 * a periodic cell an atom meets its neighbours' images and its own images, so a cutoff larger
 * than half the cell width is handled rather than refused. Written by hand because the
 * project's libraries (Hipparchus) offer no spatial binning for periodic, skewed cells.
 *
 * <p>The cell list works in fractional coordinates: along each direction the cell is cut into
 * {@code nb = floor(2 w / r_c)} slabs, w being the distance between the cell's opposite faces
 * (not the length of the cell vector), so a skewed cell is binned by its true widths. Two atoms
 * within r_c differ by at most {@code ceil(r_c nb / w)} slabs along each direction; the search
 * runs over that many slabs each way, wrapping through the periodic directions, each wrap being
 * one image. The cost per atom is independent of the number of atoms for a fixed density.
 *
 * @implNote Stateless; each call builds its own lists.
 */
final class Neighbours {

    /** Receives one pair: atoms i and j, the vector from i to (an image of) j, its squared length. */
    @FunctionalInterface
    interface Visitor {
        void pair(int i, int j, double dx, double dy, double dz, double r2);
    }

    /** An upper bound on the number of slabs per direction for non-periodic directions. */
    private static final int MAX_BINS = 1 << 20;

    /**
     * The most slabs of periodic images the search of one atom may visit: 100 million, (464)^3, a
     * cutoff 232 times the cell's width in every direction, which no structure needs (a cutoff of
     * 66 Å in a cell of diamond, 3.57 Å wide, visits 39^3 = 59,319). A cell beyond it is one whose
     * vectors are wrong (two nearly alike make a width of nearly 0) or in another unit, and its
     * search would not end in any time a fit has (a width of 1e-9 Å against a cutoff of 10 Å: some
     * 10^20 slabs). The job reader refuses such cells before they are evaluated.
     */
    static final double MOST_IMAGE_SLABS = 1e8;

    private Neighbours() {}

    /**
     * Visits every pair (i, j, image) with distance below the cutoff exactly once: pairs i &lt; j
     * with every image of j, and, in periodic cells, an atom with its own images (i == j), each
     * image and its opposite counted once.
     *
     * @throws IllegalArgumentException when the cutoff is infinite in a periodic cell, or the cell is
     *     so thin against the cutoff that one atom's search would visit more than {@link
     *     #MOST_IMAGE_SLABS} slabs of images
     * @throws org.chemfit.EvaluationCancelledException when the thread is interrupted (checked for
     *     each atom and slab of images; the flag stays set)
     */
    static void forEach(Atoms atoms, double cutoff, Visitor v) {
        int n = atoms.size();
        double[] pos = atoms.positionsArray();
        if (n == 0) {
            return;
        }
        if (!Double.isFinite(cutoff)) {
            if (atoms.isPeriodic()) {
                throw new IllegalArgumentException(
                        "a periodic cell has infinitely many images; a pair sum needs a finite cutoff");
            }
            allPairs(atoms, pos, n, cutoff, v);
            return;
        }
        double[] cell;
        double[] inv;
        boolean[] pbc;
        if (atoms.hasCell()) {
            cell = Objects.requireNonNull(atoms.cellArray(), "cell");
            inv = atoms.inverseCellArray();
            pbc = atoms.pbcArray();
        } else {
            // a box around the atoms, used only to bin them
            double[] lo = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
            double[] hi = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < 3; c++) {
                    lo[c] = Math.min(lo[c], pos[3 * i + c]);
                    hi[c] = Math.max(hi[c], pos[3 * i + c]);
                }
            }
            cell = new double[9];
            inv = new double[9];
            for (int c = 0; c < 3; c++) {
                double l = Math.max(hi[c] - lo[c], 1.0);
                cell[4 * c] = l;
                inv[4 * c] = 1 / l;
            }
            pbc = new boolean[3];
        }
        double vol = Math.abs(det(cell));
        // fractional coordinates, wrapped into [0, 1) along periodic directions
        double[] f = new double[3 * n];
        double[] wrapped = new double[3 * n];
        double[] fmin = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        double[] fmax = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (int i = 0; i < n; i++) {
            double x = pos[3 * i];
            double y = pos[3 * i + 1];
            double z = pos[3 * i + 2];
            double[] s = new double[3];
            for (int a = 0; a < 3; a++) {
                double fa = x * inv[a] + y * inv[3 + a] + z * inv[6 + a];
                if (pbc[a]) {
                    s[a] = Math.floor(fa);
                    fa -= s[a];
                    if (fa >= 1) {
                        fa = 0;
                        s[a] += 1;
                    }
                }
                f[3 * i + a] = fa;
                fmin[a] = Math.min(fmin[a], fa);
                fmax[a] = Math.max(fmax[a], fa);
            }
            for (int c = 0; c < 3; c++) {
                wrapped[3 * i + c] = pos[3 * i + c] - s[0] * cell[c] - s[1] * cell[3 + c] - s[2] * cell[6 + c];
            }
        }
        int[] nb = new int[3];
        int[] reach = new int[3];
        double[] origin = new double[3];
        double[] span = new double[3];
        double[] extent = new double[3];
        for (int a = 0; a < 3; a++) {
            double w = vol / crossNorm(cell, (a + 1) % 3, (a + 2) % 3);
            origin[a] = pbc[a] ? 0 : fmin[a];
            span[a] = pbc[a] ? 1 : fmax[a] - fmin[a];
            extent[a] = span[a] * w;
            // slabs half a cutoff wide: the search covers 5 slabs each way instead of 3 wider ones, less volume
            double slabs = Math.floor(2 * extent[a] / cutoff);
            nb[a] = (int) Math.max(1, Math.min(pbc[a] ? MAX_BINS : Math.min(MAX_BINS, n), slabs));
        }
        long total = (long) nb[0] * nb[1] * nb[2];
        while (total > 4L * n + 64) {
            // too many empty slabs (a sparse or elongated structure): coarsen the finest direction
            int a = nb[0] >= nb[1] && nb[0] >= nb[2] ? 0 : nb[1] >= nb[2] ? 1 : 2;
            nb[a] = Math.max(1, nb[a] / 2);
            total = (long) nb[0] * nb[1] * nb[2];
        }
        for (int a = 0; a < 3; a++) {
            if (nb[a] == 1 && !pbc[a]) {
                reach[a] = 0;
            } else {
                // two atoms within the cutoff are at most this many slabs apart
                reach[a] = (int) Math.ceil(cutoff * nb[a] / extent[a]);
                if (!pbc[a]) {
                    reach[a] = Math.min(nb[a] - 1, reach[a]);
                }
            }
        }
        double visited = 1;
        for (int a = 0; a < 3; a++) {
            // reach in slabs from the cutoff over the width, in double: a width of 1e-9 Å overflows an int
            visited *= 2 * (pbc[a] ? Math.min(1e9, Math.ceil(cutoff * nb[a] / extent[a])) : reach[a]) + 1.0;
        }
        if (visited > MOST_IMAGE_SLABS) {
            double[] width = new double[3];
            for (int a = 0; a < 3; a++) {
                width[a] = vol / crossNorm(cell, (a + 1) % 3, (a + 2) % 3);
            }
            throw new IllegalArgumentException(String.format(
                    java.util.Locale.ROOT,
                    "the periodic cell is too thin for a cutoff of %.6g Å: the distances between its opposite"
                            + " faces are %.6g, %.6g and %.6g Å, so each atom would meet some %.3g slabs of its own"
                            + " images (at most %.0e are searched); are the cell's vectors right (two of them nearly"
                            + " alike make a cell of nearly no width) and in Å?",
                    cutoff,
                    width[0],
                    width[1],
                    width[2],
                    visited,
                    MOST_IMAGE_SLABS));
        }
        int[] bin = new int[n];
        int[] count = new int[(int) total + 1];
        int[] ba = new int[3 * n];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < 3; a++) {
                double u = span[a] > 0 ? (f[3 * i + a] - origin[a]) / span[a] : 0;
                int b = (int) Math.floor(u * nb[a]);
                ba[3 * i + a] = Math.max(0, Math.min(nb[a] - 1, b));
            }
            bin[i] = (ba[3 * i] * nb[1] + ba[3 * i + 1]) * nb[2] + ba[3 * i + 2];
            count[bin[i] + 1]++;
        }
        for (int b = 0; b < total; b++) {
            count[b + 1] += count[b];
        }
        int[] start = count.clone();
        int[] members = new int[n];
        int[] fill = count.clone();
        for (int i = 0; i < n; i++) {
            members[fill[bin[i]]++] = i;
        }
        // the wrapped positions in bin order, so that the inner loop reads memory in sequence
        double[] sorted = new double[3 * n];
        for (int m = 0; m < n; m++) {
            int j = members[m];
            sorted[3 * m] = wrapped[3 * j];
            sorted[3 * m + 1] = wrapped[3 * j + 1];
            sorted[3 * m + 2] = wrapped[3 * j + 2];
        }
        double cut2 = cutoff * cutoff;
        for (int i = 0; i < n; i++) {
            double xi = wrapped[3 * i];
            double yi = wrapped[3 * i + 1];
            double zi = wrapped[3 * i + 2];
            for (int oa = -reach[0]; oa <= reach[0]; oa++) {
                // one slab of images: in a cell far smaller than the cutoff (a structure written in nm,
                // not Å) an atom meets millions of images, a single energy takes seconds
                Cancellation.check("the pair sum over ", atoms);
                int pa = ba[3 * i] + oa;
                int ia = pbc[0] ? Math.floorDiv(pa, nb[0]) : 0;
                int ca = pbc[0] ? Math.floorMod(pa, nb[0]) : pa;
                if (ca < 0 || ca >= nb[0]) {
                    continue;
                }
                for (int ob = -reach[1]; ob <= reach[1]; ob++) {
                    int pb = ba[3 * i + 1] + ob;
                    int ib = pbc[1] ? Math.floorDiv(pb, nb[1]) : 0;
                    int cb = pbc[1] ? Math.floorMod(pb, nb[1]) : pb;
                    if (cb < 0 || cb >= nb[1]) {
                        continue;
                    }
                    for (int oc = -reach[2]; oc <= reach[2]; oc++) {
                        int pc = ba[3 * i + 2] + oc;
                        int ic = pbc[2] ? Math.floorDiv(pc, nb[2]) : 0;
                        int cc = pbc[2] ? Math.floorMod(pc, nb[2]) : pc;
                        if (cc < 0 || cc >= nb[2]) {
                            continue;
                        }
                        boolean positiveImage = ia > 0 || ia == 0 && (ib > 0 || ib == 0 && ic > 0);
                        double tx = ia * cell[0] + ib * cell[3] + ic * cell[6];
                        double ty = ia * cell[1] + ib * cell[4] + ic * cell[7];
                        double tz = ia * cell[2] + ib * cell[5] + ic * cell[8];
                        int b = (ca * nb[1] + cb) * nb[2] + cc;
                        for (int m = start[b]; m < start[b + 1]; m++) {
                            int j = members[m];
                            if (j < i || j == i && !positiveImage) {
                                continue;
                            }
                            double dx = sorted[3 * m] + tx - xi;
                            double dy = sorted[3 * m + 1] + ty - yi;
                            double dz = sorted[3 * m + 2] + tz - zi;
                            double r2 = dx * dx + dy * dy + dz * dz;
                            if (r2 < cut2) {
                                v.pair(i, j, dx, dy, dz, r2);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Writes the vector from atom i to the nearest image of atom j into d and returns its squared
     * length: the wrapped fractional displacement, then the 26 images around it (so that the
     * nearest image is found in skewed cells too).
     */
    static double nearestImage(Atoms atoms, double[] pos, int i, int j, double[] d) {
        double best = atoms.displacement(pos, i, j, d);
        if (!atoms.isPeriodic()) {
            return best;
        }
        double[] c = Objects.requireNonNull(atoms.cellArray(), "a periodic structure has a cell");
        boolean[] pbc = atoms.pbcArray();
        double bx = d[0];
        double by = d[1];
        double bz = d[2];
        double x0 = d[0];
        double y0 = d[1];
        double z0 = d[2];
        for (int a = pbc[0] ? -1 : 0; a <= (pbc[0] ? 1 : 0); a++) {
            for (int b = pbc[1] ? -1 : 0; b <= (pbc[1] ? 1 : 0); b++) {
                for (int e = pbc[2] ? -1 : 0; e <= (pbc[2] ? 1 : 0); e++) {
                    double x = x0 + a * c[0] + b * c[3] + e * c[6];
                    double y = y0 + a * c[1] + b * c[4] + e * c[7];
                    double z = z0 + a * c[2] + b * c[5] + e * c[8];
                    double r2 = x * x + y * y + z * z;
                    if (r2 < best - 1e-12) {
                        best = r2;
                        bx = x;
                        by = y;
                        bz = z;
                    }
                }
            }
        }
        d[0] = bx;
        d[1] = by;
        d[2] = bz;
        return best;
    }

    private static void allPairs(Atoms atoms, double[] pos, int n, double cutoff, Visitor v) {
        double cut2 = cutoff * cutoff;
        for (int i = 0; i < n; i++) {
            Cancellation.check("the pair sum over ", atoms);
            for (int j = i + 1; j < n; j++) {
                double dx = pos[3 * j] - pos[3 * i];
                double dy = pos[3 * j + 1] - pos[3 * i + 1];
                double dz = pos[3 * j + 2] - pos[3 * i + 2];
                double r2 = dx * dx + dy * dy + dz * dz;
                if (r2 < cut2) {
                    v.pair(i, j, dx, dy, dz, r2);
                }
            }
        }
    }

    static double crossNorm(double[] c, int a, int b) {
        double cx = c[3 * a + 1] * c[3 * b + 2] - c[3 * a + 2] * c[3 * b + 1];
        double cy = c[3 * a + 2] * c[3 * b] - c[3 * a] * c[3 * b + 2];
        double cz = c[3 * a] * c[3 * b + 1] - c[3 * a + 1] * c[3 * b];
        return Math.sqrt(cx * cx + cy * cy + cz * cz);
    }

    static double det(double[] c) {
        return c[0] * (c[4] * c[8] - c[5] * c[7])
                - c[1] * (c[3] * c[8] - c[5] * c[6])
                + c[2] * (c[3] * c[7] - c[4] * c[6]);
    }
}

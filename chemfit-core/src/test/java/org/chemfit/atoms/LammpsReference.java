package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the real LAMMPS ({@code lmp}) on a structure and reads its energy, forces and pressure
 * tensor, for comparisons with the in-process potentials.
 */
final class LammpsReference {

    /** LAMMPS's metal-units conversion from eV/Å³ to bar. */
    static final double EV_PER_A3_IN_BAR = 1.6021765e6;

    /** The energy (eV), forces (eV/Å, by atom) and stress σ = (1/V) dE/dε (eV/Å³, 9 by rows). */
    record Result(double energy, double[] forces, double[] stress) {}

    private LammpsReference() {}

    static Path requireLammps() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "lmp");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String msg = "LAMMPS ('lmp') is not on PATH; install it with 'apt-get install -y lammps'";
        if (System.getenv("CI") != null) {
            fail(msg + " (CI is set, so this test must not be skipped)");
        }
        Assumptions.abort(msg + "; skipping because CI is not set");
        return null;
    }

    /**
     * @param atoms a structure whose cell is LAMMPS-shaped (a along x, b in the xy plane)
     * @param types species in LAMMPS type order
     * @param charges the charge of each type
     * @param bondsWithinMolecules write a bond from the first atom of each molecule to every other
     *     atom of it (so that special_bonds can exclude intramolecular pairs)
     * @param pairCommands the pair_style, pair_coeff, kspace and special_bonds lines
     */
    static Result run(
            Path dir,
            Atoms atoms,
            List<String> types,
            double[] charges,
            boolean bondsWithinMolecules,
            String pairCommands)
            throws IOException, InterruptedException {
        Path lmp = requireLammps();
        Files.createDirectories(dir);
        double[][] c = atoms.cell();
        if (Math.abs(c[0][1]) > 1e-12 || Math.abs(c[0][2]) > 1e-12 || Math.abs(c[1][2]) > 1e-12) {
            throw new IllegalArgumentException("LAMMPS needs a along x and b in the xy plane");
        }
        boolean triclinic = Math.abs(c[1][0]) + Math.abs(c[2][0]) + Math.abs(c[2][1]) > 0;
        int[] mol = atoms.molecules();
        StringBuilder d = new StringBuilder("chemfit test structure\n\n");
        d.append(atoms.size()).append(" atoms\n").append(types.size()).append(" atom types\n");
        List<int[]> bonds = new ArrayList<>();
        if (bondsWithinMolecules) {
            int first = 0;
            for (int i = 1; i <= atoms.size(); i++) {
                if (i == atoms.size() || mol[i] != mol[first]) {
                    for (int j = first + 1; j < i; j++) {
                        bonds.add(new int[] {first + 1, j + 1});
                    }
                    first = i;
                }
            }
            d.append(bonds.size()).append(" bonds\n1 bond types\n");
        }
        d.append(String.format(
                Locale.ROOT, "0 %.17g xlo xhi\n0 %.17g ylo yhi\n0 %.17g zlo zhi\n", c[0][0], c[1][1], c[2][2]));
        if (triclinic) {
            d.append(String.format(Locale.ROOT, "%.17g %.17g %.17g xy xz yz\n", c[1][0], c[2][0], c[2][1]));
        }
        d.append("\nMasses\n\n");
        for (int t = 0; t < types.size(); t++) {
            d.append(t + 1).append(" 1.0\n");
        }
        d.append("\nAtoms # full\n\n");
        for (int i = 0; i < atoms.size(); i++) {
            int t = types.indexOf(atoms.species(i));
            double[] x = atoms.position(i);
            d.append(String.format(
                    Locale.ROOT,
                    "%d %d %d %.17g %.17g %.17g %.17g\n",
                    i + 1,
                    mol == null ? 1 : mol[i] + 1,
                    t + 1,
                    charges[t],
                    x[0],
                    x[1],
                    x[2]));
        }
        if (!bonds.isEmpty()) {
            d.append("\nBonds\n\n");
            for (int b = 0; b < bonds.size(); b++) {
                d.append(b + 1)
                        .append(" 1 ")
                        .append(bonds.get(b)[0])
                        .append(' ')
                        .append(bonds.get(b)[1])
                        .append('\n');
            }
        }
        Files.writeString(dir.resolve("data.lmp"), d.toString());
        String in = "units metal\natom_style full\nboundary p p p\n"
                + (bondsWithinMolecules ? "bond_style zero\n" : "")
                + "read_data data.lmp\n"
                + (bondsWithinMolecules ? "bond_coeff 1\n" : "")
                + pairCommands + "\n"
                + "compute p all pressure NULL virial\n"
                + "thermo_style custom step pe c_p[1] c_p[2] c_p[3] c_p[4] c_p[5] c_p[6]\n"
                + "thermo_modify format float %.17g\n"
                + "dump d all custom 1 forces.dump id fx fy fz\ndump_modify d format float %.17g sort id\n"
                + "run 0\n";
        Files.writeString(dir.resolve("in.lammps"), in);
        Process p = new ProcessBuilder(
                        lmp.toString(), "-in", "in.lammps", "-log", "log.lammps", "-screen", "none", "-nocite")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.txt").toFile())
                .start();
        int code = p.waitFor();
        if (code != 0) {
            fail("lmp exited with " + code + ": " + Files.readString(dir.resolve("log.lammps")));
        }
        List<String> log = Files.readAllLines(dir.resolve("log.lammps"));
        double[] thermo = null;
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).trim().startsWith("Step")) {
                String[] f = log.get(i + 1).trim().split("\\s+");
                thermo = new double[f.length];
                for (int k = 0; k < f.length; k++) {
                    thermo[k] = Double.parseDouble(f[k]);
                }
            }
        }
        if (thermo == null) {
            fail("no thermo line in " + dir.resolve("log.lammps"));
        }
        // pressure components pxx pyy pzz pxy pxz pyz (bar) -> stress = -pressure
        double[] pr = {thermo[2], thermo[5], thermo[6], thermo[5], thermo[3], thermo[7], thermo[6], thermo[7], thermo[4]
        };
        double[] stress = new double[9];
        for (int k = 0; k < 9; k++) {
            stress[k] = -pr[k] / EV_PER_A3_IN_BAR;
        }
        List<String> dump = Files.readAllLines(dir.resolve("forces.dump"));
        double[] f = new double[3 * atoms.size()];
        int start = dump.indexOf(dump.stream()
                        .filter(s -> s.startsWith("ITEM: ATOMS"))
                        .findFirst()
                        .orElseThrow())
                + 1;
        for (int i = 0; i < atoms.size(); i++) {
            String[] s = dump.get(start + i).trim().split("\\s+");
            int id = Integer.parseInt(s[0]) - 1;
            for (int k = 0; k < 3; k++) {
                f[3 * id + k] = Double.parseDouble(s[1 + k]);
            }
        }
        return new Result(thermo[1], f, stress);
    }
}

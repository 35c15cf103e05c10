package org.chemfit.cli;

import java.util.List;
import java.util.Map;
import org.chemfit.ChemFitException;
import org.chemfit.QuantityComputer;
import org.chemfit.atoms.Atoms;
import org.chemfit.atoms.PairPotential;
import org.chemfit.atoms.ParameterRef;
import org.chemfit.atoms.Potential;
import org.chemfit.atoms.ReferenceCsv;
import org.chemfit.atoms.ReferenceEntry;
import org.chemfit.atoms.Relax;
import org.chemfit.atoms.RelaxedComputer;
import org.chemfit.atoms.SinglePointComputer;
import org.chemfit.atoms.StructureQuantities;
import org.chemfit.atoms.Xyz;

/**
 * Builds an {@code atoms} term's pieces with the library's atomistic toolkit: the reference rows
 * ({@link ReferenceCsv}), the pair potential ({@link PairPotential}) and one
 * {@link SinglePointComputer} (or, to relax first, {@link RelaxedComputer}) per structure.
 *
 * @implNote Stateless; what it returns is immutable and thread-safe.
 */
final class AtomsTerms {

    private AtomsTerms() {}

    /**
     * @param config the term's settings
     * @return the rows of its reference CSV
     * @throws ChemFitException naming the file and line when the CSV is malformed
     */
    static List<ReferenceEntry> readReference(JobFile.AtomsConfig config) {
        return ReferenceCsv.read(config.reference());
    }

    /**
     * @param config the term's settings
     * @return the potential, the sum of its pair terms
     * @throws IllegalArgumentException for a pair term the library rejects
     */
    static Potential potential(JobFile.AtomsConfig config) {
        return potential(config.potential(), config.excludeIntramolecular(), config.coulombConstant());
    }

    /**
     * @param specs the pair terms
     * @param excludeIntramolecular whether pairs within one molecule are left out
     * @param coulombConstant the Coulomb constant in the term's energy unit times Å per e²
     * @return their sum
     * @throws IllegalArgumentException for a pair term the library rejects
     */
    static PairPotential potential(
            List<JobFile.PairTermSpec> specs, boolean excludeIntramolecular, double coulombConstant) {
        return potential(PairPotential.builder().coulombConstant(coulombConstant), specs, excludeIntramolecular);
    }

    /**
     * @param specs the pair terms
     * @param excludeIntramolecular whether pairs within one molecule are left out
     * @return their sum
     * @throws IllegalArgumentException for a pair term the library rejects
     */
    static PairPotential potential(List<JobFile.PairTermSpec> specs, boolean excludeIntramolecular) {
        return potential(PairPotential.builder(), specs, excludeIntramolecular);
    }

    private static PairPotential potential(
            PairPotential.Builder b, List<JobFile.PairTermSpec> specs, boolean excludeIntramolecular) {
        for (JobFile.PairTermSpec p : specs) {
            Map<String, ParameterRef> refs = p.parameters();
            switch (p.form()) {
                case COULOMB -> {
                    if (p.coulombMethod() == PairPotential.CoulombMethod.DIRECT) {
                        b.coulomb(refs, p.cutoff(), p.shifted());
                    } else if (p.coulombMethod() == PairPotential.CoulombMethod.DSF) {
                        b.coulombDampedShiftedForce(refs, p.alpha(), p.cutoff());
                    } else {
                        b.coulomb(refs, p.coulombMethod(), p.tolerance());
                    }
                }
                case LENNARD_JONES, MORSE, BUCKINGHAM ->
                    b.term(JobKeys.word(p.form()), p.speciesA(), p.speciesB(), refs, p.cutoff(), p.shifted());
            }
        }
        if (excludeIntramolecular) {
            b.excludeIntramolecular();
        }
        return b.build();
    }

    /**
     * @param config a crystal term's settings
     * @return the computer of its crystal's properties
     * @throws ChemFitException naming the file when the structure is malformed or not a cubic cell
     */
    static QuantityComputer crystal(JobFile.CrystalConfig config) {
        Atoms atoms = Xyz.read(config.structure());
        try {
            // a failure names the cell by its file, not by the structure's Java text
            return new org.chemfit.atoms.CubicCrystalComputer(
                    atoms,
                    config.formulaUnits(),
                    potential(config.potential(), false),
                    "the cell of " + config.structure());
        } catch (IllegalArgumentException e) {
            throw new ChemFitException(config.structure() + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param config a crystal term's settings
     * @return how many conventional cells its structure holds along each edge (1 for the
     *     conventional cell, n for an n × n × n supercell: {@code CubicCrystalComputer.repeats}),
     *     which decides what its {@code lattice_constant} is the edge of
     * @throws ChemFitException naming the file when the structure is malformed or not a cubic cell
     */
    static int crystalRepeats(JobFile.CrystalConfig config) {
        try {
            return org.chemfit.atoms.CubicCrystalComputer.repeats(Xyz.read(config.structure()));
        } catch (IllegalArgumentException e) {
            throw new ChemFitException(config.structure() + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param where the term, as problems name it ({@code term 'curve'})
     * @param entry a reference row whose structure file is not a regular file
     * @param csv the reference CSV
     * @return the problem, for the row's line of the reference CSV
     */
    static String notAStructureFile(String where, ReferenceEntry entry, java.nio.file.Path csv) {
        String unreachable = java.nio.file.Files.exists(entry.file()) ? null : JobReading.unreachable(entry.file());
        return where + " structure file " + entry.file() + " (tag '" + entry.tag() + "') "
                + (java.nio.file.Files.isDirectory(entry.file())
                        ? "is a folder"
                        : java.nio.file.Files.exists(entry.file())
                                ? "is not a regular file"
                                : unreachable != null
                                        ? unreachable
                                        : "does not exist"
                                                + JobReading.separatorHint(
                                                        asWritten(entry.file(), csv),
                                                        "a reference CSV's paths",
                                                        "its folder")
                                                + currentFolderHint(entry.file(), csv));
    }

    /**
     * @param file a structure file, resolved against its CSV's folder
     * @param csv the CSV
     * @return the path as the CSV's file column gives it: relative to the CSV's folder when it is
     *     under it, else as resolved (written absolute, or with {@code ..})
     */
    private static String asWritten(java.nio.file.Path file, java.nio.file.Path csv) {
        java.nio.file.Path folder = csv.toAbsolutePath().getParent();
        java.nio.file.Path f = file.toAbsolutePath();
        return folder != null && f.startsWith(folder) ? folder.relativize(f).toString() : file.toString();
    }

    /**
     * @param file a structure file that does not exist, resolved against its CSV's folder
     * @param csv the reference CSV that names it
     * @return when the path, as the CSV's folder gives it, names a file relative to the current
     *     folder instead: that paths in the file column are relative to the CSV's folder, and how to
     *     write it ({@code "; paths in its file column are relative to its folder /tmp/tc/b/data, and
     *     b/data/ar2.xyz exists relative to the current folder: write ar2.xyz"}); else ""
     */
    private static String currentFolderHint(java.nio.file.Path file, java.nio.file.Path csv) {
        java.nio.file.Path folder = csv.toAbsolutePath().normalize().getParent();
        java.nio.file.Path absolute = file.toAbsolutePath().normalize();
        if (folder == null || !absolute.startsWith(folder)) {
            return ""; // an absolute path, or one that leaves the CSV's folder
        }
        java.nio.file.Path written = folder.relativize(absolute);
        java.nio.file.Path here = written.toAbsolutePath().normalize();
        if (here.equals(absolute) || !java.nio.file.Files.isRegularFile(here)) {
            return "";
        }
        return "; paths in its file column are relative to its folder " + folder + ", and " + written
                + " exists relative to the current folder: write " + folder.relativize(here);
    }

    /**
     * @param e what is wrong in a row's structure file
     * @param reference the reference CSV
     * @param entry the row
     * @return the problem, for the structure file's line, naming the row that names the file
     */
    static String malformedStructure(
            org.chemfit.atoms.InputFormatException e, java.nio.file.Path reference, ReferenceEntry entry) {
        return e.problem() + " (" + reference.getFileName() + " line " + entry.line() + ", tag '" + entry.tag() + "')";
    }

    /**
     * @param entry a reference row, whose structure file exists (the caller reports one that does not)
     * @param config the term's settings
     * @param potential the term's potential
     * @param structures the job's structure files, each parsed once
     * @return the computer of the row's structure's energy
     * @throws ChemFitException naming the file and line when the structure file is malformed
     */
    static QuantityComputer computer(
            ReferenceEntry entry, JobFile.AtomsConfig config, Potential potential, StructureFiles structures) {
        String where =
                " (" + config.reference().getFileName() + " line " + entry.line() + ", tag '" + entry.tag() + "')";
        Atoms atoms = structures.atoms(entry.file());
        if (config.moleculeSize() > 0) {
            try {
                atoms = atoms.withConsecutiveMolecules(config.moleculeSize());
            } catch (IllegalArgumentException e) {
                throw new ChemFitException(entry.file() + where + ": " + e.getMessage() + " (molecule_size)", e);
            }
        }
        JobFile.RelaxSpec r = config.relax();
        if (r == null) {
            return naming(new SinglePointComputer(atoms, potential), entry.file() + where);
        }
        Relax method = switch (r.method()) {
            case FIRE -> Relax.fire();
            case LBFGS -> Relax.lbfgs();
        };
        Relax relax = method.forceTolerance(r.fmax()).maxSteps(r.steps()).maxStep(r.maxStep());
        return naming(new RelaxedComputer(atoms, potential, relax, StructureQuantities.none()), entry.file() + where);
    }

    /**
     * @return the computer, whose refusal of its structure (two atoms at the same place, a
     *     structure the potential cannot sum) names the structure's file and CSV line
     */
    private static QuantityComputer naming(QuantityComputer inner, String structure) {
        return new QuantityComputer() {
            @Override
            public org.chemfit.Quantities compute(org.chemfit.Parameters params) {
                try {
                    return inner.compute(params);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("structure " + structure + ": " + e.getMessage(), e);
                }
            }

            @Override
            public org.chemfit.Quantities compute(org.chemfit.Parameters params, org.chemfit.EvaluationContext ctx) {
                try {
                    return inner.compute(params, ctx);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("structure " + structure + ": " + e.getMessage(), e);
                }
            }

            @Override
            public String toString() {
                return inner.toString();
            }
        };
    }
}

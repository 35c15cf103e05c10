package org.chemfit.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code chemfit validate JOB}: checks the job file, the data files and templates it names and
 * that each program it runs is on the PATH, without running anything. Every template is rendered
 * in memory with the initial parameters, so a name that is neither a parameter nor a variable is
 * reported at the template's file and line. A free parameter that no term of the fit uses (see
 * {@link FitPlan#unusedFreeParameters()}) is warned about on standard error, as is a command that runs
 * LAMMPS with {@code -screen none} while no {@code log_files} names its log (see
 * {@link FitPlan#lammpsLogWarnings()}), a parameter whose finite-difference step a template rounds
 * away (see {@link FitPlan#stepWarnings()}), a term's variable that its templates do not use (see
 * {@link FitPlan#ignoredVariableWarnings()}), and a command argument naming a file beside the job file
 * that the term does not stage in its run directory, or naming a script that is nowhere (see
 * {@link FitPlan#unstagedFileWarnings()}), what the structures make likely to be a typo (see
 * {@link JobFile#warnings()}), and more workers than cores for terms computed in this process (see
 * {@link WorkerCores}); the job is still valid.
 *
 * <pre>{@code
 * chemfit validate examples/argon/fit.yaml
 * }</pre>
 *
 * @implNote One instance per command line.
 */
@Command(name = "validate", description = "Check JOB, its data files, templates and programs without running anything.")
final class ValidateCommand extends BaseCommand {

    @Parameters(paramLabel = "JOB", description = "The job file (YAML or JSON).")
    Path job;

    @Override
    @SuppressWarnings("try") // the plan is built only to prove that it can be, then closed
    int execute() {
        JobFile jf = JobFile.read(job);
        try (FitPlan plan = FitPlan.build(jf, 1, jf.output().folder())) {
            plan.refuseProblems();
            // what chemfit fit would refuse in the output folder, said before a fit is started
            String inTheWay = OutputFolder.keptEarlierRun(
                    jf.output().folder(), "another output.folder (or chemfit fit --output)");
            if (inTheWay == null) {
                inTheWay = OutputFolder.unwritable(jf.output().folder());
            }
            if (inTheWay == null) {
                inTheWay = FitRun.inTheWay(jf.output().folder(), jf.output().plots());
            }
            if (inTheWay == null) {
                inTheWay = OutputFolder.othersFiles(
                        jf.output().folder(),
                        OutputFolder.fitNames(jf.output().folder(), jf.output().plots()),
                        "chemfit fit",
                        "another output.folder (or chemfit fit --output)");
            }
            if (inTheWay != null) {
                throw new UserException(inTheWay);
            }
            // what the output folder's journal (or results) will make chemfit fit refuse without
            // --restart: the job itself may be right, and meant for --restart or another folder
            String refusal = FitRun.journalRefusal(jf, plan);
            if (refusal != null) {
                err().println("warning: chemfit fit will refuse this job's output folder: " + refusal);
            }
            for (String warning : jf.warnings()) {
                err().println("warning: " + warning);
            }
            String room = OutputFolder.littleRoom(jf.output().folder());
            if (room != null) {
                err().println("warning: " + room);
            }
            String cores = WorkerCores.warning(
                    jf.execution().workers(),
                    jf.execution().workersAt(),
                    jf,
                    jf.optimizer().maxEvaluations(),
                    WorkerCores.cores());
            if (cores != null) {
                err().println("warning: " + cores);
            }
            for (String name : plan.unusedFreeParameters()) {
                err().println("warning: parameter '" + name + "' is free but no term of the fit uses it (no potential"
                        + " names it, no template changes with it): the data cannot determine it; give it"
                        + " fixed: true or remove it");
            }
            for (String warning : plan.ignoredVariableWarnings()) {
                err().println("warning: " + warning);
            }
            for (String warning : plan.mixedLossUnits()) {
                err().println("warning: " + warning);
            }
            for (String warning : plan.stepWarnings()) {
                err().println("warning: " + warning);
            }
            for (String warning : plan.unstagedFileWarnings()) {
                err().println("warning: " + warning);
            }
            for (String warning : plan.lammpsLogWarnings()) {
                err().println("warning: " + warning);
            }
            long free = jf.parameters().stream()
                    .filter(p -> !p.fixed() && p.lower() != p.upper())
                    .count();
            out().printf(
                            "%s is valid: %s (%d free), %s, method %s, budget %s, %s%n",
                            job,
                            Tables.count(jf.parameters().size(), "parameter"),
                            free,
                            Tables.count(jf.terms().size(), "term"),
                            jf.optimizer().method(),
                            Tables.count(jf.optimizer().maxEvaluations(), "evaluation"),
                            Tables.count(jf.execution().workers(), "worker"));
            if (!quiet) {
                for (JobFile.TermSpec t : jf.terms()) {
                    out().printf(
                                    "  term '%s' (%s), weight %s, loss %s%n",
                                    t.name(),
                                    JobKeys.word(t.kind()),
                                    Tables.fmt(t.weight()),
                                    JobKeys.word(t.loss().type()));
                    supercellNote(jf, t);
                }
                for (JobFile.TermSpec t : jf.validation()) {
                    out().printf(
                                    "  validation term '%s' (%s), loss %s: evaluated at the start and the best point, never fitted%n",
                                    t.name(),
                                    JobKeys.word(t.kind()),
                                    JobKeys.word(t.loss().type()));
                    supercellNote(jf, t);
                }
                out().println("  output: " + jf.output().folder());
            }
            return ExitCodes.OK;
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
    }

    /**
     * Says, under a crystal term whose structure is an n × n × n supercell (n > 1), that its
     * {@code lattice_constant} is the edge of the conventional cell, not of the cell in the file.
     */
    private void supercellNote(JobFile jf, JobFile.TermSpec t) {
        if (t.config() instanceof JobFile.CrystalConfig c) {
            int n = AtomsTerms.crystalRepeats(c);
            if (n > 1) {
                double[][] cell = java.util.Objects.requireNonNull(
                        org.chemfit.atoms.Xyz.read(c.structure()).cell(), "a cubic cell");
                out().printf(
                                "    structure %s is a %d x %d x %d supercell of a cubic cell of edge %s Å:"
                                        + " lattice_constant is that edge (relaxed)%n",
                                jf.folder().relativize(c.structure()), n, n, n, Tables.fmt(cell[0][0] / n));
            }
        }
    }
}

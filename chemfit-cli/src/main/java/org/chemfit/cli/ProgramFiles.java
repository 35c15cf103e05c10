package org.chemfit.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The job's own programs that its external terms run, hashed with the files the job names (the
 * job's fingerprint and the settings a resumed fit must match): a changed script is another job,
 * as a changed template or data file is.
 *
 * <ul>
 *   <li>A command's or launcher's program given as a path relative to the job file's folder ({@code ./sim.py},
 *       {@code scripts/run.sh}, {@code ../bin/sim.py}) is the file that runs, as {@link
 *       ExternalTerms#findProgram} finds it there, unless it names a file the term stages (which
 *       runs instead, and is hashed as such).
 *   <li>A program given as an absolute path, a program alias's path, and an argument of a command
 *       or of the launcher given as an absolute path to a script (executable, or ending as a script
 *       does: {@code [python3, /home/me/job/sim.py]}) are hashed when they name a readable regular
 *       file whose real place is inside the job file's folder or one of its sub-folders; elsewhere
 *       (a link to it included) they are taken as installed software. An absolute argument naming
 *       a data file is not hashed: the fit may write it.
 *   <li>A program looked up on the PATH ({@code lmp}, {@code gmx}, {@code python3}) is installed
 *       software and not hashed; nor is a relative argument, which names a file of the run
 *       directory (one the term stages with {@code files}, {@code templates} or {@code link} is
 *       hashed as such).
 * </ul>
 *
 * <pre>{@code
 * List<Path> scripts = ProgramFiles.of(job.terms(), job.folder(), job.programs());
 * }</pre>
 *
 * @implNote Stateless; reads the file system afresh on each call.
 */
final class ProgramFiles {

    private ProgramFiles() {}

    /**
     * @param terms terms of a job; those that are not external run no program
     * @param folder the job file's folder
     * @param programs the job's program aliases (alias to the names tried for it, paths absolute)
     * @return the absolute, normalized paths of the programs and scripts to hash, each once, in the
     *     order the commands name them
     */
    static List<Path> of(List<JobFile.TermSpec> terms, Path folder, Map<String, List<String>> programs) {
        Set<Path> out = new LinkedHashSet<>();
        for (JobFile.TermSpec t : terms) {
            if (t.config() instanceof JobFile.ExternalConfig x) {
                out.addAll(of(x, folder, programs));
            }
        }
        return List.copyOf(out);
    }

    /**
     * @param config an external term's settings
     * @param folder the job file's folder
     * @param programs the job's program aliases (alias to the names tried for it, paths absolute)
     * @return the absolute, normalized paths of the programs and scripts to hash, each once
     */
    static List<Path> of(JobFile.ExternalConfig config, Path folder, Map<String, List<String>> programs) {
        Path base = folder.toAbsolutePath().normalize();
        Set<Path> out = new LinkedHashSet<>();
        for (List<String> command : config.commands()) {
            if (command.isEmpty()) {
                continue;
            }
            program(command.get(0), config, base, programs, out);
            for (String word : command.subList(1, command.size())) {
                if (word.startsWith("/")) {
                    inside(word, base, out, true);
                }
            }
        }
        if (!config.launcher().isEmpty()) {
            // a launcher's program is looked up as a command's (a wrapper script of the job's own)
            program(config.launcher().get(0), config, base, programs, out);
        }
        for (String word : config.launcher()) {
            if (word.startsWith("/")) {
                inside(word, base, out, true);
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * Adds the program of a command or of the launcher when it is a file of the job's folder: not
     * a file the term stages, which is hashed as such, unless it is a file of a folder the term
     * links (a folder is not hashed), whose source is then added.
     */
    private static void program(
            String program,
            JobFile.ExternalConfig config,
            Path base,
            Map<String, List<String>> programs,
            Set<Path> out) {
        String by = ExternalTerms.stagedBy(program, config.files(), config.templates(), config.links());
        if (by == null) {
            program(program, base, programs, out);
            return;
        }
        String name = Path.of(program).normalize().toString();
        String within = Path.of(by).normalize().toString();
        Path folder = config.links().get(by);
        if (folder != null && !within.equals(name)) {
            inside(
                    folder.resolve(name.substring(within.length() + 1))
                            .toAbsolutePath()
                            .toString(),
                    base,
                    out,
                    false);
        }
    }

    /** Adds the program of a command or of the launcher when it is a file of the job's folder. */
    private static void program(String program, Path base, Map<String, List<String>> programs, Set<Path> out) {
        List<String> names = programs.get(program);
        if (names != null) {
            Path used = aliasProgram(names);
            if (used != null) {
                inside(used.toString(), base, out, false);
            }
        } else if (program.startsWith("/")) {
            inside(program, base, out, false);
        } else if (program.contains("/")) {
            // relative to the job's folder, where it runs from when it is there (else a staged file)
            Path p = ExternalTerms.findProgram(program, base);
            if (p != null) {
                inside(p.toAbsolutePath().toString(), base, out, false);
            }
        }
    }

    /** @return the name of an alias that runs, as {@code Programs.firstOnPath} picks it, or null when none is found */
    private static @Nullable Path aliasProgram(List<String> names) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String n : names) {
            if (n.contains("/")) {
                Path p = Path.of(n).toAbsolutePath();
                if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                    return p;
                }
            } else if (ExternalTerms.findOnPath(n, path) != null) {
                return null; // installed software
            }
        }
        return null;
    }

    /** Script files an interpreter runs, by their ending: an argument so named is hashed as a program. */
    private static final List<String> SCRIPTS =
            List.of(".py", ".sh", ".bash", ".pl", ".rb", ".r", ".jl", ".lua", ".tcl", ".awk", ".m");

    /**
     * Adds an absolute path when it names a readable regular file whose real place (links followed)
     * is in the job's folder or below it: a link to installed software is installed software. An
     * argument is added only when it is a program or a script (executable, or named as a script
     * is): a data file the fit itself writes there (a checkpoint, a log) would make every resume
     * another job.
     */
    private static void inside(String path, Path base, Set<Path> out, boolean argument) {
        Path abs;
        Path real;
        try {
            abs = Path.of(path).toAbsolutePath().normalize();
            if (!Files.isRegularFile(abs) || !Files.isReadable(abs)) {
                return;
            }
            real = abs.toRealPath();
            if (!real.startsWith(base.toRealPath())) {
                return;
            }
        } catch (java.nio.file.InvalidPathException | java.io.IOException e) {
            return; // no file has such a name, or it cannot be followed: nothing to hash
        }
        String name = String.valueOf(abs.getFileName()).toLowerCase(java.util.Locale.ROOT);
        if (argument && !Files.isExecutable(abs) && SCRIPTS.stream().noneMatch(name::endsWith)) {
            return;
        }
        out.add(abs);
    }
}

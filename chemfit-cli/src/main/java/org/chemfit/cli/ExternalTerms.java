package org.chemfit.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.chemfit.QuantityComputer;
import org.chemfit.external.Command;
import org.chemfit.external.FileBasedQuantityComputer;
import org.chemfit.external.Programs;
import org.chemfit.external.StandardInput;
import org.jspecify.annotations.NullUnmarked;
import org.jspecify.annotations.Nullable;

/**
 * Builds the quantity computer of an {@code external} term: a {@link FileBasedQuantityComputer}
 * configured from the job file.
 *
 * @implNote Stateless; the computers are immutable and thread-safe.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class ExternalTerms {

    private ExternalTerms() {}

    /**
     * @param term the term's name
     * @param config the term's settings
     * @param execution the job's execution settings (timeout, keep policy); its {@code retries} are the failure
     *     policy's, not the computer's own retries of transient failures (the term's {@code retries})
     * @param runDirectory where run directories go
     * @param jobFolder the job file's folder, against which a relative program path resolves
     * @param programs the job's program aliases, resolved once per job by {@link #programs(JobFile)}
     * @param keepCancelled whether {@code keep: failed} keeps the run directories of cancelled runs
     *     (false on a cluster worker)
     * @return the computer
     * @throws IllegalArgumentException when the library refuses the settings (a template that does
     *     not compile, a program not on the PATH)
     */
    static QuantityComputer computer(
            String term,
            JobFile.ExternalConfig config,
            JobFile.ExecutionSpec execution,
            Path runDirectory,
            Path jobFolder,
            Map<String, String> programs,
            boolean keepCancelled) {
        FileBasedQuantityComputer.Builder b =
                FileBasedQuantityComputer.builder().name(term).workDirectory(runDirectory);
        config.templates().forEach(b::template);
        config.variables().forEach(b::variable);
        config.files().forEach(b::copy);
        config.links().forEach(b::link);
        for (int i = 0; i < config.commands().size(); i++) {
            String[] command = config.commands().get(i).toArray(new String[0]);
            command[0] = resolved(command[0], jobFolder, programs, config);
            Command c = Command.of(command);
            JobFile.ExternalConfig.StdinSpec in = config.stdin().get(i);
            if (in != null) {
                c = c.stdin(
                        in.template() != null
                                ? StandardInput.templateFile(in.template())
                                : StandardInput.text(in.text()));
            }
            b.command(c);
        }
        if (!config.launcher().isEmpty()) {
            // looked up as a command's program is: an alias, a file the term stages, or a path from the job file's
            // folder
            String[] launcher = config.launcher().toArray(new String[0]);
            launcher[0] = resolved(launcher[0], jobFolder, programs, config);
            b.launcher(launcher);
        }
        config.env().forEach(b::env);
        if (config.privateTmpDir()) {
            b.privateTmpDir();
        }
        java.time.Duration timeout = config.timeout() != null ? config.timeout() : execution.timeout();
        if (timeout != null) {
            b.timeout(timeout);
        }
        if (config.waitForFiles() != null) {
            b.waitForFiles(
                    config.waitForFiles().timeout(),
                    config.waitForFiles().files().toArray(new String[0]));
        }
        if (config.killGrace() != null) {
            b.killGrace(config.killGrace());
        }
        b.retries(config.retries());
        config.logFiles().forEach(b::logFile);
        b.keep(execution.keep()).keepCancelled(keepCancelled);
        for (ParserSpec p : config.outputs()) {
            b.output(p.parser());
        }
        // a mismatch fails the run while its directory is still there, not the loss after it
        config.reference().forEach((quantity, values) -> b.expectValues(quantity, values.length));
        return b.build();
    }

    /**
     * Looks up each program alias of the job once: the first of its names found on the PATH.
     *
     * @param job the job
     * @return each alias with the absolute path of its program
     * @throws IllegalArgumentException naming the alias, the names tried and the PATH, when none is found
     */
    static Map<String, String> programs(JobFile job) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        job.programs().forEach((alias, names) -> {
            try {
                out.put(alias, Programs.firstOnPath(names));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("programs: " + alias + ": " + e.getMessage(), e);
            }
        });
        return out;
    }

    /**
     * @param program the program of a command or of a launcher, as written
     * @param jobFolder the job file's folder
     * @param programs the job's program aliases, resolved
     * @param config the term's settings, whose files, templates and link name what it stages
     * @return what runs: an alias's program; the run directory's file ({@code ./run.sh}, its
     *     name there) when the program names a file the term stages (which the check of the job
     *     file takes it for: a file of that name beside the job file is another, perhaps older,
     *     file); a path with a slash from the job file's folder when the file is there; else the
     *     program as written (a name looked up on the PATH)
     */
    private static String resolved(
            String program, Path jobFolder, Map<String, String> programs, JobFile.ExternalConfig config) {
        if (programs.containsKey(program)) {
            return programs.get(program);
        }
        if (staged(program, config)) {
            // as the run directory's file, by its name there (sub/../run.sh is ./run.sh)
            return "./" + Path.of(program).normalize();
        }
        Path found = program.contains("/") ? findProgram(program, jobFolder) : null;
        return found != null ? found.toString() : program;
    }

    /**
     * @param program the program of a command or of a launcher, as written
     * @param config the term's settings
     * @return whether it is a path that names a file the term stages into its run directory (with
     *     files, templates or link), which runs, whatever lies beside the job file
     */
    static boolean staged(String program, JobFile.ExternalConfig config) {
        return stagedBy(program, config.files(), config.templates(), config.links()) != null;
    }

    /**
     * @param program the program of a command or of a launcher, as written
     * @param files the files the term copies, by run-directory name as written
     * @param templates the templates it renders, by run-directory name as written
     * @param links the files and folders it links, by run-directory name as written
     * @return the run-directory name, as written, of what stages it: the file itself ({@code
     *     ./run.sh} for {@code run.sh} or {@code ./run.sh}), or a linked folder that holds it
     *     ({@code bin} for {@code ./bin/run.sh}); null when it is no such path
     */
    static @Nullable String stagedBy(
            String program, Map<String, Path> files, Map<String, Path> templates, Map<String, Path> links) {
        if (!program.contains("/")) {
            return null;
        }
        String name;
        try {
            Path p = Path.of(program).normalize();
            if (p.isAbsolute() || p.startsWith("..")) {
                return null;
            }
            name = p.toString();
            for (Map<String, Path> staged : List.of(files, templates, links)) {
                for (String key : staged.keySet()) {
                    String k = Path.of(key).normalize().toString();
                    if (k.equals(name) || staged == links && name.startsWith(k + "/")) {
                        return key;
                    }
                }
            }
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
        return null;
    }

    /**
     * @param program a program name or path
     * @param folder the job's folder, against which a relative path with a slash resolves
     * @return the executable found, or null
     */
    static java.nio.file.Path findProgram(String program, java.nio.file.Path folder) {
        if (program.contains("/")) {
            // ./scripts/x.py runs (and is shown) as FOLDER/scripts/x.py; a ".." is kept, as the file system reads it
            java.nio.file.Path p = folder.resolve(program.startsWith("./") ? program.substring(2) : program);
            return java.nio.file.Files.isExecutable(p) ? p : null;
        }
        return findOnPath(program, System.getenv().getOrDefault("PATH", ""));
    }

    /**
     * @param program a program name, without a slash
     * @param path a PATH value
     * @return the first executable file of that name in its folders, or null
     */
    static java.nio.file.Path findOnPath(String program, String path) {
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            java.nio.file.Path p = java.nio.file.Path.of(dir, program);
            if (java.nio.file.Files.isExecutable(p) && !java.nio.file.Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }
}

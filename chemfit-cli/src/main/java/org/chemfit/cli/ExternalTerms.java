package org.chemfit.cli;

import org.chemfit.QuantityComputer;

/**
 * Builds the quantity computer of an {@code external} term.
 *
 * @implNote Stateless.
 */
final class ExternalTerms {

    private ExternalTerms() {
    }

    static QuantityComputer computer(String term, JobFile.ExternalConfig config, JobFile.ExecutionSpec execution, java.nio.file.Path runDirectory,
            java.nio.file.Path jobFolder) {
        throw new IllegalArgumentException("term '" + term + "': external terms are not available in this build");
    }

    /**
     * Checks that each external term's program can be found.
     *
     * @param job the job
     * @throws BaseCommand.UserException naming the term and the program that is missing
     */
    static void checkPrograms(JobFile job) {
        for (JobFile.TermSpec t : job.terms()) {
            if (t.config() instanceof JobFile.ExternalConfig x && !x.command().isEmpty()) {
                String program = x.command().get(0);
                if (findProgram(program, job.folder()) == null) {
                    throw new BaseCommand.UserException("term '" + t.name() + "': program '" + program
                            + "' is not on the PATH (" + System.getenv().getOrDefault("PATH", "") + ")");
                }
            }
        }
    }

    /**
     * @param program a program name or path
     * @param folder the job's folder, against which a relative path with a slash resolves
     * @return the executable found, or null
     */
    static java.nio.file.Path findProgram(String program, java.nio.file.Path folder) {
        if (program.contains("/")) {
            java.nio.file.Path p = folder.resolve(program);
            return java.nio.file.Files.isExecutable(p) ? p : null;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
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

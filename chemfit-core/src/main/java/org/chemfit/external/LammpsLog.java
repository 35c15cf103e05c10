package org.chemfit.external;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * LAMMPS run with {@code -screen none} writes its errors only to its log file ({@code -log FILE},
 * {@code log.lammps} by default), not to stdout or stderr: a failure of such a command says so when
 * the term does not declare that log file, and shows the log's last {@code ERROR:} line.
 *
 * <pre>{@code
 * String log = LammpsLog.errorLog(List.of("lmp", "-in", "in.lmp", "-screen", "none")); // "log.lammps"
 * }</pre>
 *
 * @implNote Stateless.
 */
final class LammpsLog {

    /** The names LAMMPS's program goes by: {@code lmp}, {@code lmp_serial}, {@code lmp_mpi}, {@code lammps}... */
    private static final Pattern PROGRAM = Pattern.compile("lmp(?:[_-][A-Za-z0-9_+-]*)?|lammps");

    /** What {@code -log none} writes. */
    static final String NONE = "none";

    private LammpsLog() {}

    /**
     * @param argv a command line, a launcher ({@code mpirun -np 4}) in front of the program or not
     * @return the log file that alone holds LAMMPS's errors when these arguments run LAMMPS with
     *     {@code -screen none} (or {@code -sc none}): the file of {@code -log} ({@code -l}), or
     *     {@code log.lammps}; {@link #NONE} when {@code -log none} writes no log either; null when
     *     they do not run LAMMPS, or run it with its screen output
     */
    static @Nullable String errorLog(List<String> argv) {
        int program = program(argv);
        if (program < 0) {
            return null;
        }
        boolean screenNone = false;
        for (int i = program + 1; i + 1 < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("-screen") || a.equals("-sc")) {
                screenNone = argv.get(++i).equals(NONE);
            } else if (a.equals("-log") || a.equals("-l")) {
                i++;
            }
        }
        return screenNone ? logFile(argv) : null;
    }

    /** @return the index of LAMMPS's program in a command line (after a launcher), or -1 */
    private static int program(List<String> argv) {
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (PROGRAM.matcher(a.substring(a.lastIndexOf('/') + 1)).matches()) {
                return i;
            }
        }
        return -1;
    }

    /**
     * @param argv a command line
     * @return the log file these arguments have LAMMPS write ({@code -log FILE}, {@code log.lammps}
     *     by default; {@link #NONE} for none), whatever its screen output; null when they do not run
     *     LAMMPS
     */
    static @Nullable String logFile(List<String> argv) {
        int program = program(argv);
        if (program < 0) {
            return null;
        }
        String log = "log.lammps";
        for (int i = program + 1; i + 1 < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("-log") || a.equals("-l")) {
                log = argv.get(++i);
            }
        }
        return log;
    }

    /**
     * What a LAMMPS command killed at its timeout left unsaid: LAMMPS keeps its log in a buffer of
     * the C library and writes it out when the buffer fills or a run ends, so a run killed before
     * that leaves its log empty, however far it got.
     *
     * @param runDirectory the run directory of the killed command
     * @param argv its command line
     * @return a hint when the command ran LAMMPS and its log file is there and empty, else ""
     */
    static String emptyLogAfterKill(Path runDirectory, List<String> argv) {
        String log = logFile(argv);
        if (log == null || log.equals(NONE)) {
            return "";
        }
        Path file = runDirectory.resolve(log);
        try {
            if (!java.nio.file.Files.isRegularFile(file) || java.nio.file.Files.size(file) != 0) {
                return "";
            }
        } catch (java.io.IOException e) {
            return ""; // a hint only: without the file's size it is not given
        }
        return "\nhint: LAMMPS's log " + log + " is empty: LAMMPS keeps its log in a buffer and writes it when the"
                + " buffer fills or a run ends, so a run killed before then leaves nothing of how far it got;"
                + " thermo_modify flush yes in the input (or lmp -nonbuf, from LAMMPS 2 Aug 2023 on) writes each"
                + " thermo line as it comes, one every thermo N steps (thermo 0 writes none before the run ends)";
    }

    /**
     * @param runDirectory the run directory of the failed command
     * @param log its log file, as {@link #errorLog} gives it
     * @return lines for the failure message: the last {@code ERROR:} line of the log (with its
     *     {@code Last command:}) when the log holds one, and a hint to declare the log file
     */
    static String failureHint(Path runDirectory, String log) {
        if (log.equals(NONE)) {
            return "\nhint: LAMMPS run with -screen none and -log none writes its errors nowhere; run it with"
                    + " -log FILE and declare that file (log_files: [FILE] in a job file, logFile(\"FILE\") in"
                    + " Java) to see them in the failure";
        }
        StringBuilder sb = new StringBuilder();
        List<String> error =
                lastError(ProgramOutput.read(runDirectory, List.of(log)).errorLines());
        if (!error.isEmpty()) {
            sb.append("\nLAMMPS's error, from its log file ").append(log).append(':');
            error.forEach(l -> sb.append("\n  ").append(l));
        }
        return sb.append("\nhint: LAMMPS run with -screen none writes its errors only to its log file ")
                .append(log)
                .append(", which this term does not declare; declare it (log_files: [")
                .append(log)
                .append("] in a job file, logFile(\"")
                .append(log)
                .append("\") in Java) to see its error lines and last lines in the failure")
                .toString();
    }

    /** @return the last {@code ERROR} line of these error lines, with the {@code Last command:} after it */
    private static List<String> lastError(List<String> errorLines) {
        List<String> out = new ArrayList<>();
        for (int i = errorLines.size() - 1; i >= 0; i--) {
            if (errorLines.get(i).startsWith("ERROR")) {
                out.add(errorLines.get(i));
                if (i + 1 < errorLines.size() && errorLines.get(i + 1).startsWith("Last command:")) {
                    out.add(errorLines.get(i + 1));
                }
                break;
            }
        }
        return out;
    }
}

package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which command lines run LAMMPS with {@code -screen none}, and which log file then alone holds
 * its errors; and the lines a failure of such a command adds. A real LAMMPS failing is in
 * {@code LammpsScreenNoneIT} of the command-line tool.
 */
class LammpsLogTest {

    @TempDir
    Path dir;

    @Test
    void theLogOfLammpsRunWithScreenNoneIsItsLogFileOrTheDefault() {
        assertEquals("log.lammps", LammpsLog.errorLog(List.of("lmp", "-in", "in.lmp", "-screen", "none")));
        assertEquals(
                "out/run.log",
                LammpsLog.errorLog(List.of("/usr/bin/lmp_mpi", "-sc", "none", "-in", "in.lmp", "-l", "out/run.log")));
        assertEquals(
                "run.log",
                LammpsLog.errorLog(List.of("mpirun", "-np", "2", "lmp_serial", "-log", "run.log", "-screen", "none")));
        assertEquals("none", LammpsLog.errorLog(List.of("lmp", "-screen", "none", "-log", "none")));
        assertEquals("log.lammps", LammpsLog.errorLog(List.of("lammps", "-screen", "none")));
    }

    @Test
    void otherCommandLinesHaveNoSuchLog() {
        assertNull(LammpsLog.errorLog(List.of("lmp", "-in", "in.lmp", "-log", "run.log")));
        assertNull(LammpsLog.errorLog(List.of("lmp", "-in", "in.lmp", "-screen", "screen.txt")));
        assertNull(LammpsLog.errorLog(List.of("python3", "lmp.py", "-screen", "none")));
        assertNull(LammpsLog.errorLog(List.of("gmx", "mdrun", "-screen", "none")));
        assertNull(LammpsLog.errorLog(List.of("lmp", "-screen")));
    }

    @Test
    void anEmptyLogAfterAKillIsExplainedWhateverTheScreenOutput() throws Exception {
        assertEquals("log.lammps", LammpsLog.logFile(List.of("lmp", "-in", "in.lmp")));
        assertEquals("run.log", LammpsLog.logFile(List.of("mpirun", "-np", "2", "lmp_mpi", "-l", "run.log")));
        assertNull(LammpsLog.logFile(List.of("python3", "run.py", "-log", "run.log")));
        List<String> argv = List.of("lmp", "-in", "in.lmp", "-log", "run.log");
        assertEquals("", LammpsLog.emptyLogAfterKill(dir, argv), "no log at all: LAMMPS did not get to open it");
        Files.writeString(dir.resolve("run.log"), "");
        String hint = LammpsLog.emptyLogAfterKill(dir, argv);
        assertTrue(hint.startsWith("\nhint: LAMMPS's log run.log is empty: LAMMPS keeps its log in a buffer"), hint);
        assertTrue(
                hint.endsWith("thermo_modify flush yes in the input (or lmp -nonbuf, from LAMMPS 2 Aug 2023 on)"
                        + " writes each thermo line as it comes, one every thermo N steps (thermo 0 writes none"
                        + " before the run ends)"),
                hint);
        assertEquals("", LammpsLog.emptyLogAfterKill(dir, List.of("lmp", "-log", "none")));
        assertEquals("", LammpsLog.emptyLogAfterKill(dir, List.of("sh", "run.sh", "-log", "run.log")));
        Files.writeString(dir.resolve("run.log"), "LAMMPS (29 Sep 2021)\n");
        assertEquals("", LammpsLog.emptyLogAfterKill(dir, argv), "a log with lines shows them itself");
    }

    @Test
    void theHintShowsTheLastErrorOfTheLogAndHowToDeclareIt() throws Exception {
        Files.writeString(
                dir.resolve("run.log"),
                "LAMMPS (29 Sep 2021)\nERROR: first (src/a.cpp:1)\nLast command: a\nmore\n"
                        + "ERROR: Unknown command: foo_bar 1 (src/input.cpp:274)\nLast command: foo_bar 1\n");
        assertEquals(
                "\nLAMMPS's error, from its log file run.log:\n"
                        + "  ERROR: Unknown command: foo_bar 1 (src/input.cpp:274)\n"
                        + "  Last command: foo_bar 1\n"
                        + "hint: LAMMPS run with -screen none writes its errors only to its log file run.log, which"
                        + " this term does not declare; declare it (log_files: [run.log] in a job file,"
                        + " logFile(\"run.log\") in Java) to see its error lines and last lines in the failure",
                LammpsLog.failureHint(dir, "run.log"));
        assertEquals(
                "\nhint: LAMMPS run with -screen none writes its errors only to its log file log.lammps, which"
                        + " this term does not declare; declare it (log_files: [log.lammps] in a job file,"
                        + " logFile(\"log.lammps\") in Java) to see its error lines and last lines in the failure",
                LammpsLog.failureHint(dir, "log.lammps"),
                "a log that is not there: the hint alone");
        assertEquals(
                "\nhint: LAMMPS run with -screen none and -log none writes its errors nowhere; run it with -log"
                        + " FILE and declare that file (log_files: [FILE] in a job file, logFile(\"FILE\") in Java)"
                        + " to see them in the failure",
                LammpsLog.failureHint(dir, "none"));
    }

    @Test
    void aTermTellsWhichOfItsCommandsHaveALogItDoesNotDeclare() {
        Path lmp = Path.of("/usr/bin/lmp");
        FileBasedQuantityComputer.Builder b = FileBasedQuantityComputer.builder()
                .workDirectory(dir)
                .command("awk", "BEGIN { print 1 }")
                .command(lmp.toString(), "-in", "in.lmp", "-log", "./run.log", "-screen", "none")
                .command(lmp.toString(), "-in", "in2.lmp", "-screen", "none", "-log", "none")
                .output(OutputParsers.regex("e", "program1.stdout", "(\\S+)"));
        assertEquals(Map.of(1, "./run.log", 2, "none"), b.build().undeclaredLammpsLogs());
        assertEquals(Map.of(2, "none"), b.logFile("run.log").build().undeclaredLammpsLogs());
    }
}

package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The rules of commands and run-directory paths, as a user meets them when one is broken. */
class CommandAndPathRulesTest {

    @Test
    void aNullArgumentIsRefusedByPositionAsDocumented() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Command.of("lmp", null, "-in"));
        assertEquals("argument 1 of command ['lmp', null, '-in'] is null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Command.of(Arrays.asList("lmp", null)));
        assertEquals("argument 1 of command ['lmp', null] is null", e.getMessage());
    }

    @Test
    void anEmptyProgramNameIsRefusedSoThatTheMessageShowsIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Command.of("", "-in"));
        assertEquals("argument 0 of command ['', '-in'] is empty: it must name the program", e.getMessage());
    }

    @Test
    void aPathThatNamesTheRunDirectoryItselfIsRefusedForWhatItIs() {
        for (String p : new String[] {".", "./", "a/.."}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> FileBasedQuantityComputer.builder().templateText(p, "x"));
            assertEquals(
                    "template target '" + p + "' names the run directory itself; it must name a file inside it",
                    e.getMessage());
        }
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> FileBasedQuantityComputer.builder().templateText("a/../..", "x"));
        assertEquals(
                "template target 'a/../..' leaves the run directory through '..'; paths must stay inside the run directory",
                e.getMessage());
    }
}

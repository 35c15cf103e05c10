package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The process launch mechanism that the chemfit command chooses. */
class MainTest {

    private final String before = System.getProperty(Main.LAUNCH_MECHANISM);

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(Main.LAUNCH_MECHANISM);
        } else {
            System.setProperty(Main.LAUNCH_MECHANISM, before);
        }
    }

    @Test
    void programsStartWithVforkOnLinuxUnlessTheUserChoseAMechanism() {
        System.clearProperty(Main.LAUNCH_MECHANISM);
        Main.useFastProcessLaunch();
        String expected =
                System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux") ? "VFORK" : null;
        assertEquals(expected, System.getProperty(Main.LAUNCH_MECHANISM));

        System.setProperty(Main.LAUNCH_MECHANISM, "POSIX_SPAWN");
        Main.useFastProcessLaunch();
        assertEquals("POSIX_SPAWN", System.getProperty(Main.LAUNCH_MECHANISM));
    }
}

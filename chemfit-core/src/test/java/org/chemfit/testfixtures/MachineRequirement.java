package org.chemfit.testfixtures;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (a program, root, a right the container may withhold). When
 * it is missing the test fails where the environment variable {@code CI} is set, since
 * {@code .ci/run} provides everything the tests need, and is skipped, with the reason, on a
 * developer's machine otherwise. Shared with the tests of the other modules through core's test
 * jar.
 */
public final class MachineRequirement {

    private MachineRequirement() {}

    /**
     * @param met whether the machine has what the test needs
     * @param missing what is missing and how to provide it, in a sentence
     */
    public static void require(boolean met, String missing) {
        if (met) {
            return;
        }
        if (System.getenv("CI") != null) {
            fail(missing + " (CI is set, so this test must not be skipped)");
        }
        Assumptions.abort(missing + "; skipping because CI is not set");
    }
}

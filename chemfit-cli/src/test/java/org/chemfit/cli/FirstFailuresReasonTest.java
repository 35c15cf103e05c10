package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@link FirstFailures#reason}: the warning of a term's first failure names the term itself, so
 * the message's own "term N 'NAME' failed" goes; the cluster worker it failed on stays named.
 */
class FirstFailuresReasonTest {

    @Test
    void theTermsNameGoesAndTheWorkerItFailedOnStays() {
        assertEquals(
                "external term 'bad' failed at step run: command 'false' exited with code 1",
                FirstFailures.reason("term 1 'bad' failed: external term 'bad' failed at step run: command 'false'"
                        + " exited with code 1"));
        assertEquals(
                "on worker node07 (10.1.0.7:5701, pid 4242): external term 'bad' failed at step run: command"
                        + " 'false' exited with code 1",
                FirstFailures.reason("term 1 'bad' failed on worker node07 (10.1.0.7:5701, pid 4242): external term"
                        + " 'bad' failed at step run: command 'false' exited with code 1"));
        assertEquals("no convergence", FirstFailures.reason("no convergence"));
    }
}

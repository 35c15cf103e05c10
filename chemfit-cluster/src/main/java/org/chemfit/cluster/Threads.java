package org.chemfit.cluster;

import java.util.List;

/** Stopping the loop threads of a driver or a worker. */
final class Threads {

    private Threads() {}

    /**
     * Interrupts every thread, then waits up to five seconds for each to end. When the calling
     * thread is interrupted while waiting, it stops waiting and keeps its interrupt.
     */
    static void interruptAndJoin(List<Thread> threads) {
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }
}

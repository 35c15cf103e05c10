package org.chemfit.cluster;

/** Names of the distributed objects a driver and its workers share. */
final class Channels {

    /** Every name starts with this; the member configuration sets backups for it. */
    static final String PREFIX = "chemfit.";
    /** Queue of ready tokens: one per free worker thread. */
    static final String READY = PREFIX + "ready";
    /**
     * Executor service that carries each task to the member of the free thread; its response is
     * the task's result.
     */
    static final String RUN = PREFIX + "run";
    /** Topic of cancel frames, for the workers. */
    static final String CANCEL = PREFIX + "cancel";
    /** Map: "driver" to the driver member's UUID. */
    static final String CONTROL = PREFIX + "control";
    /** Map: member UUID to why the driver refused it. */
    static final String REFUSED = PREFIX + "refused";
    /**
     * How the driver's refusal of a ready token that failed its check of the secret begins: a
     * worker that has served a driver holding its secret does not stop for it.
     */
    static final String SECRET_REFUSAL = "its ready token failed the driver's check: ";
    /** Key of the driver entry in {@link #CONTROL}. */
    static final String DRIVER_KEY = "driver";

    private Channels() {}
}

package org.chemfit.cluster;

import java.util.UUID;

/** Names of the distributed objects a driver and its workers share. */
final class Channels {

    /** Every name starts with this; the member configuration sets backups for it. */
    static final String PREFIX = "chemfit.";
    /** Queue of ready tokens: one per free worker thread. */
    static final String READY = PREFIX + "ready";
    /** Queue of results, for the driver. */
    static final String RESULTS = PREFIX + "results";
    /** Topic of cancel frames, for the workers. */
    static final String CANCEL = PREFIX + "cancel";
    /** Map: "driver" to the driver member's UUID. */
    static final String CONTROL = PREFIX + "control";
    /** Map: member UUID to why the driver refused it. */
    static final String REFUSED = PREFIX + "refused";
    /** Key of the driver entry in {@link #CONTROL}. */
    static final String DRIVER_KEY = "driver";

    private Channels() {}

    /**
     * @param member a worker member
     * @return the name of the queue of tasks dispatched to it
     */
    static String tasks(UUID member) {
        return PREFIX + "tasks." + member;
    }
}

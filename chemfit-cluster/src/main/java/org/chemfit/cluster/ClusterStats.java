package org.chemfit.cluster;

import java.util.Map;
import java.util.Set;

/**
 * What a {@link ClusterWrapperCOB} has done so far: tasks per member, tasks handed out again
 * because their member left, duplicate results dropped, and what was refused.
 *
 * <pre>{@code
 * ClusterStats s = cob.stats();
 * System.out.println(s.completedByMember() + ", re-queued " + s.requeued());
 * }</pre>
 *
 * @param completedByMember member UUID to the number of tasks whose result it delivered
 * @param inFlightByMember member UUID to the number of tasks it holds right now
 * @param verifiedMembers members that proved the secret (present now or before)
 * @param refusedMembers members refused: those whose ready token (its tag verified) named another job, and
 *     the member ids that ready tokens that could not be verified claimed (not verified: anyone may claim any
 *     id), of these only the first five
 * @param requeued tasks handed out again because their member left
 * @param duplicates results dropped because the task was already done
 * @param refusedFrames frames refused (bad HMAC, not ours, malformed)
 * @implNote Immutable snapshot.
 */
public record ClusterStats(
        Map<String, Long> completedByMember,
        Map<String, Integer> inFlightByMember,
        Set<String> verifiedMembers,
        Set<String> refusedMembers,
        long requeued,
        long duplicates,
        long refusedFrames) {

    /** Copies the collections. */
    public ClusterStats {
        completedByMember = Map.copyOf(completedByMember);
        inFlightByMember = Map.copyOf(inFlightByMember);
        verifiedMembers = Set.copyOf(verifiedMembers);
        refusedMembers = Set.copyOf(refusedMembers);
    }
}

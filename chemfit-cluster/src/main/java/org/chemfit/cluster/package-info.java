/**
 * Evaluation across machines on Hazelcast: {@link org.chemfit.cluster.ClusterWrapperCOB} (the
 * driver, ChemFit's {@code MPIWrapperCOB} counterpart) and {@link org.chemfit.cluster.ClusterWorker}
 * / {@link org.chemfit.cluster.WorkerMain} (the workers), members made by
 * {@link org.chemfit.cluster.ClusterMemberConfig} (TCP/IP join lists, one bound interface, no
 * multicast, no phone-home, no Java deserialization of classes outside the JDK and Hazelcast), and the shared
 * {@link org.chemfit.cluster.ClusterSecret} whose HMAC every task and result carries.
 *
 * <pre>{@code
 * HazelcastInstance member = ClusterMemberConfig.builder("fit-42").join(List.of("node01")).build().newMember();
 * try (ClusterWrapperCOB cob = new ClusterWrapperCOB(combined, member)) {
 *     FitResult r = new Fitter(cob, initial).fit();
 * }
 * }</pre>
 *
 * See docs/cluster.md for running on SLURM and for the threat model.
 *
 * <p>Every type and member of this package is non-null unless marked
 * {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package org.chemfit.cluster;

import org.jspecify.annotations.NullMarked;

/**
 * Evaluation across machines on Hazelcast: {@link org.chemfit.cluster.ClusterWrapperCOB} runs the
 * leaf terms of a combined objective on the members of a cluster, and a worker runs them there.
 *
 * <pre>{@code
 * try (ClusterWrapperCOB cob = new ClusterWrapperCOB(combined, member)) {
 *     FitResult r = new Fitter(cob, initial).fit();
 * }
 * }</pre>
 */
module org.chemfit.cluster {
    // the API takes and returns core types (objectives, contexts) and a HazelcastInstance
    requires static transitive org.jspecify; // the @Nullable of the API, needed to compile only
    requires transitive org.chemfit;
    // Hazelcast has no module descriptor: an automatic module named by its manifest
    requires transitive com.hazelcast.core;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports org.chemfit.cluster;
}

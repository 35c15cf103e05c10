/**
 * JMH benchmarks and timing harnesses of ChemFit; see {@code docs/benchmarks.md} for how to run
 * them and the results.
 */
package org.chemfit.benchmarks;

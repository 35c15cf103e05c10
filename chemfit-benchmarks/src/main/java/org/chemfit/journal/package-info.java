/**
 * Benchmarks of the journal's parts that are not public, in their package: see {@code
 * docs/benchmarks.md} for how to run them and the results.
 */
package org.chemfit.journal;

/**
 * The live dashboard of a fit ({@link org.chemfit.dashboard.Dashboard}) and its one-file HTML
 * report ({@link org.chemfit.dashboard.HtmlReport}), both read from the output folder's journal,
 * read-only. The charts are uPlot's, served from its WebJar or inlined, never from the network.
 *
 * <p>Every type and member of this package is non-null unless marked
 * {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package org.chemfit.dashboard;

import org.jspecify.annotations.NullMarked;

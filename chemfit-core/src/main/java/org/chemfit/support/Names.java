package org.chemfit.support;

import java.util.Collection;
import org.jspecify.annotations.Nullable;

/**
 * "Did you mean" suggestions for misspelt names, shared by every place that reports an unknown name,
 * and the rule every term name follows ({@link #requireTermName}). Written by hand: a Levenshtein distance over a handful of short names does not justify a
 * dependency.
 *
 * <pre>{@code
 * Names.closest("lj.sigam", List.of("lj.sigma", "lj.epsilon"));   // "lj.sigma"
 * }</pre>
 *
 * @implNote Stateless; thread-safe.
 */
public final class Names {

    private Names() {}

    /**
     * The rule of every term name, whichever way it is given (a term's own name, the names of a
     * combined objective's terms, an external term's name): not blank.
     *
     * @param name a term name
     * @return the name
     * @throws IllegalArgumentException when it is null, empty or only whitespace, quoting it
     */
    public static String requireTermName(@Nullable String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a term name must not be blank, got '" + name + "'");
        }
        return name;
    }

    /**
     * @param name the misspelt name
     * @param candidates the names that exist
     * @return the closest candidate within a distance of a third of the name's length (at least 2)
     *     and of half the shorter of the two (at least 1: {@code r} for {@code rr}, not for
     *     {@code bar}), or null when none is close
     */
    public static @Nullable String closest(String name, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        int limit = Math.max(2, name.length() / 3);
        for (String c : candidates) {
            int d = distance(name.toLowerCase(java.util.Locale.ROOT), c.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance && d <= Math.max(1, Math.min(name.length(), c.length()) / 2)) {
                bestDistance = d;
                best = c;
            }
        }
        return bestDistance <= limit && bestDistance < name.length() ? best : null;
    }

    /**
     * The suggestion that every "did you mean" of a job file and its templates makes: the
     * {@linkplain #closest closest} name; or else the one dotted name whose last segment the name
     * is ({@code lj.sigma} for {@code sigma}, when no other name ends in {@code .sigma}); or else the
     * one that shares the longest beginning with the misspelt name (at least 4 characters and half
     * of it: {@code max_evals} for {@code max_evaluations}).
     *
     * <pre>{@code
     * Names.suggest("max_evals", List.of("method", "max_evaluations"));   // "max_evaluations"
     * Names.suggest("sigma", List.of("lj.epsilon", "lj.sigma"));          // "lj.sigma"
     * }</pre>
     *
     * @param name the misspelt name
     * @param candidates the names that exist
     * @return the suggestion, or null when no name is near
     */
    public static @Nullable String suggest(String name, Collection<String> candidates) {
        String s = closest(name, candidates);
        if (s != null) {
            return s;
        }
        String n = name.toLowerCase(java.util.Locale.ROOT);
        // a parameter's name without its group: the one name of which it is the last segment
        String ending = null;
        int endings = 0;
        for (String k : candidates) {
            if (k.toLowerCase(java.util.Locale.ROOT).endsWith("." + n)) {
                ending = k;
                endings++;
            }
        }
        if (endings == 1 && !n.isEmpty()) {
            return ending;
        }
        String best = null;
        int bestPrefix = 0;
        for (String k : candidates) {
            String kl = k.toLowerCase(java.util.Locale.ROOT);
            int p = 0;
            while (p < n.length() && p < kl.length() && n.charAt(p) == kl.charAt(p)) {
                p++;
            }
            if (p >= 4 && p * 2 >= n.length() && p > bestPrefix) {
                best = k;
                bestPrefix = p;
            }
        }
        return best;
    }

    /**
     * @param a one string
     * @param b another
     * @return their Levenshtein (edit) distance
     */
    public static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}

package org.chemfit.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One value of a job file with the place it was written: a map, a list or a scalar (string,
 * number, boolean or null). Jackson's parsers tokenize YAML and JSON; this tree keeps each token's
 * line and column, which Jackson's own trees drop, so that a rule broken after parsing (a lower
 * bound above an upper bound) is still reported at its place.
 *
 * @implNote Immutable after {@link NodeParser} built it.
 */
abstract sealed class Node permits Node.MapNode, Node.ListNode, Node.Scalar {

    final int line;
    final int column;

    Node(int line, int column) {
        this.line = line;
        this.column = column;
    }

    /** @return how the value is called in messages: "a map", "a list", "a number", ... */
    abstract String kind();

    /** A mapping, keys in file order, each key's own place kept. */
    static final class MapNode extends Node {
        final Map<String, Node> entries = new LinkedHashMap<>();
        final Map<String, int[]> keyPlaces = new LinkedHashMap<>();
        /**
         * The known keys that an unknown key of this map was said to be a misspelling of ("did you
         * mean 'sigma'?"): such a key is not said to be missing as well.
         */
        final java.util.Set<String> misspelt = new java.util.HashSet<>();

        MapNode(int line, int column) {
            super(line, column);
        }

        @Override
        String kind() {
            return "a map";
        }

        Map<String, Node> entries() {
            return Collections.unmodifiableMap(entries);
        }
    }

    /** A sequence. */
    static final class ListNode extends Node {
        final List<Node> items = new ArrayList<>();

        ListNode(int line, int column) {
            super(line, column);
        }

        @Override
        String kind() {
            return "a list";
        }
    }

    /** A string, number, boolean or null. */
    static final class Scalar extends Node {
        final Object value;
        /**
         * A number as the file writes it (1e400, which the value holds as infinity), for messages;
         * null for the other values and for a value not read from a file.
         */
        final @Nullable String text;

        Scalar(Object value, int line, int column) {
            this(value, null, line, column);
        }

        Scalar(Object value, @Nullable String text, int line, int column) {
            super(line, column);
            this.value = value;
            this.text = value instanceof Number ? text : null;
        }

        @Override
        String kind() {
            if (value == null) {
                return "nothing (null)";
            }
            if (value instanceof Number) {
                // a number of 200,000 digits is shown by its start, as a long string is
                // as the file writes it (1.0e-6, not Java's 1.0E-6) when read from one
                return "a number (" + org.chemfit.support.Excerpt.of(text != null ? text : value.toString()) + ")";
            }
            if (value instanceof Boolean) {
                return "a boolean (" + value + ")";
            }
            String text = value.toString();
            // a hostile file may hold a value of a megabyte; a message shows its start
            return text.length() > 80
                    ? "a string of " + text.length() + " characters ('" + text.substring(0, 60) + "...')"
                    : "a string ('" + text + "')";
        }
    }
}

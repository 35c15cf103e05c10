package org.chemfit.journal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.journal.read.JournalJson;
import org.chemfit.support.StableOrder;
import org.jspecify.annotations.Nullable;

/**
 * The JSON forms the journal stores, chosen so that a user reading the file with sqlite3 or
 * pandas sees plain JSON, and so that every double read back is the very double written
 * (Jackson writes doubles as the shortest decimal text that reads back as the same double).
 *
 * @implNote Thread-safe: the mappers are configured once and only used afterwards.
 */
final class JsonCodec {

    /** Marks a non-finite double inside quantities JSON: {@code {"$double": "NaN"}}. */
    static final String DOUBLE_MARK = "$double";

    /**
     * Writes doubles with Jackson's Schubfach writer: the shortest text that reads back as the same
     * double, several times faster than {@link Double#toString(double)} of Java 17 (an evaluation's
     * metadata tree holds a few hundred doubles). The job hash keeps {@link #CANONICAL}.
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    private static final ObjectMapper CANONICAL =
            new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private JsonCodec() {}

    static String write(Object tree) {
        try {
            return MAPPER.writeValueAsString(safe(tree));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /** @return JSON with map keys sorted, so equal trees give equal text (the job hash). */
    static String canonical(Object tree) {
        try {
            return CANONICAL.writeValueAsString(safe(tree));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    static Map<String, Object> readMap(@Nullable String json) {
        return JournalJson.readMap(json);
    }

    /**
     * Turns a metadata tree into plain JSON-able values: maps with string keys, lists, strings,
     * numbers, booleans; arrays of every kind become lists (a char one of one-letter strings);
     * anything else becomes its {@code toString()}.
     */
    static Object safe(Object v) {
        if (v == null
                || v instanceof String
                || v instanceof Boolean
                || v instanceof Integer
                || v instanceof Long
                || v instanceof Double
                || v instanceof Float
                || v instanceof Short
                || v instanceof Byte) {
            return v;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), safe(x)));
            return out;
        }
        if (v instanceof java.util.Collection<?> c && StableOrder.isSalted(c)) {
            // an order that changes from one start of the JVM to the next (Set.of, a HashSet of
            // enums): sorted by the elements' canonical text, so that a job's settings read, and
            // hash, the same in every run
            record Keyed(String text, @Nullable Object value) {}
            List<Keyed> keyed = new ArrayList<>(c.size());
            for (Object x : c) {
                Object s = safe(x);
                keyed.add(new Keyed(canonical(s), s));
            }
            keyed.sort(java.util.Comparator.comparing(Keyed::text));
            List<Object> out = new ArrayList<>(keyed.size());
            keyed.forEach(k -> out.add(k.value()));
            return out;
        }
        if (v instanceof java.nio.file.Path p) {
            return p.toString(); // a path iterates over its names, each a path again
        }
        if (v instanceof Iterable<?> it) {
            List<Object> out = new ArrayList<>();
            it.forEach(x -> out.add(safe(x)));
            return out;
        }
        if (v instanceof double[] a) {
            List<Object> out = new ArrayList<>(a.length); // the common kind, read without reflection
            for (double d : a) {
                out.add(d);
            }
            return out;
        }
        if (v.getClass().isArray()) {
            // every other kind of array, of numbers, booleans, chars (each a one-letter string) or
            // objects: a list of its elements, each made safe in turn
            int n = java.lang.reflect.Array.getLength(v);
            List<Object> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(safe(java.lang.reflect.Array.get(v, i)));
            }
            return out;
        }
        if (v instanceof Number n) {
            return n.toString();
        }
        if (v instanceof Enum<?> e) {
            return e.name();
        }
        return String.valueOf(v);
    }

    /** What the journal takes as a metadata value, in the words of its refusal. */
    static final String METADATA_KINDS = "maps, lists, arrays, strings, numbers, booleans, enum constants, paths,"
            + " or objects with a text of their own";

    /** How deep a metadata tree is looked into: deeper, it is taken as it is. */
    private static final int METADATA_DEPTH = 100;

    /**
     * The first metadata value that the journal refuses, with why: an object with no text of its
     * own (its {@code toString} and {@code hashCode} are {@code Object}'s), also as a map's key, the
     * value of an Optional or a record's component (whose texts hold it), which {@link #safe}
     * would store as a text that changes from one run of the JVM to the next, so that a resumed fit
     * would read back another value than the one the first run had; an Iterable that is no
     * collection and has no text of its own (a lambda's, a stream's), which may be iterated only
     * once while the journal writes metadata more than once; a list, map or array inside itself,
     * which JSON cannot write.
     *
     * @param meta a context's metadata
     * @return why, naming the key (its path into the value: {@code 'info.a[2]'}) and the value's
     *     class ("its metadata 'info' is a java.lang.Object, with no text of its own; ..."), or
     *     null when every value is taken
     */
    static @Nullable String refusedMetadata(Map<String, Object> meta) {
        if (meta.isEmpty()) {
            return null;
        }
        java.util.Set<Object> open = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.IdentityHashMap<Object, String> done = new java.util.IdentityHashMap<>();
        java.util.IdentityHashMap<Object, String> doneInText = new java.util.IdentityHashMap<>();
        for (Map.Entry<String, Object> e : meta.entrySet()) {
            String refused = refused(e.getValue(), e.getKey(), 0, false, open, done, doneInText);
            if (refused != null) {
                return refused;
            }
        }
        return null;
    }

    /**
     * Puts, in place of each metadata value that {@link #refusedMetadata} refuses, a text that says
     * it was not stored, so that the failed term's own record can be written.
     *
     * @param meta a context's metadata, changed in place
     */
    static void replaceRefused(Map<String, Object> meta) {
        meta.replaceAll((k, v) -> refusedMetadata(java.util.Collections.singletonMap(k, v)) == null
                ? v
                : "(not stored: the journal refused it, as the term's failure says)");
    }

    /**
     * @param open the containers being looked into, from the key down to this value: one met
     *     again among them holds itself
     * @param done the containers looked into already as JSON, each with what it gave ("" when taken):
     *     one held twice is looked at once
     * @param doneInText the same, for containers looked into inside the text of a record, an Optional
     *     or a map's key, where arrays are refused too
     */
    private static @Nullable String refused(
            @Nullable Object v,
            String at,
            int depth,
            boolean inText,
            java.util.Set<Object> open,
            java.util.IdentityHashMap<Object, String> done,
            java.util.IdentityHashMap<Object, String> doneInText) {
        if (v == null
                || v instanceof String
                || v instanceof Number
                || v instanceof Boolean
                || v instanceof Enum<?>
                || v instanceof java.nio.file.Path
                || depth > METADATA_DEPTH) {
            return null;
        }
        if (v.getClass().isArray()) {
            if (inText) {
                // written into a text (a record's, an Optional's, a key's) as its identity text: [D@6f7fd0e6
                String type = v.getClass().getTypeName();
                return "its metadata '" + at + "' is " + ("aeiou".indexOf(type.charAt(0)) >= 0 ? "an " : "a ") + type
                        + " inside the text of a record,"
                        + " an Optional or a map's key, which writes an array as a text that changes from one run of"
                        + " the JVM to the next (" + v.getClass().getName() + "@...), so that a resumed fit would read"
                        + " back another value; put a list of its values there";
            }
            if (!(v instanceof Object[])) {
                return null; // a primitive array holds numbers, booleans or chars
            }
        }
        if (v instanceof java.util.Optional<?> o) {
            // stored as its text, Optional[...], which holds the text of its value
            return o.isPresent()
                    ? refused(o.get(), at + " (in an Optional)", depth + 1, true, open, done, doneInText)
                    : null;
        }
        if (v.getClass().isRecord()) {
            return refusedComponent((Record) v, at, depth, open, done, doneInText);
        }
        boolean container = v instanceof Map<?, ?> || v instanceof Iterable<?> || v instanceof Object[];
        if (!container) {
            return StableOrder.identityText(v) ? refusal(at, v) : null;
        }
        if (v instanceof Iterable<?> && !(v instanceof java.util.Collection<?>) && StableOrder.identityText(v)) {
            return "its metadata '" + at + "' is a " + v.getClass().getName() + ", an Iterable that is no collection"
                    + " and has no text of its own: it may be iterated only once (a stream's), and the journal writes"
                    + " metadata more than once; put a list of its values";
        }
        if (open.contains(v)) {
            return "its metadata '" + at + "' holds itself (a list, map or array inside itself), which the journal"
                    + " cannot store as JSON";
        }
        // looked into already, as JSON or inside a text: each once (inside a text arrays are refused too)
        java.util.IdentityHashMap<Object, String> memo = inText ? doneInText : done;
        String seen = memo.get(v);
        if (seen != null) {
            return seen.isEmpty() ? null : seen; // what it gave then ("" when taken)
        }
        open.add(v);
        String r = null;
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                // a key is stored as its text
                r = refused(e.getKey(), at + " (a key of it)", depth + 1, true, open, done, doneInText);
                if (r == null) {
                    r = refused(e.getValue(), at + "." + e.getKey(), depth + 1, inText, open, done, doneInText);
                }
                if (r != null) {
                    break;
                }
            }
        } else if (v instanceof Object[] a) {
            for (int i = 0; i < a.length && r == null; i++) {
                r = refused(a[i], at + "[" + i + "]", depth + 1, inText, open, done, doneInText);
            }
        } else {
            int i = 0;
            for (Object x : (Iterable<?>) v) {
                r = refused(x, at + "[" + i++ + "]", depth + 1, inText, open, done, doneInText);
                if (r != null) {
                    break;
                }
            }
        }
        open.remove(v);
        memo.put(v, r == null ? "" : r);
        return r;
    }

    /** A record class's components that can be read: each one's name and accessor, found once per class. */
    private static final ClassValue<List<Map.Entry<String, java.lang.reflect.Method>>> COMPONENTS = new ClassValue<>() {
        @Override
        protected List<Map.Entry<String, java.lang.reflect.Method>> computeValue(Class<?> type) {
            List<Map.Entry<String, java.lang.reflect.Method>> out = new ArrayList<>();
            for (java.lang.reflect.RecordComponent c : type.getRecordComponents()) {
                try {
                    java.lang.reflect.Method accessor = c.getAccessor();
                    accessor.setAccessible(true); // a record of the user's own, often not public
                    out.add(Map.entry(c.getName(), accessor));
                } catch (RuntimeException e) {
                    // a record of a module closed to this one: its component is taken as it is
                }
            }
            return List.copyOf(out);
        }
    };

    /**
     * A record is stored as its text. A component refused within it (an object with no text of its
     * own, an array) is refused for the record only when the record's text shows it, as the
     * generated {@code toString} does; a record whose own {@code toString} leaves it out is stored as
     * that stable text.
     *
     * @return why the journal refuses a component of the record, or null; a component that cannot
     *     be read is taken as it is
     */
    private static @Nullable String refusedComponent(
            Record v,
            String at,
            int depth,
            java.util.Set<Object> open,
            java.util.IdentityHashMap<Object, String> done,
            java.util.IdentityHashMap<Object, String> doneInText) {
        String text = null;
        for (Map.Entry<String, java.lang.reflect.Method> c : COMPONENTS.get(v.getClass())) {
            Object x;
            try {
                x = c.getValue().invoke(v);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            String r = refused(x, at + "." + c.getKey(), depth + 1, true, open, done, doneInText);
            if (r != null) {
                if (text == null) {
                    text = String.valueOf(v);
                }
                if (text.contains(String.valueOf(x))) {
                    return r;
                }
            }
        }
        return null;
    }

    /** @return why the journal refuses a value with no text of its own, and what it takes */
    private static String refusal(String at, Object v) {
        return "its metadata '" + at + "' is a " + v.getClass().getName()
                + ", with no text of its own; the journal stores metadata as JSON (" + METADATA_KINDS
                + "), and this value's text would change from one run of the JVM to the next, so that a resumed fit"
                + " would read back another value";
    }

    /** Parameters as a flat JSON object of dotted names to numbers (exact: see the class comment). */
    static String parameters(Parameters p) {
        return write(p.asFlatMap());
    }

    static Parameters readParameters(String json) {
        Map<String, Object> m = readMap(json);
        List<String> names = new ArrayList<>(m.keySet());
        double[] values = new double[names.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = ((Number) Objects.requireNonNull(m.get(names.get(i)), names.get(i))).doubleValue();
        }
        return Parameters.of(names, values);
    }

    /**
     * The lookup key of a parameter set: a SHA-256 over every name (in name order, so the order
     * the parameters were given in does not matter) and the raw bits of its value; two sets have
     * the same key exactly when they hold the same names with the same doubles, bit for bit.
     */
    static String parameterKey(Parameters p) {
        StringBuilder sb = new StringBuilder(p.size() * 32);
        List<String> names = new ArrayList<>(p.names());
        java.util.Collections.sort(names);
        for (String n : names) {
            sb.append(n)
                    .append('=')
                    .append(Long.toHexString(Double.doubleToRawLongBits(p.get(n))))
                    .append('\n');
        }
        return sha256(sb.toString());
    }

    static String sha256(String text) {
        MessageDigest md = SHA256.get();
        md.reset();
        return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** A digest per thread: looking one up costs more than hashing a parameter set (once per evaluation). */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    });

    /**
     * Quantities as a JSON object: numbers, lists of numbers, strings for labels. A non-finite
     * double is written {@code {"$double": "NaN"}} so that it cannot be mistaken for a label.
     */
    static String quantities(Quantities q) {
        Map<String, Object> out = new LinkedHashMap<>();
        q.asMap().forEach((k, v) -> {
            if (v instanceof Double d) {
                out.put(k, number(d));
            } else if (v instanceof double[] a) {
                List<Object> l = new ArrayList<>(a.length);
                for (double d : a) {
                    l.add(number(d));
                }
                out.put(k, l);
            } else {
                out.put(k, v);
            }
        });
        return write(out);
    }

    private static Object number(double d) {
        return Double.isFinite(d) ? (Object) d : Map.of(DOUBLE_MARK, Double.toString(d));
    }

    static Quantities readQuantities(String json) {
        Map<String, Object> m = readMap(json);
        Quantities.Builder b = Quantities.builder();
        m.forEach((k, v) -> {
            if (v instanceof List<?> l) {
                double[] a = new double[l.size()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = toDouble(l.get(i));
                }
                b.put(k, a);
            } else if (v instanceof String s) {
                b.label(k, s);
            } else {
                b.put(k, toDouble(v));
            }
        });
        return b.build();
    }

    private static double toDouble(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        if (o instanceof Map<?, ?> m && m.get(DOUBLE_MARK) instanceof String s) {
            return Double.parseDouble(s);
        }
        throw new JournalException("the journal holds a quantity that is not a number: " + o);
    }

    /**
     * What an evaluation's tree holds in place of the quantities of a term recorded in the terms
     * table: {@code "quantities":"$terms:PATH"} (PATH the term's path, "2" or "1.0").
     */
    static final String IN_TERMS = "$terms:";

    private static final String IN_TERMS_JSON = "\"quantities\":\"" + IN_TERMS;

    /**
     * Puts the quantities of recorded terms back into an evaluation's tree in place of their
     * marks ({@link #IN_TERMS}), as the JSON they had before they were left out: the text is then
     * the text a tree holding them would have had. One pass over the text, no parsing.
     *
     * @param treeJson the tree as stored, null while running
     * @param byPath the quantities of each recorded term of the evaluation, by its path
     * @return the tree as JSON with its terms' quantities
     */
    static String withTermQuantities(String treeJson, Map<String, Quantities> byPath) {
        if (treeJson == null || byPath.isEmpty()) {
            return treeJson;
        }
        StringBuilder out = null;
        int from = 0;
        int at;
        while ((at = treeJson.indexOf(IN_TERMS_JSON, from)) >= 0) {
            int pathStart = at + IN_TERMS_JSON.length();
            int pathEnd = treeJson.indexOf('"', pathStart);
            Quantities q = pathEnd < 0 ? null : byPath.get(treeJson.substring(pathStart, pathEnd));
            if (q == null) {
                from = pathStart;
                continue;
            }
            if (out == null) {
                out = new StringBuilder(treeJson.length() + 64 * byPath.size());
            }
            out.append(treeJson, from, at).append("\"quantities\":").append(write(q.asMap()));
            from = pathEnd + 1;
        }
        return out == null
                ? treeJson
                : out.append(treeJson, from, treeJson.length()).toString();
    }

    /**
     * Flattens a JSON tree to dotted paths ({@code fit.seed}, {@code job.terms[2].weight}) in key
     * order, for a key-by-key comparison of two settings.
     */
    static Map<String, Object> flatten(Object tree) {
        Map<String, Object> out = new TreeMap<>();
        flatten("", tree, out);
        return out;
    }

    private static void flatten(String prefix, Object v, Map<String, Object> out) {
        if (v instanceof Map<?, ?> m && !m.isEmpty()) {
            m.forEach((k, x) -> flatten(prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k, x, out));
        } else if (v instanceof List<?> l && !l.isEmpty()) {
            for (int i = 0; i < l.size(); i++) {
                flatten(prefix + "[" + i + "]", l.get(i), out);
            }
        } else {
            out.put(prefix, v);
        }
    }

    static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }
}

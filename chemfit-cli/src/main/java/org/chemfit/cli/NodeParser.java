package org.chemfit.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.NullUnmarked;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.events.SequenceStartEvent;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;

/**
 * Reads a YAML or JSON file into a {@link Node} tree that keeps lines and columns. SnakeYAML's
 * event parser tokenizes YAML and Jackson tokenizes JSON; this class only stacks the events into a
 * tree (neither library's own tree keeps every value's place), resolves YAML anchors, aliases and
 * merge keys ({@code <<: *defaults}) as YAML defines them, and reports keys given twice.
 *
 * <p>A job file is small, and hostile input is refused before it costs time or memory: a file
 * larger than {@link #MAX_BYTES}, text that is not UTF-8 or holds control characters, nesting
 * deeper than {@link #MAX_DEPTH}, and aliases that expand to more than {@link #MAX_VALUES} values
 * (a "billion laughs" file) are each reported at their place, with the limit.
 *
 * @implNote Stateless apart from the problems of one call; use one instance per file.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class NodeParser {

    /** The largest job file read, in bytes: a job file names its data, it does not hold them. */
    static final long MAX_BYTES = 1L << 20;
    /** The deepest nesting of maps and lists; a job file needs about eight levels. */
    static final int MAX_DEPTH = 64;
    /** The most values (maps, lists and scalars) a file may hold once its aliases are expanded. */
    static final int MAX_VALUES = 100_000;

    /*
     * Plain scalars are typed by the YAML 1.2 core schema, written out here because SnakeYAML's
     * Resolver implements YAML 1.1, which reads the species "No" as false, "010" as 8 and "1:30"
     * as 90; Jackson's YAML reader did not do that either, and job files rely on it.
     */
    private static final Pattern NULL = Pattern.compile("~|null|Null|NULL|");
    private static final Pattern BOOL = Pattern.compile("true|True|TRUE|false|False|FALSE");
    private static final Pattern INT = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern INT_RADIX = Pattern.compile("0o[0-7]+|0x[0-9a-fA-F]+");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?");
    private static final Pattern INF = Pattern.compile("[-+]?\\.(?:inf|Inf|INF)");
    private static final Pattern NAN = Pattern.compile("\\.(?:nan|NaN|NAN)");
    private static final String YAML_TAG = "tag:yaml.org,2002:";

    private final Path file;
    private final List<JobFileException.Problem> problems = new ArrayList<>();
    /** The keys given twice: the rest of the file can still be read (with each key's first value). */
    private final List<JobFileException.Problem> twice = new ArrayList<>();
    /** Anchors defined so far, with how many values each stands for once expanded. */
    private final Map<String, Anchored> anchors = new HashMap<>();

    private long values;

    private record Anchored(Node node, long size) {}

    /** Stops reading at a place: the rest of the file cannot be trusted. */
    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int line;
        final int column;

        Refusal(int line, int column, String message) {
            super(message, null, false, false);
            this.line = line;
            this.column = column;
        }
    }

    private NodeParser(Path file) {
        this.file = file;
    }

    /**
     * @param file a .yaml, .yml or .json file
     * @return its tree (null for an empty document)
     * @throws JobFileException for a syntax error, a key given twice, an unreadable file, or a
     *     file over one of the limits
     */
    static Node parse(Path file) {
        List<JobFileException.Problem> twice = new ArrayList<>();
        Node root = parse(file, twice);
        if (!twice.isEmpty()) {
            throw new JobFileException(twice);
        }
        return root;
    }

    /**
     * As {@link #parse(Path)}, but a key given twice does not stop the reading: it is added to
     * {@code keysGivenTwice}, and the tree holds the key's first value, so that the rest of the file
     * can be checked too.
     *
     * @param file a .yaml, .yml or .json file
     * @param keysGivenTwice receives a problem for each key given twice, at its second place
     * @return its tree (null for an empty document)
     * @throws JobFileException for a syntax error, an unreadable file, a file over one of the limits,
     *     or a key that is not a name or a merge key that is not a map (with the keys given twice)
     */
    static Node parse(Path file, List<JobFileException.Problem> keysGivenTwice) {
        NodeParser p = new NodeParser(file);
        Node root;
        try {
            root = p.read();
        } catch (Refusal r) {
            List<JobFileException.Problem> all = p.inPlaceOrder();
            all.add(new JobFileException.Problem(file, r.line, r.column, r.getMessage()));
            throw new JobFileException(all);
        }
        if (!p.problems.isEmpty()) {
            throw new JobFileException(p.inPlaceOrder());
        }
        keysGivenTwice.addAll(p.twice);
        return root;
    }

    /** @return the problems found and the keys given twice, in the order of their places in the file */
    private List<JobFileException.Problem> inPlaceOrder() {
        List<JobFileException.Problem> all = new ArrayList<>(problems);
        all.addAll(twice);
        all.sort(java.util.Comparator.comparingInt(JobFileException.Problem::line)
                .thenComparingInt(JobFileException.Problem::column));
        return all;
    }

    private Node read() {
        if (!Files.isRegularFile(file)) {
            throw new JobFileException(List.of(new JobFileException.Problem(
                    file,
                    0,
                    0,
                    Files.isDirectory(file)
                            ? "is a folder, not a job file"
                            : Files.exists(file)
                                    ? "is not a regular file"
                                    : java.util.Objects.requireNonNullElse(
                                            JobReading.unreachable(file), "no such file"))));
        }
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new Refusal(
                        0,
                        0,
                        "is " + size + " bytes; a job file may hold at most " + MAX_BYTES + " bytes (1 MiB): "
                                + "put large data in the files it names (a reference CSV, structures, templates)");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new Refusal(0, 0, "cannot be read: " + Messages.reason(e));
        }
        if (bytes.length > MAX_BYTES) {
            throw new Refusal(0, 0, "is larger than " + MAX_BYTES + " bytes, the most a job file may hold");
        }
        String text = text(bytes);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".json") ? json(text) : yaml(text);
    }

    /** Decodes UTF-8 strictly and refuses control characters, naming the place of the first. */
    private static String text(byte[] bytes) {
        String order = utf16WithoutMark(bytes);
        if (order != null) {
            throw new Refusal(
                    1,
                    1,
                    "is UTF-16 text (" + order + ", without a byte order mark), not UTF-8: a job file is YAML or"
                            + " JSON text in UTF-8: save it as UTF-8");
        }
        CharsetDecoder d = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        String text;
        try {
            text = d.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            // find the first byte that is not UTF-8, for its place
            int at = firstBadByte(bytes);
            String head = new String(bytes, 0, at, StandardCharsets.UTF_8);
            int[] place = place(head, head.length());
            boolean utf16 = bytes.length >= 2
                    && (bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE
                            || bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF);
            // said as of the data files: what the byte is in the encodings a file is likely saved in;
            // but a file with NUL bytes (an image, an archive, a program) is no text of any encoding
            boolean binary =
                    !utf16 && java.util.stream.IntStream.range(0, bytes.length).anyMatch(i -> bytes[i] == 0);
            throw new Refusal(
                    place[0],
                    place[1],
                    binary
                            ? String.format(
                                    Locale.ROOT,
                                    "is not UTF-8 text: byte 0x%02X cannot be read as UTF-8, and the file holds NUL"
                                            + " bytes: is this a binary file? a job file is YAML or JSON text in UTF-8",
                                    bytes[at] & 0xFF)
                            : new org.chemfit.support.Utf8Text.Place(place[0], place[1], bytes[at] & 0xFF, utf16)
                                    .problem("a job file (YAML or JSON)"));
        }
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        for (int i = 0; i < text.length(); i = text.offsetByCodePoints(i, 1)) {
            int c = text.codePointAt(i);
            // the characters YAML allows (its c-printable set, as SnakeYAML checks it), which JSON text keeps within
            // too
            if (!StreamReader.isPrintable(c)) {
                int[] place = place(text, i);
                throw new Refusal(
                        place[0],
                        place[1],
                        String.format(
                                Locale.ROOT,
                                "%s U+%04X is not allowed in a job "
                                        + "file (a job file is YAML or JSON text; is this a binary file?)",
                                c < 0xA0 ? "control character" : "character",
                                c));
            }
        }
        return text;
    }

    /**
     * @return "little-endian" or "big-endian" when the file's first bytes read as UTF-16 text
     *     without a byte order mark (a NUL byte beside a third of the characters or more, always on
     *     the same side, as ASCII text in UTF-16 has it), else null
     */
    private static @Nullable String utf16WithoutMark(byte[] bytes) {
        int pairs = Math.min(bytes.length, 512) / 2;
        boolean mark = bytes.length >= 2
                && (bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE
                        || bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF);
        if (pairs < 2 || mark) {
            return null;
        }
        int little = 0;
        int big = 0;
        for (int k = 0; k < pairs; k++) {
            byte even = bytes[2 * k];
            byte odd = bytes[2 * k + 1];
            little += even != 0 && odd == 0 ? 1 : 0;
            big += even == 0 && odd != 0 ? 1 : 0;
        }
        // NUL bytes on one side only, beside nearly a third of the characters at least: the ASCII of YAML's keys
        // and numbers, though a comment in Chinese or Greek (no NUL byte in either half) may come first; a
        // binary file has NUL bytes on both sides
        if (little * 10 >= pairs * 3 && big * 100 <= little) {
            return "little-endian";
        }
        return big * 10 >= pairs * 3 && little * 100 <= big ? "big-endian" : null;
    }

    private static int firstBadByte(byte[] bytes) {
        CharsetDecoder d = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 1);
        java.nio.charset.CoderResult r = d.decode(in, out, true);
        return r.isError() ? Math.min(in.position(), bytes.length - 1) : Math.max(bytes.length - 1, 0);
    }

    /** @return the 1-based line and column of character {@code index} of {@code text} */
    private static int[] place(String text, int index) {
        int line = 1;
        int col = 1;
        // lines end at LF, CR or CR LF, as YAML's do; a character beyond the BMP is one column, and
        // a byte order mark none
        for (int i = 0; i < index && i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' && i > 0 && text.charAt(i - 1) == '\r') {
                continue;
            }
            if (c == '\n' || c == '\r') {
                line++;
                col = 1;
            } else if (!Character.isLowSurrogate(c) && !(c == '\uFEFF' && i == 0)) {
                col++;
            }
        }
        return new int[] {line, col};
    }

    // ---------------------------------------------------------------- YAML

    private Node yaml(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setProcessComments(false);
        ParserImpl parser = new ParserImpl(new StreamReader(text), options);
        try {
            parser.getEvent(); // stream start
            if (parser.checkEvent(Event.ID.StreamEnd)) {
                return null;
            }
            parser.getEvent(); // document start
            Node root = yamlNode(parser, 1);
            parser.getEvent(); // document end
            if (!parser.checkEvent(Event.ID.StreamEnd)) {
                Mark m = parser.peekEvent().getStartMark();
                problems.add(new JobFileException.Problem(
                        file,
                        m.getLine() + 1,
                        m.getColumn() + 1,
                        "a job file holds one document; found another after its end ('---')"));
            }
            return root;
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() == null ? firstLines(e.getMessage()) : e.getProblem();
            int line = m == null ? 0 : m.getLine() + 1;
            int col = m == null ? 0 : m.getColumn() + 1;
            if (problem.contains("\\t") || problem.contains("\t") || problem.contains("TAB")) {
                // SnakeYAML marks where it was scanning; the tab may be on a later line
                int from = m == null ? 0 : m.getIndex();
                int tab = text.indexOf('\t', Math.min(from, text.length()));
                if (tab < 0) {
                    tab = text.lastIndexOf('\t', Math.min(from, text.length()));
                }
                if (tab >= 0) {
                    int[] place = place(text, tab);
                    line = place[0];
                    col = place[1];
                }
                problem = "a tab cannot indent YAML or separate its tokens here; use spaces";
            } else {
                String context = e.getContext();
                Mark cm = e.getContextMark();
                boolean elsewhere = cm != null && m != null && cm.getLine() != m.getLine();
                problem = (context == null ? "" : context.strip() + "; ")
                        + problem.strip()
                        + (context != null && elsewhere
                                ? " (what it was parsing starts at line " + (cm.getLine() + 1) + ", column "
                                        + (cm.getColumn() + 1) + ")"
                                : "")
                        + hint(problem);
            }
            throw new Refusal(line, col, "not valid YAML: " + problem);
        } catch (YAMLException e) {
            throw new Refusal(0, 0, "not valid YAML: " + firstLines(String.valueOf(e.getMessage())));
        }
    }

    private Node yamlNode(ParserImpl parser, int depth) {
        Event ev = parser.getEvent();
        Mark at = ev.getStartMark();
        int line = at.getLine() + 1;
        int col = at.getColumn() + 1;
        if (++values > MAX_VALUES) {
            throw new Refusal(
                    line, col, "the file holds more than " + MAX_VALUES + " values, the most a job file may hold");
        }
        if (ev instanceof AliasEvent a) {
            Anchored target = anchors.get(a.getAnchor());
            if (target == null) {
                throw new Refusal(
                        line,
                        col,
                        "alias *" + a.getAnchor() + " names no anchor: write &" + a.getAnchor()
                                + " before the value it names, earlier in the file (a value cannot contain an alias of itself)");
            }
            values += target.size() - 1;
            if (values > MAX_VALUES) {
                throw new Refusal(
                        line,
                        col,
                        "alias *" + a.getAnchor() + " expands the file to more than " + MAX_VALUES
                                + " values, the most a job file may hold (aliases of aliases multiply)");
            }
            return at(target.node(), line, col);
        }
        if (depth > MAX_DEPTH) {
            throw new Refusal(
                    line,
                    col,
                    "maps and lists are nested more than " + MAX_DEPTH + " deep, the most a job file may nest");
        }
        long before = values - 1;
        Node n;
        if (ev instanceof ScalarEvent s) {
            n = new Node.Scalar(scalar(s, line, col), s.getValue().strip(), line, col);
        } else if (ev instanceof SequenceStartEvent seq) {
            collectionTag(seq, "list", "seq", line, col);
            Node.ListNode l = new Node.ListNode(line, col);
            while (!parser.checkEvent(Event.ID.SequenceEnd)) {
                l.items.add(yamlNode(parser, depth + 1));
            }
            parser.getEvent();
            n = l;
        } else if (ev instanceof MappingStartEvent map) {
            collectionTag(map, "map", "map", line, col);
            n = yamlMap(parser, depth, line, col);
        } else {
            throw new Refusal(line, col, "not valid YAML: unexpected " + ev.getEventId());
        }
        String anchor = ((NodeEvent) ev).getAnchor();
        if (anchor != null) {
            anchors.put(anchor, new Anchored(n, values - before));
        }
        return n;
    }

    private Node.MapNode yamlMap(ParserImpl parser, int depth, int line, int col) {
        Node.MapNode m = new Node.MapNode(line, col);
        List<Node.MapNode> merged = new ArrayList<>();
        while (!parser.checkEvent(Event.ID.MappingEnd)) {
            Event kev = parser.peekEvent();
            boolean merge =
                    kev instanceof ScalarEvent ks && ks.isPlain() && "<<".equals(ks.getValue()) && ks.getTag() == null;
            Node k = yamlNode(parser, depth + 1);
            Node v = yamlNode(parser, depth + 1);
            if (merge) {
                if (v instanceof Node.MapNode vm) {
                    merged.add(vm);
                } else if (v instanceof Node.ListNode vl
                        && vl.items.stream().allMatch(i -> i instanceof Node.MapNode)) {
                    vl.items.forEach(i -> merged.add((Node.MapNode) i));
                } else {
                    problems.add(new JobFileException.Problem(
                            file,
                            v.line,
                            v.column,
                            "the merge key '<<' takes a map or a list of " + "maps (such as <<: *defaults), got "
                                    + v.kind()));
                }
                continue;
            }
            if (!(k instanceof Node.Scalar ks) || ks.value instanceof Double d && !Double.isFinite(d)) {
                problems.add(
                        new JobFileException.Problem(file, k.line, k.column, "a key must be a name, got " + k.kind()));
                continue;
            }
            String key = ks.value == null ? "null" : ks.value.toString();
            if (m.entries.containsKey(key)) {
                int[] first = m.keyPlaces.get(key);
                twice.add(new JobFileException.Problem(
                        file, k.line, k.column, "key '" + key + "' is given twice (first at line " + first[0] + ")"));
                continue;
            }
            m.entries.put(key, v);
            m.keyPlaces.put(key, new int[] {k.line, k.column});
        }
        parser.getEvent();
        // YAML's merge: keys written in the map win; among merged maps, the first one listed wins
        for (Node.MapNode src : merged) {
            for (Map.Entry<String, Node> e : src.entries.entrySet()) {
                if (!m.entries.containsKey(e.getKey())) {
                    m.entries.put(e.getKey(), e.getValue());
                    m.keyPlaces.put(e.getKey(), src.keyPlaces.get(e.getKey()));
                }
            }
        }
        return m;
    }

    private void collectionTag(CollectionStartEvent ev, String kind, String yamlName, int line, int col) {
        String tag = ev.getTag();
        if (tag != null && !tag.equals("!") && !tag.equals(YAML_TAG + yamlName)) {
            problems.add(new JobFileException.Problem(
                    file,
                    line,
                    col,
                    "the tag " + shortTag(tag) + " is not supported in a job file; " + "write the " + kind
                            + " without a tag"));
        }
    }

    /** A node with the place of the alias that names it, so that a problem with the whole value is shown at the alias. */
    private static Node at(Node n, int line, int col) {
        if (n instanceof Node.Scalar s) {
            return new Node.Scalar(s.value, s.text, line, col);
        }
        if (n instanceof Node.ListNode l) {
            Node.ListNode c = new Node.ListNode(line, col);
            c.items.addAll(l.items);
            return c;
        }
        Node.MapNode m = (Node.MapNode) n;
        Node.MapNode c = new Node.MapNode(line, col);
        c.entries.putAll(m.entries);
        c.keyPlaces.putAll(m.keyPlaces);
        return c;
    }

    private Object scalar(ScalarEvent s, int line, int col) {
        String v = s.getValue();
        String tag = s.getTag();
        if (tag == null || tag.equals("!")) {
            if (!s.isPlain() || tag != null) {
                return v;
            }
            return plain(v);
        }
        if (!tag.startsWith(YAML_TAG)) {
            problems.add(new JobFileException.Problem(
                    file,
                    line,
                    col,
                    "the tag " + shortTag(tag) + " is not supported in a job file; "
                            + "write the value without a tag"));
            return v;
        }
        String t = tag.substring(YAML_TAG.length());
        Object typed = plain(v.strip());
        boolean fits = switch (t) {
            case "str" -> true;
            case "null" -> typed == null;
            case "bool" -> typed instanceof Boolean;
            case "int" -> typed instanceof Integer || typed instanceof Long || typed instanceof BigInteger;
            case "float" -> typed instanceof Number;
            default -> false;
        };
        if (t.equals("str")) {
            return v;
        }
        if (!fits) {
            problems.add(new JobFileException.Problem(
                    file,
                    line,
                    col,
                    List.of("null", "bool", "int", "float").contains(t)
                            ? "the value '" + v + "' is not a valid !!" + t
                            : "the tag !!" + t
                                    + " is not supported in a job file; write a number, a string, true/false or null"));
            return v;
        }
        return t.equals("float") && typed instanceof Number num ? (Object) num.doubleValue() : typed;
    }

    /** Types a plain scalar by the YAML 1.2 core schema: null, a boolean, a whole number, a float or a string. */
    static Object plain(String v) {
        if (NULL.matcher(v).matches()) {
            return null;
        }
        if (BOOL.matcher(v).matches()) {
            return v.charAt(0) == 't' || v.charAt(0) == 'T';
        }
        if (INT.matcher(v).matches()) {
            // BigInteger's parsing takes quadratic time: a number of a million digits is read as a double (infinite)
            return v.length() > 400
                    ? (Object) Double.parseDouble(v)
                    : whole(new BigInteger(v.startsWith("+") ? v.substring(1) : v));
        }
        if (INT_RADIX.matcher(v).matches()) {
            return whole(new BigInteger(v.substring(2), v.charAt(1) == 'o' ? 8 : 16));
        }
        if (FLOAT.matcher(v).matches()) {
            return Double.parseDouble(v);
        }
        if (INF.matcher(v).matches()) {
            return v.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (NAN.matcher(v).matches()) {
            return Double.NaN;
        }
        return v;
    }

    private static Number whole(BigInteger b) {
        if (b.bitLength() < 32) {
            return b.intValue();
        }
        return b.bitLength() < 64 ? (Number) b.longValue() : b;
    }

    private static String shortTag(String tag) {
        return tag.startsWith(YAML_TAG) ? "!!" + tag.substring(YAML_TAG.length()) : tag;
    }

    // ---------------------------------------------------------------- JSON

    private Node json(String text) {
        try (JsonParser parser = new JsonFactory().createParser(text)) {
            JsonToken t = parser.nextToken();
            if (t == null) {
                return null;
            }
            Node root = value(parser, t, 1);
            JsonToken extra = parser.nextToken();
            if (extra != null) {
                JsonLocation loc = parser.currentTokenLocation();
                problems.add(new JobFileException.Problem(
                        file,
                        loc.getLineNr(),
                        loc.getColumnNr(),
                        "a job file holds one document; found more after its end"));
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            throw new Refusal(
                    loc == null ? 0 : Math.max(loc.getLineNr(), 0),
                    loc == null ? 0 : Math.max(loc.getColumnNr(), 0),
                    "not valid JSON: " + jsonMessage(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new Refusal(0, 0, "cannot be read: " + Messages.reason(e));
        }
    }

    /** Jackson's message without the hints that name its own classes and features. */
    static String jsonMessage(String msg) {
        return org.chemfit.support.JsonErrors.reason(msg);
    }

    /**
     * @param problem what SnakeYAML says is wrong
     * @return what a person who writes job files usually did to get it, after "; ", or ""
     */
    static String hint(String problem) {
        if (problem.contains("expected <block end>")) {
            return "; a key or an item here is indented by another number of spaces than those before"
                    + " it at its level: line it up with them";
        }
        if (problem.contains("found unknown escape character")) {
            return "; in double quotes a backslash begins an escape: put the text in single quotes"
                    + " ('E = (\\S+)'), or double the backslash";
        }
        return "";
    }

    /**
     * Keeps the sentences of a parser's message and drops what repeats the location (SnakeYAML
     * adds "in 'reader', line 3, column 2:" and a copy of the line with a caret under it).
     */
    static String firstLines(String msg) {
        StringBuilder sb = new StringBuilder();
        for (String line : msg.split("\\R")) {
            if (line.isBlank() || Character.isWhitespace(line.charAt(0)) || line.startsWith(" at [Source")) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(line.strip());
        }
        return sb.toString();
    }

    private Node value(JsonParser p, JsonToken t, int depth) throws IOException {
        JsonLocation loc = p.currentTokenLocation();
        int line = loc.getLineNr();
        int col = loc.getColumnNr();
        if (depth > MAX_DEPTH) {
            throw new Refusal(
                    line,
                    col,
                    "objects and arrays are nested more than " + MAX_DEPTH + " deep, the most a job file may nest");
        }
        if (++values > MAX_VALUES) {
            throw new Refusal(
                    line, col, "the file holds more than " + MAX_VALUES + " values, the most a job file may hold");
        }
        switch (t) {
            case START_OBJECT -> {
                Node.MapNode m = new Node.MapNode(line, col);
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    JsonLocation kl = p.currentTokenLocation();
                    String key = p.currentName();
                    Node v = value(p, p.nextToken(), depth + 1);
                    if (m.entries.containsKey(key)) {
                        int[] first = m.keyPlaces.get(key);
                        twice.add(new JobFileException.Problem(
                                file,
                                kl.getLineNr(),
                                kl.getColumnNr(),
                                "key '" + key + "' is given twice (first at line " + first[0] + ")"));
                        continue;
                    }
                    m.entries.put(key, v);
                    m.keyPlaces.put(key, new int[] {kl.getLineNr(), kl.getColumnNr()});
                }
                return m;
            }
            case START_ARRAY -> {
                Node.ListNode l = new Node.ListNode(line, col);
                for (JsonToken k = p.nextToken(); k != JsonToken.END_ARRAY; k = p.nextToken()) {
                    l.items.add(value(p, k, depth + 1));
                }
                return l;
            }
            case VALUE_STRING -> {
                return new Node.Scalar(p.getText(), line, col);
            }
            case VALUE_NUMBER_INT -> {
                return new Node.Scalar(p.getNumberValue(), p.getText(), line, col);
            }
            case VALUE_NUMBER_FLOAT -> {
                return new Node.Scalar(p.getDoubleValue(), p.getText(), line, col);
            }
            case VALUE_TRUE -> {
                return new Node.Scalar(true, line, col);
            }
            case VALUE_FALSE -> {
                return new Node.Scalar(false, line, col);
            }
            case VALUE_NULL -> {
                return new Node.Scalar(null, line, col);
            }
            default -> throw new Refusal(line, col, "not valid JSON: unexpected " + t);
        }
    }
}

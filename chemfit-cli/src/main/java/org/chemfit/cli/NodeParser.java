package org.chemfit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Reads a YAML or JSON file into a {@link Node} tree that keeps lines and columns. Jackson does
 * the tokenizing; this class only stacks the tokens into a tree (Jackson's own {@code JsonNode}
 * keeps no locations) and reports keys given twice.
 *
 * @implNote Stateless apart from the problems of one call; use one instance per file.
 */
final class NodeParser {

    private final Path file;
    private final List<JobFileException.Problem> problems = new ArrayList<>();

    private NodeParser(Path file) {
        this.file = file;
    }

    /**
     * @param file a .yaml, .yml or .json file
     * @return its tree (null for an empty document)
     * @throws JobFileException for a syntax error, a key given twice, or an unreadable file
     */
    static Node parse(Path file) {
        NodeParser p = new NodeParser(file);
        Node root = p.read();
        if (!p.problems.isEmpty()) {
            throw new JobFileException(p.problems);
        }
        return root;
    }

    private Node read() {
        if (!Files.isRegularFile(file)) {
            throw new JobFileException(List.of(new JobFileException.Problem(file, 0, 0,
                    Files.exists(file) ? "is not a regular file" : "no such file")));
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        JsonFactory factory = name.endsWith(".json") ? new JsonFactory() : new YAMLFactory();
        try (JsonParser parser = factory.createParser(file.toFile())) {
            JsonToken t = parser.nextToken();
            if (t == null) {
                return null;
            }
            Node root = value(parser, t);
            JsonToken extra = parser.nextToken();
            if (extra != null) {
                JsonLocation loc = parser.currentTokenLocation();
                problems.add(new JobFileException.Problem(file, loc.getLineNr(), loc.getColumnNr(),
                        "a job file holds one document; found more after its end"));
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String msg = firstLines(e.getOriginalMessage());
            throw new JobFileException(List.of(new JobFileException.Problem(file,
                    loc == null ? 0 : Math.max(loc.getLineNr(), 0), loc == null ? 0 : Math.max(loc.getColumnNr(), 0),
                    "not valid " + (factory instanceof YAMLFactory ? "YAML" : "JSON") + ": " + msg.strip())));
        } catch (IOException e) {
            throw new JobFileException(List.of(new JobFileException.Problem(file, 0, 0, "cannot be read: " + e.getMessage())));
        }
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

    private Node value(JsonParser p, JsonToken t) throws IOException {
        JsonLocation loc = p.currentTokenLocation();
        int line = loc.getLineNr();
        int col = loc.getColumnNr();
        switch (t) {
            case START_OBJECT -> {
                Node.MapNode m = new Node.MapNode(line, col);
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    JsonLocation kl = p.currentTokenLocation();
                    String key = p.currentName();
                    Node v = value(p, p.nextToken());
                    if (m.entries.containsKey(key)) {
                        int[] first = m.keyPlaces.get(key);
                        problems.add(new JobFileException.Problem(file, kl.getLineNr(), kl.getColumnNr(),
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
                    l.items.add(value(p, k));
                }
                return l;
            }
            case VALUE_STRING -> {
                return new Node.Scalar(p.getText(), line, col);
            }
            case VALUE_NUMBER_INT -> {
                return new Node.Scalar(p.getNumberValue(), line, col);
            }
            case VALUE_NUMBER_FLOAT -> {
                return new Node.Scalar(p.getDoubleValue(), line, col);
            }
            case VALUE_TRUE -> {
                return new Node.Scalar(Boolean.TRUE, line, col);
            }
            case VALUE_FALSE -> {
                return new Node.Scalar(Boolean.FALSE, line, col);
            }
            case VALUE_NULL -> {
                return new Node.Scalar(null, line, col);
            }
            default -> throw new JsonParseProblem("unexpected " + t, p);
        }
    }

    /** A token the tree cannot hold (Jackson embeds binary YAML values this way). */
    private static final class JsonParseProblem extends com.fasterxml.jackson.core.JsonParseException {
        private static final long serialVersionUID = 1L;

        JsonParseProblem(String msg, JsonParser p) {
            super(p, msg);
        }
    }
}

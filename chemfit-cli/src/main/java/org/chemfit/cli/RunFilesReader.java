package org.chemfit.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.NullUnmarked;

/**
 * Reads what an external term puts into each run directory: templates and files (a path, a list of
 * paths, or a map of run-directory name to path) and links (the same, staged by a symbolic link,
 * files or folders). Each name must stay inside the run directory and be used once.
 *
 * <pre>{@code
 * Map<String, Path> templates = new RunFilesReader(reading).stagedFiles(termNode.entries.get("templates"), "term 'md' templates");
 * }</pre>
 *
 * @implNote One instance per job file, used while it is read; not thread-safe.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class RunFilesReader {

    private final JobReading r;

    RunFilesReader(JobReading reading) {
        this.r = reading;
    }

    /** {@code link}: as {@code files}, but each is staged by a symbolic link and may be a r.folder. */
    Map<String, Path> linkedFiles(Node n, String where, Map<String, Path> files, Map<String, Path> templates) {
        Map<String, Path> out = new LinkedHashMap<>();
        if (n == null) {
            return out;
        }
        Map<Node, String> targets = new LinkedHashMap<>();
        if (n instanceof Node.MapNode m) {
            for (Map.Entry<String, Node> e : m.entries.entrySet()) {
                String target = e.getKey();
                if (target.startsWith("/") || Path.of(target).normalize().startsWith("..")) {
                    int[] place = m.keyPlaces.get(target);
                    r.problem(
                            place[0],
                            place[1],
                            where + " name '" + target + "' must be relative to the run directory and stay inside it");
                } else {
                    targets.put(e.getValue(), target);
                }
            }
        } else {
            for (Node item : n instanceof Node.ListNode l ? l.items : List.of(n)) {
                targets.put(item, null);
            }
        }
        for (Map.Entry<Node, String> e : targets.entrySet()) {
            Path p = r.path(e.getKey(), where, false);
            if (p == null) {
                continue;
            }
            if (!Files.exists(p)) {
                String unreachable = JobReading.unreachable(p);
                r.problem(
                        e.getKey(),
                        unreachable != null
                                ? where + " names a file or folder that " + unreachable + ": " + p
                                : where + " names a file or folder that does not exist: " + p
                                        + (e.getKey() instanceof Node.Scalar sc && sc.value instanceof String written
                                                ? r.notFoundHint(written)
                                                : ""));
                continue;
            }
            String target =
                    e.getValue() != null ? e.getValue() : p.getFileName().toString();
            if (out.containsKey(target) || files.containsKey(target) || templates.containsKey(target)) {
                r.problem(
                        e.getKey(),
                        where + " puts a second file named '" + target
                                + "' into the run directory; give it another name "
                                + "with a map (run-directory name: file)");
                continue;
            }
            if (Files.isRegularFile(p)) {
                r.namedFiles.add(p);
            }
            out.put(target, p);
        }
        return out;
    }

    /** Templates or staged files: a path, a list of paths (kept under their file names), or a map of name to path. */
    Map<String, Path> stagedFiles(Node n, String where) {
        return stagedFiles(n, where, Map.of(), "");
    }

    /**
     * Staged files read after the templates: a run-directory name that both put there is a problem
     * at the file that puts it there a second time, which names the key that put it there first.
     *
     * @param n the files' node, or null
     * @param where the key in words ("term 'md' files")
     * @param taken the run-directory names already staged, each with its file
     * @param takenBy the key that staged them ("templates"); not used when {@code taken} is empty
     * @return each staged file, by its run-directory name
     */
    Map<String, Path> stagedFiles(Node n, String where, Map<String, Path> taken, String takenBy) {
        java.util.Set<String> used = new java.util.HashSet<>();
        for (String k : taken.keySet()) {
            used.add(Path.of(k).normalize().toString());
        }
        Map<String, Path> out = new LinkedHashMap<>();
        if (n == null) {
            return out;
        }
        if (n instanceof Node.MapNode m) {
            for (Map.Entry<String, Node> e : m.entries.entrySet()) {
                String target = e.getKey();
                int[] place = m.keyPlaces.get(target);
                if (target.startsWith("/") || Path.of(target).normalize().startsWith("..")) {
                    r.problem(
                            place[0],
                            place[1],
                            where + " name '" + target + "' must be relative to the run directory and stay inside it");
                    continue;
                }
                Path p = r.path(e.getValue(), where + " '" + target + "'", true);
                if (p != null && used.contains(Path.of(target).normalize().toString())) {
                    r.problem(place[0], place[1], twice(where, target, takenBy));
                } else if (p != null) {
                    out.put(target, p);
                }
            }
            return out;
        }
        List<Node> items = n instanceof Node.ListNode l ? l.items : List.of(n);
        for (int i = 0; i < items.size(); i++) {
            Path p = r.path(items.get(i), where + (n instanceof Node.ListNode ? "[" + i + "]" : ""), true);
            if (p == null) {
                continue;
            }
            String target = p.getFileName().toString();
            if (out.containsKey(target)) {
                r.problem(
                        items.get(i),
                        where + " has two files named '" + target + "'; give them different names with a map "
                                + "(run-directory name: file)");
                continue;
            }
            if (used.contains(target)) {
                r.problem(items.get(i), twice(where, target, takenBy));
                continue;
            }
            out.put(target, p);
        }
        return out;
    }

    /** @return the problem of a file put into the run directory under a name another key gave it */
    private static String twice(String where, String target, String takenBy) {
        return where + " puts a file named '" + target + "' into the run directory, where " + takenBy
                + " puts one too; give it another name with a map (run-directory name: file)";
    }
}

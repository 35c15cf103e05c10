package org.chemfit.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.NullUnmarked;

/**
 * Reads the {@code programs} section: each program alias with the names tried for it, in order.
 *
 * <pre>{@code
 * Map<String, List<String>> p = new ProgramsReader(reading).read(top.entries.get("programs"));
 * }</pre>
 *
 * @implNote One instance per job file, used while it is read; not thread-safe.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class ProgramsReader {

    private final JobReading r;

    ProgramsReader(JobReading reading) {
        this.r = reading;
    }

    /** {@code programs}: a map of alias to a program name or path, or to a list of them tried in order. */
    Map<String, List<String>> read(Node n) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (n == null) {
            return out;
        }
        Node.MapNode m = r.map(n, "programs");
        if (m == null) {
            return out;
        }
        for (Map.Entry<String, Node> e : m.entries.entrySet()) {
            int[] place = m.keyPlaces.get(e.getKey());
            if (e.getKey().isBlank()
                    || e.getKey().contains("/")
                    || e.getKey().chars().anyMatch(Character::isWhitespace)) {
                r.problem(
                        place[0],
                        place[1],
                        "programs name '" + e.getKey() + "' must be one word without '/', as commands use it");
                continue;
            }
            List<Node> items = e.getValue() instanceof Node.ListNode l ? l.items : List.of(e.getValue());
            List<String> names = new ArrayList<>();
            for (Node item : items) {
                String s = r.string(item, "programs " + e.getKey());
                if (s != null && !s.isBlank()) {
                    names.add(s.contains("/") ? r.folder.resolve(s).normalize().toString() : s);
                } else if (s != null) {
                    r.problem(item, "programs " + e.getKey() + " names must not be blank");
                }
            }
            if (items.isEmpty()) {
                r.problem(
                        e.getValue(),
                        "programs " + e.getKey() + " must name at least one program, e.g. [gmx, gmx_mpi, gmx_d]");
            } else if (names.size() == items.size()) {
                out.put(e.getKey(), names);
                found(e.getKey(), names, place);
            }
        }
        return out;
    }

    /**
     * One of an alias's programs must be there before anything runs: a name on the PATH, or a
     * path (resolved against the job file's folder when read) to an executable file. Reported at
     * the alias's line, with the number of PATH folders searched rather than the PATH itself.
     */
    private void found(String alias, List<String> names, int[] place) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String name : names) {
            java.nio.file.Path p =
                    name.contains("/") ? java.nio.file.Path.of(name) : ExternalTerms.findOnPath(name, path);
            if (p != null && java.nio.file.Files.isExecutable(p) && !java.nio.file.Files.isDirectory(p)) {
                return;
            }
        }
        long folders = java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
                .filter(d -> !d.isEmpty())
                .count();
        r.problem(
                place[0],
                place[1],
                "programs " + alias + ": none of " + String.join(", ", names)
                        + " is an executable file or found on the PATH ("
                        + Tables.count(folders, "folder") + " searched); install one, or give its path");
    }
}

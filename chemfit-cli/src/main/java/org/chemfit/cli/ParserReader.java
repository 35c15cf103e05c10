package org.chemfit.cli;

import static org.chemfit.cli.JobKeys.MAX_INDEX;
import static org.chemfit.cli.JobKeys.MAX_ROWS;
import static org.chemfit.cli.JobKeys.PARSERS;
import static org.chemfit.cli.JobKeys.PARSER_KEYS;
import static org.chemfit.cli.JobKeys.SELECTS;

import java.nio.file.Path;
import org.chemfit.cli.ParserSpec.ColumnRef;
import org.chemfit.cli.ParserSpec.Select;
import org.chemfit.external.OutputParsers;
import org.jspecify.annotations.NullUnmarked;

/**
 * Reads how one quantity of an external term is parsed from its run directory ({@code outputs:}
 * entries) into the {@link ParserSpec} of its parser, with the options that parser takes.
 *
 * <pre>{@code
 * ParserSpec p = new ParserReader(reading).read("energy", node, "term 'dimer' output 'energy'");
 * }</pre>
 *
 * @implNote One instance per job file, used while it is read; not thread-safe.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class ParserReader {

    private final JobReading r;

    ParserReader(JobReading reading) {
        this.r = reading;
    }

    /**
     * Reads how one quantity is parsed from a run directory.
     *
     * @param quantity the quantity's name
     * @param n its node under {@code outputs:}
     * @param w where it is, for messages
     * @return the parser, or null when a problem was reported
     */
    ParserSpec read(String quantity, Node n, String w) {
        Node.MapNode pm = r.map(n, w);
        if (pm == null) {
            return null;
        }
        String parser = r.choice(r.requireSelector(pm, "parser", w, JobKeys.EVERY_PARSER_KEY), w + " parser", PARSERS);
        if (parser == null) {
            // any parser's keys are taken, so that a misspelt one ("parsr") is named
            r.keys(pm, w, JobKeys.EVERY_PARSER_KEY);
            return null;
        }
        r.keys(pm, w + " (" + parser + ")", PARSER_KEYS.get(parser));
        String f = r.string(r.require(pm, "file", w), w + " file");
        if (f != null && (f.startsWith("/") || Path.of(f).normalize().startsWith(".."))) {
            r.problem(
                    pm.entries.get("file"),
                    w + " file must be relative to the run directory and stay inside it, got '" + f + "'");
            f = null;
        }
        boolean ok = f != null;
        String pattern = null;
        ColumnRef group = null;
        ColumnRef column = null;
        Integer run = null;
        String path = null;
        switch (parser) {
            case "regex" -> {
                pattern = r.string(r.require(pm, "pattern", w + " (regex)"), w + " pattern");
                ok &= pattern != null;
                if (pattern != null) {
                    try {
                        java.util.regex.Pattern.compile(pattern);
                    } catch (java.util.regex.PatternSyntaxException ex) {
                        r.problem(
                                pm.entries.get("pattern"),
                                w + " pattern is not a valid regular expression: " + ex.getDescription()
                                        + " near index " + ex.getIndex());
                        ok = false;
                    }
                }
                Node g = pm.entries.get("group");
                if (g instanceof Node.Scalar sc && sc.value instanceof String name) {
                    group = ColumnRef.named(name);
                } else if (g != null) {
                    Integer gi = r.optInt(pm, "group", w + " group", 0, MAX_INDEX);
                    ok &= gi != null;
                    group = gi == null ? null : ColumnRef.at(gi);
                }
                if (ok && group != null) {
                    try { // the parser's own check, here where the line is known, not when the fit starts
                        OutputParsers.Regex re = OutputParsers.regex("q", "f", pattern);
                        if (group.name() != null) {
                            re.group(group.name());
                        } else {
                            re.group(group.index());
                        }
                    } catch (IllegalArgumentException ex) {
                        r.problem(g, w + " group: " + ex.getMessage());
                        ok = false;
                    }
                }
            }
            case "column", "lammps_thermo" -> {
                Node c = r.require(pm, "column", w + " (" + parser + ")");
                if (c instanceof Node.Scalar sc && sc.value instanceof String name && !name.isBlank()) {
                    column = ColumnRef.named(name);
                } else if (c != null && parser.equals("column")) {
                    Integer ci =
                            r.optInt(pm, "column", w + " column (a header name, or an index from 0)", 0, MAX_INDEX);
                    ok &= ci != null;
                    column = ci == null ? null : ColumnRef.at(ci);
                } else if (c != null) {
                    r.problem(
                            c,
                            w + " column must be a thermo keyword as LAMMPS prints it (PotEng, Press, Density), got "
                                    + c.kind());
                    ok = false;
                } else {
                    ok = false;
                }
                if (pm.entries.containsKey("run")) {
                    Node runNode = pm.entries.get("run");
                    Double d = r.number(runNode, w + " run");
                    if (d != null && (d != Math.rint(d) || Math.abs(d) > MAX_INDEX)) {
                        r.problem(
                                runNode,
                                w + " run must be a whole number from -" + MAX_INDEX + " to " + MAX_INDEX
                                        + " (0 the first thermo table, -1 the last), got " + JobReading.fmt(d));
                        ok = false;
                    } else if (d != null) {
                        run = d.intValue();
                    }
                }
            }
            case "xvg" -> {
                Node c = r.require(pm, "column", w + " (xvg)");
                if (c instanceof Node.Scalar sc && sc.value instanceof String legend && !legend.isBlank()) {
                    column = ColumnRef.named(legend);
                } else if (c != null) {
                    Integer ci = r.optInt(
                            pm,
                            "column",
                            w + " column (a legend such as Density, or an index from 0, 0 being x)",
                            0,
                            MAX_INDEX);
                    ok &= ci != null;
                    column = ci == null ? null : ColumnRef.at(ci);
                } else {
                    ok = false;
                }
            }
            default -> {
                path = r.string(r.require(pm, "path", w + " (json)"), w + " path");
                ok &= path != null;
                if (path != null) {
                    try { // the parser's own check of the path, here where the line is known
                        OutputParsers.json("q", "f", path);
                    } catch (IllegalArgumentException ex) {
                        r.problem(pm.entries.get("path"), w + " path: " + ex.getMessage());
                        ok = false;
                    }
                }
            }
        }
        Double from = null;
        Double to = null;
        if (parser.equals("xvg")) {
            from = pm.entries.containsKey("from") ? r.finite(pm.entries.get("from"), w + " from") : null;
            to = pm.entries.containsKey("to") ? r.finite(pm.entries.get("to"), w + " to") : null;
            ok &= (from != null || !pm.entries.containsKey("from")) && (to != null || !pm.entries.containsKey("to"));
            if (from != null && to != null && from > to) {
                r.problem(
                        pm.entries.get("to"),
                        w + " to (" + JobReading.fmt(to) + ") must not be less than from (" + JobReading.fmt(from)
                                + ")");
                ok = false;
            }
        }
        Select select = Select.LAST;
        int rows = 0;
        // a parser without select or rows (json) has had them reported as unknown keys
        if (pm.entries.containsKey("select") && PARSER_KEYS.get(parser).contains("select")) {
            Select sel = r.choice(pm.entries.get("select"), w + " select", SELECTS.get(parser), Select.class);
            ok &= sel != null;
            select = sel;
            if (sel == Select.MEAN_OF_LAST) {
                Node rowsNode = r.require(pm, "rows", w + " (select: mean_of_last)");
                Integer ri = rowsNode == null ? null : r.optInt(pm, "rows", w + " rows", 1, MAX_ROWS);
                ok &= ri != null;
                rows = ri == null ? 0 : ri;
            }
        }
        if (pm.entries.containsKey("rows")
                && PARSER_KEYS.get(parser).contains("rows")
                && select != Select.MEAN_OF_LAST) {
            int[] place = pm.keyPlaces.get("rows");
            r.problem(place[0], place[1], w + " rows is used only with select: mean_of_last");
            ok = false;
        }
        if (!ok) {
            return null;
        }
        return switch (parser) {
            case "regex" -> new ParserSpec.Regex(quantity, f, pattern, group, select);
            case "column" -> new ParserSpec.Column(quantity, f, column, select, rows);
            case "json" -> new ParserSpec.Json(quantity, f, path);
            case "lammps_thermo" -> new ParserSpec.LammpsThermo(quantity, f, column.name(), select, rows, run);
            case "xvg" -> new ParserSpec.Xvg(quantity, f, column, select, from, to);
            default -> throw new IllegalStateException("parser '" + parser + "' passed the check against " + PARSERS);
        };
    }
}

package org.chemfit.external;

import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.error.AttributeNotFoundException;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.error.RootAttributeNotFoundException;
import io.pebbletemplates.pebble.extension.AbstractExtension;
import io.pebbletemplates.pebble.extension.AbstractNodeVisitor;
import io.pebbletemplates.pebble.extension.Filter;
import io.pebbletemplates.pebble.extension.NodeVisitorFactory;
import io.pebbletemplates.pebble.loader.MemoryLoader;
import io.pebbletemplates.pebble.node.PrintNode;
import io.pebbletemplates.pebble.node.RootNode;
import io.pebbletemplates.pebble.node.expression.Expression;
import io.pebbletemplates.pebble.template.EvaluationContextImpl;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import io.pebbletemplates.pebble.template.PebbleTemplateImpl;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.chemfit.support.Names;
import org.chemfit.support.Reasons;
import org.jspecify.annotations.Nullable;

/**
 * The input templates of one computer, compiled once with Pebble (Jinja-like syntax, strict
 * variables: a name that is not a parameter or variable fails with the template's name and line).
 * A filter that does not exist is refused when the templates are compiled, at its line and column,
 * wherever it is written (Pebble itself would fail only when it renders that place); a filter that
 * cannot use its input or arguments fails with the template's name, line, the filter's column and
 * the values it was given.
 * Numbers print through {@link Double#toString}, which round-trips, unless the template formats
 * them ({@code {{ "%.6f" | format(lj.epsilon) }}} or {@code {{ x | numberformat("0.000") }}}).
 * A template imports (or includes) another of them by its name in the run directory, its
 * {@link Source#target()} ({@code {% import "lib.tmpl" %}}); a name that starts with {@code ./} or
 * {@code ../} is taken from the importing template's folder in the run directory.
 */
final class Templates {

    /** A {@code {% from %}} tag, whose template Pebble 3.2.4 renders only once when compiled once. */
    private static final java.util.regex.Pattern FROM_TAG = java.util.regex.Pattern.compile("\\{%-?\\s*from\\s");

    /**
     * A template: where it is written in the run directory (also the name another template imports
     * it by), what it is called in messages, its text.
     */
    record Source(String target, String displayName, String text) {}

    /**
     * Jinja's <code>{% raw %}</code> and <code>{% endraw %}</code>, with their white-space marks,
     * outside a verbatim or raw block: Pebble names them verbatim.
     */
    private static final java.util.regex.Pattern RAW_OR_VERBATIM =
            java.util.regex.Pattern.compile("\\{%(-?)\\s*(end|)(raw|verbatim)\\s*(-?)%\\}");

    /**
     * @param text a template as written
     * @return it as the engine reads it: each raw tag that opens or closes a block written as
     *     Pebble's verbatim, which does the same; a raw tag inside a block is its text. Lines keep
     *     their numbers; messages quote and count the text as written.
     */
    static String forEngine(String text) {
        java.util.regex.Matcher m = RAW_OR_VERBATIM.matcher(text);
        StringBuilder out = new StringBuilder(text.length() + 16);
        String open = null; // the kind of the block the text is in: raw, verbatim, or none
        int at = 0;
        while (m.find()) {
            boolean end = !m.group(2).isEmpty();
            String kind = m.group(3);
            if (open == null && !end) {
                open = kind;
            } else if (open != null && end && open.equals(kind)) {
                open = null;
            } else {
                continue; // inside a block, its text
            }
            if (kind.equals("raw")) {
                out.append(text, at, m.start());
                at = m.end();
                // Pebble drops the line end right after a verbatim tag, which Jinja's raw keeps:
                // that line end is printed before the tag instead, in a text of its own, so that
                // the lines keep their numbers
                String lineEnd = text.startsWith("\r\n", at) ? "\r\n" : text.startsWith("\n", at) ? "\n" : "";
                if (!end && m.group(4).isEmpty() && !lineEnd.isEmpty()) {
                    out.append("{{")
                            .append(m.group(1))
                            .append(" '")
                            .append(lineEnd)
                            .append("' }}");
                    at += lineEnd.length();
                    out.append("{% verbatim %}");
                } else {
                    out.append("{%")
                            .append(m.group(1))
                            .append(' ')
                            .append(m.group(2))
                            .append("verbatim ")
                            .append(m.group(4))
                            .append("%}");
                }
            }
        }
        return out.append(text, at, text.length()).toString();
    }

    private final List<Source> sources;
    /** The templates, then the others they may import. */
    private final List<Source> importable;
    /** Each of the others that compiled, by its name in the run directory. */
    private final Map<String, PebbleTemplate> importedOnly = new java.util.HashMap<>();
    /** One per source; null for an empty one, which renders as nothing. */
    private final List<@Nullable PebbleTemplate> compiled = new ArrayList<>();
    /**
     * Each compiled template's parsed tree, by its name in the run directory: what {@link #check} walks.
     * Pebble parses an included or imported template again at each render (nothing is cached),
     * from renders that may run at once; the first tree of a name is kept.
     */
    private final Map<String, RootNode> trees = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * The names in the run directory of the templates with a {@code {% from %}} tag: Pebble 3.2.4 adds the macros it
     * brings in to the compiled template at each render and refuses them the second time ("More
     * than one macro can not share the same name"), so these are parsed again for each render.
     */
    private final java.util.Set<String> parsedEachTime = new java.util.HashSet<>();
    /** The engine that compiled the templates; null when there are no templates. */
    private @Nullable PebbleEngine engine;
    /** The engine's extensions, for the functions a template may call; null when there are no templates. */
    private io.pebbletemplates.pebble.extension.@Nullable ExtensionRegistry functions;

    /** The functions of Pebble's core extension, which the engine has, for messages. */
    private static final List<String> FUNCTIONS = List.copyOf(
            new TreeMap<>(new io.pebbletemplates.pebble.extension.core.CoreExtension().getFunctions()).keySet());

    /**
     * @param sources the templates
     * @throws TemplateException when a template does not compile; names the template and line
     */
    Templates(List<Source> sources) {
        this(sources, List.of());
    }

    /**
     * @param sources the templates
     * @param others templates that these may import and that are not rendered here (the term's
     *     templates, for its standard-input templates); one that does not compile is left to
     *     the templates it belongs to
     * @throws TemplateException when a template does not compile; names the template and line
     */
    Templates(List<Source> sources, List<Source> others) {
        this.sources = List.copyOf(sources);
        List<Source> all = new ArrayList<>(sources);
        others.stream()
                .filter(o -> sources.stream().noneMatch(s -> s.target().equals(o.target())))
                .forEach(all::add);
        this.importable = List.copyOf(all);
        if (sources.isEmpty()) {
            return;
        }
        Map<String, String> texts = new java.util.HashMap<>();
        for (Source s : importable) {
            texts.put(s.target(), forEngine(s.text()));
        }
        Loader loader = new Loader(texts);
        Map<String, Filter> filters = filters();
        PebbleEngine engine = new PebbleEngine.Builder()
                .loader(loader)
                .strictVariables(true)
                .autoEscaping(false)
                .newLineTrimming(false)
                .cacheActive(false)
                .defaultLocale(Locale.ROOT)
                .allowOverrideCoreOperators(true) // for WholeNumberDivision's "/"
                .extension(new AbstractExtension() {
                    @Override
                    public Map<String, Filter> getFilters() {
                        return filters;
                    }

                    @Override
                    public List<io.pebbletemplates.pebble.operator.BinaryOperator> getBinaryOperators() {
                        // Pebble's "/" at its own precedence (60, that of * and %), left-associative
                        return List.of(
                                new io.pebbletemplates.pebble.operator.BinaryOperatorImpl(
                                        "/",
                                        60,
                                        WholeNumberDivision::new,
                                        io.pebbletemplates.pebble.operator.BinaryOperatorType.NORMAL,
                                        io.pebbletemplates.pebble.operator.Associativity.LEFT),
                                new io.pebbletemplates.pebble.operator.BinaryOperatorImpl(
                                        "%",
                                        60,
                                        WholeNumberRemainder::new,
                                        io.pebbletemplates.pebble.operator.BinaryOperatorType.NORMAL,
                                        io.pebbletemplates.pebble.operator.Associativity.LEFT));
                    }

                    @Override
                    public List<NodeVisitorFactory> getNodeVisitors() {
                        // Pebble hands each template's tree to its visitors once it is parsed
                        return List.of(template -> new AbstractNodeVisitor((PebbleTemplateImpl) template) {
                            @Override
                            public void visit(RootNode node) {
                                trees.putIfAbsent(template.getName(), node);
                                super.visit(node);
                            }

                            @Override
                            public void visit(PrintNode node) {
                                if (!(node.getExpression() instanceof Finite)) {
                                    node.setExpression(new Finite(node.getExpression()));
                                }
                            }
                        });
                    }
                })
                .build();
        this.engine = engine;
        functions = engine.getExtensionRegistry();
        List<TemplateException> problems = new ArrayList<>();
        for (Source s : sources) {
            if (s.text().isEmpty()) {
                compiled.add(null); // renders as empty
                continue;
            }
            try {
                compiled.add(engine.getTemplate(s.target()));
                // from the text, wherever the tag stands (inside a filter, a cache, an embed...): one
                // in a comment only costs a parse at each render
                if (FROM_TAG.matcher(s.text()).find()) {
                    parsedEachTime.add(s.target());
                }
            } catch (PebbleException e) {
                problems.add(failure(e, s, null));
                continue;
            }
            // Pebble looks a filter up only when it runs: one in a branch that the check does not
            // take would fail in the middle of a fit
            problems.addAll(unknownFilters(s, filters.keySet()));
        }
        for (Source o : importable.subList(sources.size(), importable.size())) {
            try {
                if (!o.text().isEmpty()) {
                    importedOnly.put(o.target(), engine.getTemplate(o.target()));
                }
            } catch (PebbleException e) {
                // said where it is rendered
            }
        }
        if (!problems.isEmpty()) {
            TemplateException first = problems.get(0);
            problems.subList(1, problems.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    /**
     * Pebble's loader of the templates, each under its name in the run directory: an import finds
     * a template by that name, or by a name that starts with {@code ./} or {@code ../} from the
     * importing template's folder there. An empty template is found too (Pebble's own memory
     * loader takes one for a missing template).
     */
    private static final class Loader extends MemoryLoader {
        private final Map<String, String> texts;

        Loader(Map<String, String> texts) {
            this.texts = texts;
        }

        @Override
        public java.io.Reader getReader(String name) {
            String text = texts.get(name);
            if (text == null) {
                throw new io.pebbletemplates.pebble.error.LoaderException(
                        null, "Could not find template \"" + name + "\"");
            }
            return new java.io.StringReader(text);
        }

        @Override
        public boolean resourceExists(String name) {
            return texts.containsKey(name);
        }

        @Override
        public String resolveRelativePath(String relativePath, String anchorPath) {
            return runDirectoryName(relativePath, anchorPath);
        }
    }

    /**
     * @param name the name an import gives
     * @param importer the importing template's name in the run directory
     * @return the run-directory name that the import's name stands for: a name that starts with
     *     {@code ./} or {@code ../} is taken from the importer's folder ({@code ./lib.tmpl} in
     *     {@code conf/in.lmp} is {@code conf/lib.tmpl}); any other is that name itself
     */
    static String runDirectoryName(String name, String importer) {
        if (!name.startsWith("./") && !name.startsWith("../")) {
            return name;
        }
        try {
            java.nio.file.Path folder = java.nio.file.Path.of(importer).getParent();
            return (folder == null ? java.nio.file.Path.of(name) : folder.resolve(name))
                    .normalize()
                    .toString();
        } catch (java.nio.file.InvalidPathException e) {
            return name; // no template's name either
        }
    }

    /**
     * @param importer a template's name in the run directory
     * @param name the name one of its imports gives
     * @return the name in the run directory of the template it stands for, or null when it is none of them
     */
    private @Nullable String imported(String importer, String name) {
        String target = runDirectoryName(name, importer);
        for (Source s : importable) {
            if (s.target().equals(target)) {
                return target;
            }
        }
        return null;
    }

    /**
     * @return Pebble's filters and {@code format}, each but {@code default} turning a failure that
     *     is not Pebble's own (a text where it needs a number, an argument missing) into one that
     *     names the template, the line and the filter
     */
    private static Map<String, Filter> filters() {
        Map<String, Filter> all =
                new TreeMap<>(new io.pebbletemplates.pebble.extension.core.CoreExtension().getFilters());
        all.putAll(new io.pebbletemplates.pebble.extension.escaper.EscaperExtension().getFilters());
        all.put("format", new FormatFilter());
        all.put("int", new IntFilter());
        all.put("float", new FloatFilter());
        all.put("round", new RoundFilter());
        Map<String, Filter> out = new TreeMap<>();
        // Pebble lets what default(...) filters be missing only when the filter is its own DefaultFilter
        all.forEach((name, f) -> out.put(
                name,
                f instanceof io.pebbletemplates.pebble.extension.core.DefaultFilter
                        ? f
                        : new ReportingFilter(name, f)));
        return out;
    }

    /**
     * Finds each filter a template names that is none of {@code known}, at its line and column:
     * after a {@code |} inside <code>{{ }}</code> or <code>{% %}</code> (outside quoted texts),
     * and after the tag name of <code>{% filter %}</code>. Text between
     * <code>{% verbatim %}</code> and <code>{% endverbatim %}</code> is not looked at.
     *
     * @return one problem per unknown filter, in the order they are written
     */
    static List<TemplateException> unknownFilters(Source s, java.util.Set<String> known) {
        List<TemplateException> out = new ArrayList<>();
        String text = s.text();
        int at = 0;
        while (true) {
            int open = text.indexOf('{', at);
            if (open < 0 || open + 1 >= text.length()) {
                return out;
            }
            char kind = text.charAt(open + 1);
            if (kind != '{' && kind != '%' && kind != '#') {
                at = open + 1;
                continue;
            }
            String close = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
            int end = kind == '#' ? text.indexOf(close, open + 2) : endOfTag(text, open + 2, close);
            if (end < 0) {
                return out; // reported by the compiler, where it opens
            }
            if (kind == '%') {
                java.util.regex.Matcher name = TAG.matcher(text).region(open, end);
                if (name.lookingAt()
                        && (name.group(1).equals("verbatim") || name.group(1).equals("raw"))) {
                    int closing = text.indexOf("end" + name.group(1), end);
                    at = closing < 0 ? text.length() : closing;
                    continue;
                }
                if (name.lookingAt() && name.group(1).equals("filter")) {
                    java.util.regex.Matcher first = FILTER_NAME.matcher(text).region(name.end(), end);
                    if (first.lookingAt()) {
                        unknown(s, known, first.start(1), first.group(1), out);
                    }
                }
            }
            if (kind != '#') {
                filtersIn(s, known, open + 2, end, out);
            }
            at = end + 2;
        }
    }

    /** A filter's name after white space, at the start of a region. */
    private static final java.util.regex.Pattern FILTER_NAME =
            java.util.regex.Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_]*)");

    /** @return where the tag's {@code close} is, outside quoted texts; -1 when it is not closed */
    private static int endOfTag(String text, int from, String close) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'') {
                i = closingQuote(text, i, text.length());
            } else if (text.startsWith(close, i)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * @return where the quoted text opened at {@code open} ends (its closing quote; a backslash
     *     escapes the character after it), or {@code limit} when it does not end before it
     */
    private static int closingQuote(String text, int open, int limit) {
        char quote = text.charAt(open);
        for (int i = open + 1; i < limit; i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == quote) {
                return i;
            }
        }
        return limit;
    }

    /** Adds a problem for each filter after a {@code |} between {@code from} and {@code to} that is not known. */
    private static void filtersIn(
            Source s, java.util.Set<String> known, int from, int to, List<TemplateException> out) {
        String text = s.text();
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'') {
                i = closingQuote(text, i, to);
            } else if (c == '|') {
                java.util.regex.Matcher m = FILTER_NAME.matcher(text).region(i + 1, to);
                if (m.lookingAt()) {
                    unknown(s, known, m.start(1), m.group(1), out);
                }
            }
        }
    }

    private static void unknown(
            Source s, java.util.Set<String> known, int at, String name, List<TemplateException> out) {
        if (known.contains(name)) {
            return;
        }
        int line = lineOf(s.text(), at);
        int column = at - s.text().lastIndexOf('\n', at - 1);
        String close = Names.suggest(name, known);
        String reason = "unknown filter '" + name + "'"
                + (close == null ? "" : " (did you mean '" + close + "'?)")
                + lineQuoted(s.text(), line)
                + "; the filters are " + String.join(", ", known);
        out.add(new TemplateException(
                s.displayName(),
                line,
                column,
                reason,
                "template '" + s.displayName() + "' line " + line + " column " + column + ": " + reason,
                null));
    }

    /** @return " in `the line`" for a line of the text that is not blank, else "" */
    private static String lineQuoted(String text, int line) {
        String[] lines = text.split("\n", -1);
        return line >= 1 && line <= lines.length && !lines[line - 1].isBlank()
                ? " in `" + lines[line - 1].strip() + "`"
                : "";
    }

    /** @return the templates, in order */
    List<Source> sources() {
        return sources;
    }

    /**
     * Renders every template into memory.
     *
     * @param context the parameters as nested maps, plus the user's variables
     * @param knownNames the names a template may use, for the message
     * @return one text per template, in order
     * @throws TemplateException when a template names something unknown; names the template and line
     */
    List<String> render(Map<String, Object> context, List<String> knownNames) {
        List<String> out = new ArrayList<>(compiled.size());
        for (int i = 0; i < compiled.size(); i++) {
            PebbleTemplate t = compiled.get(i);
            if (t == null) {
                out.add("");
                continue;
            }
            StringWriter w = new StringWriter(sources.get(i).text().length() + 64);
            try {
                fresh(t).evaluate(w, context, Locale.ROOT);
            } catch (PebbleException e) {
                Source s = sources.get(i);
                if (unknownName(e, s, knownNames) == null) {
                    throw unknownNameAt(context, knownNames, where(e, s), e.getLineNumber())
                            .orElseGet(() -> failure(e, s, knownNames));
                }
                throw failure(e, s, knownNames);
            } catch (RuntimeException e) {
                throw unrendered(sources.get(i), e);
            } catch (IOException e) {
                throw new IllegalStateException(
                        "cannot render template '" + sources.get(i).displayName() + "': " + Reasons.of(e), e);
            }
            out.add(w.toString());
        }
        return out;
    }

    /** @return the template, parsed again when it has a {@code {% from %}} tag (see {@link #parsedEachTime}) */
    private PebbleTemplate fresh(PebbleTemplate t) {
        PebbleEngine e = engine;
        return e != null && parsedEachTime.contains(t.getName()) ? e.getTemplate(t.getName()) : t;
    }

    /**
     * @param template one of the templates, by its name in the run directory
     * @param macro a macro's name
     * @return whether Pebble compiled the template with that macro, which is what {@code {% from %}}
     *     asks of it when it renders; true when the template is not one of them compiled (nothing
     *     to say of it)
     */
    private boolean hasMacro(String template, String macro) {
        for (int i = 0; i < sources.size(); i++) {
            if (sources.get(i).target().equals(template)) {
                return !(compiled.get(i) instanceof PebbleTemplateImpl t) || t.hasMacro(macro);
            }
        }
        return !(importedOnly.get(template) instanceof PebbleTemplateImpl t) || t.hasMacro(macro);
    }

    /**
     * @param dotted a parameter's dotted name ({@code m.eps})
     * @return when these templates, and the others they may import, use the parameter only in
     *     conditions (see {@link TemplateNames#onlyInConditions}): the line of the first such
     *     condition of each template that uses it, by the template's name in messages, in their
     *     order (empty when there are no templates or none uses it); null when one of them uses it
     *     elsewhere too, or one that is not empty was not parsed
     */
    java.util.@Nullable Map<String, Integer> onlyInConditions(String dotted) {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        if (sources.isEmpty()) {
            return out;
        }
        for (Source s : importable) {
            if (s.text().isEmpty()) {
                continue;
            }
            RootNode tree = trees.get(s.target());
            int line = tree == null ? -1 : TemplateNames.onlyInConditions(tree, dotted);
            if (line < 0) {
                return null;
            }
            if (line > 0) {
                out.put(s.displayName(), line);
            }
        }
        return out;
    }

    /**
     * @param s one of these templates
     * @param dotted a parameter's dotted name ({@code m.eps})
     * @return the line of the template's first use of the parameter outside a condition, such as a
     *     print (see {@link TemplateNames#firstUseOutsideConditions}); 0 when its tree shows none or
     *     it was not parsed
     */
    int firstUseOutsideConditions(Source s, String dotted) {
        RootNode tree = trees.get(s.target());
        return tree == null ? 0 : TemplateNames.firstUseOutsideConditions(tree, dotted);
    }

    /**
     * A failure that Pebble says in its own words (a misspelt name multiplied: "Could not perform
     * multiplication") may come of a name the templates do not know; the check says that name at
     * its line, with the names known. Only a name at the failure's line is taken for its cause (a
     * name in a branch not taken renders without a word, and another template's is another matter).
     *
     * @param in the template that failed
     * @param line the failure's line; null or below 1 when Pebble gave none, so that any of the
     *     template's unknown names is taken
     * @return the first name that the template's tree shows unknown there, at its line, when there is one
     */
    private java.util.Optional<TemplateException> unknownNameAt(
            Map<String, Object> context, List<String> knownNames, Source in, @Nullable Integer line) {
        int at = line == null ? 0 : line;
        return check(context, knownNames, false).stream()
                .filter(p -> p.template().equals(in.displayName()) && (at <= 0 || p.line() == at))
                .findFirst();
    }

    /** The most unknown names one template's check looks for before it gives up on the template. */
    private static final int MAX_UNKNOWN = 100;

    /**
     * Finds every name each template refers to that is neither a parameter nor a variable, in every
     * branch and loop, from its parsed tree (see {@link TemplateNames}); then renders every template
     * into memory as {@link #render} does, each unknown name standing for the number 1, and goes on
     * past an unknown name that only the rendering finds (a computed key): the name is reported, then
     * stands for the number 1 while the template is rendered again, so that each unknown name of each
     * template is found in one check, once. A name under one already
     * reported ({@code q.b} after an unknown {@code q}) is the same mistake and is not reported again;
     * any other failure once a name stands for a number may come from that stand-in, and ends the
     * template's check without a report.
     *
     * @param context the parameters as nested maps, plus the user's variables
     * @param knownNames the names a template may use, for the messages
     * @return every problem, template after template, each at its line; none when all render
     */
    List<TemplateException> check(Map<String, Object> context, List<String> knownNames) {
        return check(context, knownNames, true);
    }

    /**
     * @param rendering whether the templates are rendered too; without, only the names their trees
     *     show unknown are said
     */
    private List<TemplateException> check(Map<String, Object> context, List<String> knownNames, boolean rendering) {
        List<Map<String, Object>> models = new ArrayList<>();
        List<List<TemplateNames.Unknown>> founds = new ArrayList<>();
        // the run-directory names that a template's include, extends or import names and that are
        // none of the templates: said at that tag, and not again where another template includes that one
        java.util.Set<String> missing = new java.util.HashSet<>();
        for (int i = 0; i < compiled.size(); i++) {
            Source s = sources.get(i);
            Map<String, Object> model = copy(context);
            RootNode tree = trees.get(s.target());
            io.pebbletemplates.pebble.extension.ExtensionRegistry registry = functions;
            List<TemplateNames.Unknown> found = compiled.get(i) == null || tree == null || registry == null
                    ? List.of()
                    : TemplateNames.of(
                            tree,
                            model,
                            name -> registry.getFunction(name) != null,
                            s.target(),
                            this::imported,
                            trees,
                            this::hasMacro);
            found.stream()
                    .filter(u -> u.tag() != null)
                    .forEach(u -> missing.add(runDirectoryName(u.name(), s.target())));
            models.add(model);
            founds.add(found);
        }
        // each template's own problems; and the failures that Pebble says are in another of the
        // templates, which that one's check may say (then they are not said again)
        List<List<TemplateException>> own = new ArrayList<>();
        List<List<PebbleException>> others = new ArrayList<>();
        // failures of Pebble's code in a template that another includes or extends, by includer
        Map<Integer, RuntimeException> unrenderedElsewhere = new TreeMap<>();
        for (int i = 0; i < compiled.size(); i++) {
            List<TemplateException> problems = new ArrayList<>();
            List<PebbleException> elsewhereFailures = new ArrayList<>();
            own.add(problems);
            others.add(elsewhereFailures);
            PebbleTemplate t = compiled.get(i);
            if (t == null) {
                continue;
            }
            Source s = sources.get(i);
            Map<String, Object> model = models.get(i);
            List<String> assumed = new ArrayList<>();
            List<String> reported = new ArrayList<>();
            List<TemplateNames.Unknown> found = founds.get(i);
            for (TemplateNames.Unknown u : found) {
                problems.add(unknownAt(s, u, knownNames));
                if (!u.function() && u.from() == null && u.tag() == null) {
                    reported.add(u.name());
                    assumed.add(u.name());
                    if (u.macro() == null) {
                        // a name the model lacks stands in as a number; one a macro does not see is
                        // the model's own (a group of parameters), which the rest of the template uses
                        assume(model, u.name());
                    }
                }
            }
            for (int round = 0; rendering && round <= MAX_UNKNOWN; round++) {
                try {
                    fresh(t).evaluate(new StringWriter(s.text().length() + 64), model, Locale.ROOT);
                    break;
                } catch (PebbleException e) {
                    Source in = where(e, s);
                    // a failure in another of the templates (one this includes) may be said by that
                    // one's own check; one that only this template's context brings is said below
                    boolean saidAtTag = e instanceof io.pebbletemplates.pebble.error.LoaderException
                            && missing.stream()
                                    .anyMatch(m -> String.valueOf(e.getMessage())
                                            .contains("Could not find template \"" + m + "\""));
                    boolean other = !in.target().equals(s.target()) && sources.contains(in) && !saidAtTag;
                    boolean elsewhere = other || saidAtTag;
                    String name = unknownName(e, in, knownNames);
                    if (name == null || assumed.contains(name)) {
                        // another failure, where nothing stands in for a name, is the template's own
                        if (found.isEmpty() && assumed.isEmpty() && !elsewhere) {
                            problems.add(failure(e, s, knownNames));
                        } else if (found.isEmpty() && assumed.isEmpty() && other) {
                            elsewhereFailures.add(e);
                        }
                        break;
                    }
                    if (reported.stream().noneMatch(a -> name.startsWith(a + "."))) {
                        if (!elsewhere) {
                            problems.add(failure(e, s, knownNames));
                        } else if (other) {
                            elsewhereFailures.add(e);
                        }
                        reported.add(name);
                    }
                    // a number that a name under it needs is a group instead
                    assumed.removeIf(a -> name.startsWith(a + "."));
                    assumed.add(name);
                    assume(model, name);
                } catch (RuntimeException e) {
                    // where names stand in as numbers, a failure may be of the stand-ins: the unknown
                    // names said above are the problems
                    if (found.isEmpty() && assumed.isEmpty()) {
                        if (inAnother(e) || extendsAnother(s)) {
                            unrenderedElsewhere.put(i, e); // said below unless another template's check says it
                        } else {
                            problems.add(unrendered(s, e));
                        }
                    }
                    break;
                } catch (IOException e) {
                    throw new IllegalStateException(
                            "cannot render template '" + s.displayName() + "': " + Reasons.of(e), e);
                }
            }
        }
        List<TemplateException> problems = new ArrayList<>();
        for (Map.Entry<Integer, RuntimeException> u : unrenderedElsewhere.entrySet()) {
            int i = u.getKey();
            // said there when a template that this one includes or extends (or one of theirs) said
            // the same failure of Pebble's code in its own check
            String reason = javaReason(u.getValue());
            Set<String> reached = reachedFrom(sources.get(i));
            boolean saidThere = false;
            for (int j = 0; j < own.size(); j++) {
                for (TemplateException p : own.get(j)) {
                    saidThere |= j != i
                            && reached.contains(sources.get(j).target())
                            && p.getCause() instanceof RuntimeException c
                            && !(c instanceof PebbleException)
                            && javaReason(c).equals(reason);
                }
            }
            if (!saidThere) {
                own.get(i).add(unrendered(sources.get(i), u.getValue()));
            }
        }
        for (int i = 0; i < own.size(); i++) {
            Source s = sources.get(i);
            problems.addAll(own.get(i));
            for (PebbleException e : others.get(i)) {
                Source in = where(e, s);
                int j = sources.indexOf(in);
                if (j < 0 || own.get(j).isEmpty()) {
                    TemplateException t = failure(e, s, knownNames);
                    problems.add(
                            t.template().equals(s.displayName())
                                    ? t
                                    : new TemplateException(
                                            t.template(),
                                            t.line(),
                                            t.column(),
                                            t.reason() + " (as template '" + s.displayName() + "' renders it)",
                                            String.valueOf(t.getMessage()),
                                            e));
                }
            }
        }
        return problems;
    }

    /** @return the problem of a name that a template's tree refers to and the model does not hold */
    private TemplateException unknownAt(Source s, TemplateNames.Unknown u, List<String> knownNames) {
        String[] lines = s.text().split("\n", -1);
        if (u.tag() != null) {
            String said = u.tag() + " of '" + u.name() + "'" + lineQuoted(s.text(), u.line())
                    + ": no template has that name"
                    + importsHint(s, u.name(), u.tag().equals("extends") ? "extends" : u.tag() + "s");
            return located(s, u.line(), said);
        }
        String from = u.from();
        if (from != null) {
            String target = imported(s.target(), from);
            RootNode imported = target == null ? null : trees.get(target);
            java.util.Set<String> defined = imported == null ? java.util.Set.of() : TemplateNames.macros(imported);
            String said = "macro '" + u.name() + "' imported from '" + from + "'" + lineQuoted(s.text(), u.line())
                    + " is not defined there: '" + from + "' defines "
                    + (defined.isEmpty()
                            ? "no macro"
                            : (defined.size() == 1 ? "the macro " : "the macros ") + String.join(", ", defined));
            return located(s, u.line(), said);
        }
        if (u.function()) {
            String said = "unknown function or macro '" + u.name() + "'" + lineQuoted(s.text(), u.line())
                    + "; Pebble's functions are " + String.join(", ", FUNCTIONS)
                    + ", and a macro is one the template defines with {% macro %} or imports with {% import %}";
            return located(s, u.line(), said);
        }
        String macro = u.macro();
        if (macro != null) {
            String said = "macro '" + macro + "' uses '" + u.name() + "'" + lineQuoted(s.text(), u.line())
                    + ", which it does not see: a macro sees only its arguments (and the names it sets);"
                    + " pass '" + u.name() + "' to '" + macro + "' as an argument";
            return located(s, u.line(), said);
        }
        String reason = (u.root() ? "unknown parameter or variable '" : "unknown parameter '") + u.name() + "'"
                + didYouMean(u.name(), knownNames)
                + lineQuoted(s.text(), u.line())
                + "; known names: " + String.join(", ", knownNames)
                + (u.line() >= 1 && u.line() <= lines.length ? bracketHint(lines[u.line() - 1], knownNames) : "");
        return located(s, u.line(), reason);
    }

    /**
     * @return the run-directory names of the templates that a template includes, extends, imports
     *     or embeds by a literal name, and of those they reach so, in turn
     */
    private Set<String> reachedFrom(Source s) {
        Set<String> reached = new java.util.LinkedHashSet<>();
        java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(List.of(s.target()));
        while (!todo.isEmpty()) {
            String from = todo.poll();
            RootNode tree = trees.get(from);
            if (tree == null) {
                continue;
            }
            for (String name : TemplateNames.namedTemplates(tree)) {
                String target = imported(from, name);
                if (target != null && reached.add(target)) {
                    todo.add(target);
                }
            }
        }
        return reached;
    }

    /** Pebble's tags that take a template's name, which they cast to a text while they render. */
    private static final Set<String> NAMING_TAGS =
            Set.of("IncludeNode", "ImportNode", "FromNode", "ExtendsNode", "EmbedNode");

    /**
     * A failure of Pebble's own code while it rendered a template, outside what its exceptions
     * say ({@code {% include 3 %}} casts the number to a text; {@code max(1, "a")} compares a
     * number with a text), said in the template's words rather than as an internal error. Such a
     * failure carries no line: the stack says which kind of tag failed, and the line is given when
     * the template has one tag of that kind (the lines of all, when it has several). A failure in a
     * template that this one includes or extends is said to be there.
     *
     * @param s the template rendered
     * @param e what Pebble's code threw
     * @return the problem
     */
    private TemplateException unrendered(Source s, RuntimeException e) {
        String node = failedNode(e, false);
        boolean elsewhere = inAnother(e) || extendsAnother(s);
        String reason = javaReason(e)
                + (node != null && NAMING_TAGS.contains(node)
                        ? " (a tag given a value of the wrong kind, such as a number or a map for the name of"
                                + " an include or import?)"
                        : "")
                + (inMacro(e) ? " (in a macro that it calls)" : "");
        List<Integer> lines = failureLines(s, e);
        if (lines.size() == 1) {
            int line = lines.get(0);
            String said = "cannot be rendered" + lineQuoted(s.text(), line) + ": " + reason;
            return new TemplateException(
                    s.displayName(), line, 0, said, "template '" + s.displayName() + "' line " + line + ": " + said, e);
        }
        String said = "cannot be rendered: " + reason
                + (elsewhere
                        ? inAnother(e)
                                ? " (in a template that it includes or extends)"
                                : " (in it or in a template that it extends)"
                        : "")
                + (lines.isEmpty()
                        ? ""
                        : " (on one of lines "
                                + lines.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
                                + ")");
        return new TemplateException(s.displayName(), 0, 0, said, "template '" + s.displayName() + "': " + said, e);
    }

    /**
     * @return the lines of the template's tags (outside its macros) of the kind whose rendering
     *     threw (in a macro, the kind of the tag that called it); none when the failure may be in
     *     another template (one it includes, or extends: a parent renders after the child's tree
     *     has returned, so the stack does not tell them apart), or its kind is not known
     */
    private List<Integer> failureLines(Source s, RuntimeException e) {
        String node = failedNode(e, true);
        RootNode tree = trees.get(s.target());
        return node == null || tree == null || inAnother(e) || extendsAnother(s)
                ? List.of()
                : TemplateNames.linesOf(tree, node);
    }

    /** @return whether the template extends another (its parents render its blocks and the rest) */
    private boolean extendsAnother(Source s) {
        RootNode tree = trees.get(s.target());
        return tree != null && !TemplateNames.linesOf(tree, "ExtendsNode").isEmpty();
    }

    /** Whether a stack frame is Pebble's call of a macro. */
    private static boolean macroCall(StackTraceElement f) {
        return f.getClassName().equals("io.pebbletemplates.pebble.template.PebbleTemplateImpl")
                && f.getMethodName().equals("macro");
    }

    /** @return whether Pebble's code threw in a macro, which may be another template's */
    private static boolean inMacro(RuntimeException e) {
        return java.util.Arrays.stream(e.getStackTrace()).anyMatch(Templates::macroCall);
    }

    /**
     * @param caller in a macro, whether the node that called the outermost macro is meant (the
     *     rendered template's) rather than the one that threw
     * @return the simple name of the kind of Pebble node whose rendering threw, or null
     */
    private static @Nullable String failedNode(RuntimeException e, boolean caller) {
        StackTraceElement[] stack = e.getStackTrace();
        int from = 0;
        for (int k = 0; caller && k < stack.length; k++) {
            if (macroCall(stack[k])) {
                from = k + 1; // the frames below the outermost call are the caller's
            }
        }
        for (int k = from; k < stack.length; k++) {
            String c = stack[k].getClassName();
            if (c.startsWith("io.pebbletemplates.pebble.node.")
                    && stack[k].getMethodName().equals("render")
                    && !c.endsWith(".RootNode")
                    && !c.endsWith(".BodyNode")) {
                return c.substring(c.lastIndexOf('.') + 1);
            }
        }
        return null;
    }

    /** @return whether Pebble's code threw while it rendered another template, included or extended */
    private static boolean inAnother(RuntimeException e) {
        int roots = 0;
        for (StackTraceElement f : e.getStackTrace()) {
            if (f.getClassName().equals("io.pebbletemplates.pebble.node.RootNode")
                    && f.getMethodName().equals("render")) {
                roots++;
            }
        }
        return roots > 1;
    }

    /**
     * @param s the template
     * @param line the line of the problem in it
     * @param said what is wrong there
     * @return the problem, found in the template's text rather than thrown by Pebble
     */
    private static TemplateException located(Source s, int line, String said) {
        return new TemplateException(
                s.displayName(), line, 0, said, "template '" + s.displayName() + "' line " + line + ": " + said, null);
    }

    /**
     * @param importer a template
     * @param name a name it imports that is none of the templates
     * @param verb what the tag does ({@code imports}, {@code includes}, {@code extends})
     * @return a "did you mean" (the template whose file has that name, else a template of a near
     *     name), and the names the importer may import by
     */
    private String importsHint(Source importer, String name, String verb) {
        List<String> others = new ArrayList<>();
        String close = null;
        for (Source s : importable) {
            if (s.target().equals(importer.target())) {
                continue;
            }
            others.add(s.target());
            if (close == null
                    && (s.displayName().equals(name)
                            || fileName(s.displayName()).equals(name))) {
                close = s.target();
            }
        }
        if (close == null) {
            close = Names.suggest(name, others);
        }
        return (close == null ? "" : " (did you mean '" + close + "'?)")
                + "; a template " + verb + " another by its name in the run directory"
                + (others.isEmpty()
                        ? ", and there is no other template"
                        : ", and the others are named " + String.join(", ", others));
    }

    /** @return the last part of a file's path, or the path itself when it is none */
    private static String fileName(String path) {
        try {
            java.nio.file.Path f = java.nio.file.Path.of(path).getFileName();
            return f == null ? path : f.toString();
        } catch (java.nio.file.InvalidPathException e) {
            return path;
        }
    }

    /** @return the whole name that a failure says is unknown ({@code m.bb}, {@code xx}), or null for another failure */
    private static @Nullable String unknownName(PebbleException e, Source s, List<String> knownNames) {
        if (e instanceof RootAttributeNotFoundException r) {
            return r.getAttributeName();
        }
        if (e instanceof AttributeNotFoundException a) {
            return dottedName(a.getAttributeName(), e.getLineNumber(), s.text(), knownNames);
        }
        return null;
    }

    /** @return a copy of a model whose maps (the parameters' groups) may be changed without changing the model */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> copy(Map<String, Object> model) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        model.forEach((k, v) -> out.put(k, v instanceof Map<?, ?> m ? copy((Map<String, Object>) m) : v));
        return out;
    }

    /** Makes a dotted name stand for the number 1 in a model that {@link #copy} made, its groups maps. */
    @SuppressWarnings("unchecked")
    private static void assume(Map<String, Object> model, String name) {
        String[] parts = name.split("\\.", -1);
        Map<String, Object> group = model;
        for (int k = 0; k < parts.length - 1; k++) {
            Object next = group.get(parts[k]);
            if (!(next instanceof Map<?, ?>)) {
                next = new java.util.LinkedHashMap<String, Object>();
                group.put(parts[k], next);
            }
            group = (Map<String, Object>) next;
        }
        group.put(parts[parts.length - 1], 1.0);
    }

    /** Pebble's message when a function or macro that is called is nowhere to be found. */
    private static final java.util.regex.Pattern NO_MACRO =
            java.util.regex.Pattern.compile("Function or Macro \\[(\\w+)\\] does not exist");

    /**
     * @return the template a failure is in: the one Pebble names when it is another of the
     *     templates (one that {@code s} includes or imports, whose line the failure gives), else {@code s};
     *     also {@code s} when that template has no such line, or when the failure is a call of a
     *     function or macro that is not found and that line of the other template does not call it
     *     (Pebble names the top parent of an {@code {% extends %}} chain for a call in a child's block)
     */
    private Source where(PebbleException e, Source s) {
        String file = e.getFileName();
        if (file == null || file.equals(s.target())) {
            return s;
        }
        for (Source o : importable) {
            if (o.target().equals(file)) {
                Integer line = e.getLineNumber();
                String[] lines = o.text().split("\n", -1);
                if (line != null && line > lines.length) {
                    return s;
                }
                java.util.regex.Matcher m = NO_MACRO.matcher(String.valueOf(e.getPebbleMessage()));
                if (m.find()
                        && line != null
                        && line > 0
                        && !java.util.regex.Pattern.compile("\\b" + m.group(1) + "\\s*\\(")
                                .matcher(lines[line - 1])
                                .find()) {
                    return s;
                }
                return o;
            }
        }
        return s;
    }

    /**
     * @return the problem of a failure, named by the template it is in and at that template's line;
     *     when that is a template {@code s} includes or imports, the message says so
     */
    private TemplateException failure(PebbleException e, Source s, @Nullable List<String> knownNames) {
        Source in = where(e, s);
        TemplateException t = failureIn(e, in, knownNames);
        if (in.target().equals(s.target())) {
            return t;
        }
        return new TemplateException(
                t.template(),
                t.line(),
                t.column(),
                t.reason(),
                t.getMessage() + " (rendering template '" + s.displayName() + "')",
                e);
    }

    private static TemplateException failureIn(PebbleException thrown, Source s, @Nullable List<String> knownNames) {
        // a filter that failed inside an expression ({{ (x | int) + 1 }}) is wrapped by Pebble in
        // the expression's "Could not perform addition": the filter's own failure says why
        PebbleException e = thrown;
        for (Throwable c = thrown.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c instanceof FilterFailure f) {
                e = f;
                break;
            }
        }
        Integer line = e.getLineNumber();
        int[] open = unclosed(s.text());
        if (open != null && (line == null || line <= 0 || line >= open[0])) {
            // Pebble reports an unclosed tag or {{ at the end of the text; the mistake is where it opens
            String what = open[1] == 0
                    ? "'{{' that starts here has no '}}'"
                    : open[1] == 1
                            ? "'{%' that starts here has no '%}'"
                            : open[1] == 2
                                    ? "'{#' that starts here has no '#}'"
                                    : "{% " + BLOCKS.get(open[1] - 3) + " %} that starts here has no {% end"
                                            + BLOCKS.get(open[1] - 3) + " %}";
            String reason = "the " + what + " ("
                    + String.valueOf(e.getPebbleMessage() == null ? e.getMessage() : e.getPebbleMessage())
                            .strip() + ")"
                    + (open[1] <= 2
                            ? "; if it is the program's own text ({# in a shell's ${#arr[@]}), put it between"
                                    + " {% raw %} and {% endraw %}, which write what they hold as it is"
                            : "");
            return new TemplateException(
                    s.displayName(),
                    open[0],
                    reason,
                    "template '" + s.displayName() + "' line " + open[0] + ": " + reason,
                    e);
        }
        String message = describe(e, s, knownNames);
        String head = "template '" + s.displayName() + "'";
        String reason =
                message.substring(head.length()).replaceFirst("^ line \\d+", "").replaceFirst("^: ", "");
        int at = line == null || line < 0 ? 0 : line;
        int column = e instanceof FilterFailure f ? columnOf(s.text(), at, f.filter) : 0;
        if (column > 0) {
            message = head + " line " + at + " column " + column + ": " + reason;
        }
        return new TemplateException(s.displayName(), at, column, reason, message, e);
    }

    /**
     * @return the column (from 1) of the one use of this filter on the line, or 0 when the line
     *     uses it more than once or not at all
     */
    private static int columnOf(String text, int line, String filter) {
        String[] lines = text.split("\n", -1);
        if (line < 1 || line > lines.length) {
            return 0;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "\\|\\s*(" + java.util.regex.Pattern.quote(filter) + ")(?![A-Za-z0-9_])")
                .matcher(lines[line - 1]);
        if (!m.find()) {
            return 0;
        }
        int column = m.start(1) + 1;
        return m.find() ? 0 : column;
    }

    /** A failure inside a filter, which {@link ReportingFilter} gives the template's line and the filter's name. */
    private static final class FilterFailure extends PebbleException {
        private static final long serialVersionUID = 1L;

        /** The filter that failed. */
        final String filter;

        FilterFailure(@Nullable Throwable cause, String filter, String message, int line, String template) {
            super(cause, message, line, template);
            this.filter = filter;
        }
    }

    /**
     * A filter whose failure names it, with its input and arguments, at its template's line:
     * Pebble passes a Java exception of a filter ({@code abbreviate("x")} casting a text to a
     * number) on without the line.
     */
    private static final class ReportingFilter implements Filter {
        private final String name;
        private final Filter filter;

        ReportingFilter(String name, Filter filter) {
            this.name = name;
            this.filter = filter;
        }

        @Override
        public @Nullable List<String> getArgumentNames() {
            return filter.getArgumentNames();
        }

        @Override
        public @Nullable Object apply(
                @Nullable Object input,
                Map<String, Object> args,
                PebbleTemplate self,
                io.pebbletemplates.pebble.template.EvaluationContext context,
                int lineNumber) {
            Object out;
            try {
                out = filter.apply(input, args, self, context, lineNumber);
            } catch (PebbleException e) {
                if (e.getClass() != PebbleException.class) {
                    throw e; // one of Pebble's own kinds, or a FilterFailure: already at its line
                }
                String m = e.getPebbleMessage() == null ? String.valueOf(e.getMessage()) : e.getPebbleMessage();
                throw new FilterFailure(e, name, "filter '" + name + "': " + m, lineNumber, self.getName());
            } catch (RuntimeException e) {
                Map<String, Object> given = new TreeMap<>(args);
                given.remove("_self");
                given.remove("_context");
                throw new FilterFailure(
                        e,
                        name,
                        "filter '" + name + "' cannot use its input " + shown(input)
                                + (given.isEmpty() ? " without arguments" : " with the arguments " + shown(given))
                                + ": " + javaReason(e),
                        lineNumber,
                        self.getName());
            }
            // a number formatted into a text ({{ "%.6f" | format(x) }}, numberformat) is past Finite's look
            Object notFinite = out instanceof CharSequence ? notFinite(input, args) : null;
            if (notFinite != null) {
                throw new FilterFailure(
                        null,
                        name,
                        NOT_FINITE + ": filter '" + name + "' is given " + notFinite + " at these parameters"
                                + " (a division by zero?)",
                        lineNumber,
                        self.getName());
            }
            return out;
        }

        /** @return the first of the input and the arguments that is a number but not finite, or null */
        private static @Nullable Object notFinite(@Nullable Object input, Map<String, Object> args) {
            List<@Nullable Object> given = new ArrayList<>();
            given.add(input);
            given.addAll(args.values());
            for (Object v : given) {
                if (notFiniteNumber(v)) {
                    return v;
                }
            }
            return null;
        }
    }

    /** @return whether a value is a number that is not finite: NaN or an infinity */
    private static boolean notFiniteNumber(@Nullable Object v) {
        return (v instanceof Double d && !Double.isFinite(d)) || (v instanceof Float f && !Float.isFinite(f));
    }

    /** The rule a NaN or an infinity that a template would print breaks. */
    private static final String NOT_FINITE = "a number that is not finite is not written into the program's input";

    /** @return a value as a template writes it: texts in double quotes */
    private static String shown(@Nullable Object value) {
        if (value instanceof String t) {
            return '"' + t + '"';
        }
        if (value instanceof Map<?, ?> m) {
            List<String> parts = new ArrayList<>();
            m.forEach((k, v) -> parts.add(k + "=" + shown(v)));
            return "(" + String.join(", ", parts) + ")";
        }
        return String.valueOf(value);
    }

    /** @return why a filter failed, in a template's words rather than Java's */
    private static String javaReason(RuntimeException e) {
        if (e instanceof ClassCastException) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("class (\\S+) cannot be cast to class (\\S+)")
                    .matcher(String.valueOf(e.getMessage()));
            return m.find()
                    ? "it got " + kindOf(m.group(1)) + " where it needs " + kindOf(m.group(2))
                    : "it got a value of the wrong kind";
        }
        if (e instanceof NullPointerException) {
            return "a value it needs is missing";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? "it failed" : m;
    }

    /** @return the kind of value a Java class holds, for a template's author ("a number", "a text") */
    private static String kindOf(String javaClass) {
        String simple = javaClass.substring(javaClass.lastIndexOf('.') + 1);
        return switch (simple) {
            case "String", "Character", "CharSequence" -> "a text";
            case "Long", "Integer", "Short", "Byte", "Double", "Float", "Number", "BigDecimal", "BigInteger" ->
                "a number";
            case "Boolean" -> "true or false";
            case "Map", "HashMap", "LinkedHashMap", "TreeMap" -> "a map";
            case "List", "ArrayList", "Collection", "Iterable" -> "a list";
            default -> "another kind of value";
        };
    }

    /** Pebble's tags that take an end tag. */
    private static final List<String> BLOCKS = List.of(
            "if", "for", "block", "macro", "filter", "autoescape", "parallel", "cache", "embed", "verbatim", "raw");

    private static final java.util.regex.Pattern TAG = java.util.regex.Pattern.compile("\\{%-?\\s*(\\w+)");

    /**
     * Finds where a template opens something it never closes: a <code>{{</code>, <code>{%</code> or
     * <code>{#</code> without its end, or a block tag (<code>{% if %}</code>) without its end tag.
     * Written by hand because Pebble reports these at the end of the text, not where they open.
     *
     * @return {line, what}: what is 0 for {{, 1 for {%, 2 for {#, 3 + the index in BLOCKS for a
     *     block tag; null when everything is closed
     */
    static int @Nullable [] unclosed(String written) {
        String text = withoutVerbatim(written);
        String[][] pairs = {{"{{", "}}"}, {"{%", "%}"}, {"{#", "#}"}};
        for (int k = 0; k < pairs.length; k++) {
            for (int at = text.indexOf(pairs[k][0]); at >= 0; at = text.indexOf(pairs[k][0], at + 2)) {
                int close = text.indexOf(pairs[k][1], at + 2);
                // a {{ or {% opened again before it closes is not closed: the end after is the next one's
                int again = k < 2 ? text.indexOf(pairs[k][0], at + 2) : -1;
                if (close < 0 || again >= 0 && again < close) {
                    return new int[] {lineOf(text, at), k};
                }
            }
        }
        java.util.ArrayDeque<int[]> stack = new java.util.ArrayDeque<>();
        java.util.regex.Matcher m = TAG.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            int b = BLOCKS.indexOf(name);
            if (b >= 0) {
                stack.push(new int[] {lineOf(text, m.start()), 3 + b});
            } else if (name.startsWith("end")
                    && !stack.isEmpty()
                    && BLOCKS.get(stack.peek()[1] - 3).equals(name.substring(3))) {
                stack.pop();
            }
        }
        return stack.isEmpty() ? null : stack.peek();
    }

    /**
     * @return the whole dotted name the template wrote for an unknown attribute ({@code lj.epsiln}
     *     for {@code epsiln}), as found on its line; the attribute alone when it is not found there
     */
    private static String dottedName(
            String attribute, @Nullable Integer line, String text, @Nullable List<String> knownNames) {
        String[] lines = text.split("\n", -1);
        if (line == null || line < 1 || line > lines.length) {
            return attribute;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "(?<![\\w.])((?:[A-Za-z_]\\w*\\.)+" + java.util.regex.Pattern.quote(attribute) + ")(?!\\w)")
                .matcher(lines[line - 1]);
        while (m.find()) {
            // a name the template may use is not the unknown one (ar.epsilon beside an unknown kr.epsilon)
            if (knownNames == null || !knownNames.contains(m.group(1))) {
                return m.group(1);
            }
        }
        return attribute;
    }

    private static final java.util.regex.Pattern VERBATIM = java.util.regex.Pattern.compile(
            "(\\{%-?\\s*(verbatim|raw)\\s*-?%\\})(.*?)(\\{%-?\\s*end\\2\\s*-?%\\})", java.util.regex.Pattern.DOTALL);

    /**
     * @return the text with what its verbatim blocks hold blanked out, line ends kept: a
     *     <code>{{</code> there is text, not a tag
     */
    private static String withoutVerbatim(String text) {
        java.util.regex.Matcher m = VERBATIM.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        while (m.find()) {
            out.append(text, at, m.start(3));
            for (int i = m.start(3); i < m.end(3); i++) {
                out.append(text.charAt(i) == '\n' ? '\n' : ' ');
            }
            at = m.end(3);
        }
        return out.append(text, at, text.length()).toString();
    }

    private static int lineOf(String text, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static String describe(PebbleException e, Source s, @Nullable List<String> knownNames) {
        Integer line = e.getLineNumber();
        StringBuilder sb =
                new StringBuilder("template '").append(s.displayName()).append('\'');
        if (line != null && line > 0) {
            sb.append(" line ").append(line);
        }
        if (e instanceof RootAttributeNotFoundException r) {
            sb.append(": unknown parameter or variable '")
                    .append(r.getAttributeName())
                    .append('\'')
                    .append(didYouMean(r.getAttributeName(), knownNames));
        } else if (e instanceof AttributeNotFoundException a) {
            String name = dottedName(a.getAttributeName(), line, s.text(), knownNames);
            sb.append(": unknown parameter '").append(name).append('\'').append(didYouMean(name, knownNames));
        } else {
            String m = e.getPebbleMessage() == null ? e.getMessage() : e.getPebbleMessage();
            sb.append(": ").append(m);
        }
        if (line != null && line > 0) {
            String[] lines = s.text().split("\n", -1);
            if (line <= lines.length && !lines[line - 1].isBlank()) {
                sb.append(" in `").append(lines[line - 1].strip()).append('`');
            }
        }
        if (knownNames != null && (e instanceof AttributeNotFoundException)) {
            sb.append("; known names: ").append(String.join(", ", knownNames));
        }
        if (line != null && line > 0) {
            String[] lines = s.text().split("\n", -1);
            if (line <= lines.length) {
                sb.append(bracketHint(lines[line - 1], knownNames));
                if (e instanceof io.pebbletemplates.pebble.error.ParserException) {
                    sb.append(pairLoopHint(lines[line - 1]));
                    String l = lines[line - 1];
                    sb.append(jinjaOnlyHint(l));
                    if (pairLoopHint(l).isEmpty()
                            && jinjaOnlyHint(l).isEmpty()
                            && OWN_BRACES.matcher(l).find()) {
                        // a program's own braces ({{"E": ...}} in Python's text, ${#arr[@]} in a shell)
                        sb.append("; if that '{{', '{%' or '{#' is the program's own text, not a tag, put it between"
                                + " {% raw %} and {% endraw %}, which write what they hold as it is");
                    }
                }
                if (PERCENT_FORMAT.matcher(lines[line - 1]).find()) {
                    // Jinja's and Python's "%.4f" % x: in these templates % is the remainder of numbers
                    sb.append("; '%' is the remainder of a division here, not string formatting: write"
                            + " {{ \"%.4f\" | format(x) }}");
                }
            }
        }
        return sb.toString();
    }

    /**
     * Braces that look like a program's own text rather than a tag: a map or format text written
     * in a script (<code>{{"E": {}}}</code>, <code>{{{</code>), or a comment's opening.
     */
    private static final java.util.regex.Pattern OWN_BRACES =
            java.util.regex.Pattern.compile("\\{\\{\\s*[\"'][^\"']*[\"']\\s*:|\\{\\{\\s*[{}:]|}}}|\\{#");

    /**
     * @param written a template's line that does not compile
     * @return how these templates write what Jinja writes otherwise, for the spellings that Pebble
     *     does not read: {@code elif}, {@code //}, {@code **}; else ""
     */
    static String jinjaOnlyHint(String written) {
        String text = written.replaceAll("\"[^\"]*\"|'[^']*'", "\"\""); // what quoted texts hold is text
        if (java.util.regex.Pattern.compile("\\{%-?\\s*elif\\b").matcher(text).find()) {
            return "; these templates write Jinja's elif as elseif: {% elseif ... %}";
        }
        java.util.regex.Matcher op = java.util.regex.Pattern.compile("(\\{\\{|\\{%)[^}]*?(//|\\*\\*)")
                .matcher(text);
        if (op.find()) {
            return op.group(2).equals("//")
                    ? "; these templates have no //: the whole part of a quotient is (a / b) | int (toward"
                            + " zero: for a negative quotient // rounds down, one less)"
                    : "; these templates have no **: write a power as a product (x * x), or compute it in the"
                            + " program";
        }
        return "";
    }

    /** A quoted text holding a '%' followed by the '%' operator: Python's string formatting. */
    private static final java.util.regex.Pattern PERCENT_FORMAT =
            java.util.regex.Pattern.compile("[\"'][^\"']*%[^\"']*[\"']\\s*%");

    /** Jinja's loop over a map's keys and values, which Pebble does not read. */
    private static final java.util.regex.Pattern PAIR_LOOP = java.util.regex.Pattern.compile(
            "\\{%-?\\s*for\\s+([A-Za-z_]\\w*)\\s*,\\s*([A-Za-z_]\\w*)\\s+in\\s+(.+?)\\s*-?%\\}");

    /**
     * @param text a template's line that does not compile
     * @return how Pebble loops over a map's entries, when the line loops over two names as Jinja
     *     does ({@code {% for k, v in m %}}), else ""
     */
    static String pairLoopHint(String text) {
        java.util.regex.Matcher m = PAIR_LOOP.matcher(text);
        if (!m.find()) {
            return "";
        }
        return "; Pebble's for takes one name: loop over the map's entries and read each one's key and value,"
                + " as in {% for e in " + m.group(3) + " %}{{ e.key }} {{ e.value }}{% endfor %}";
    }

    /**
     * @param text a template's line whose expression failed
     * @param knownNames the names a template may use
     * @return {@code "; parameter 'm.B-x' has a '-' in its name: write {{ m["B-x"] }}"} for each
     *     known name the line writes with a dot whose last part is not a name the template
     *     language reads as one (a '-' reads as a subtraction), else ""
     */
    static String bracketHint(String text, @Nullable List<String> knownNames) {
        if (knownNames == null) {
            return "";
        }
        String written = text.replaceAll("\\s+", "");
        StringBuilder sb = new StringBuilder();
        for (String name : knownNames) {
            int dot = name.lastIndexOf('.');
            String last = name.substring(dot + 1);
            java.util.regex.Matcher bad =
                    java.util.regex.Pattern.compile("[^A-Za-z0-9_]").matcher(last);
            if (dot <= 0 || !bad.find() || !written.contains(name)) {
                continue;
            }
            sb.append("; parameter '")
                    .append(name)
                    .append("' has a '")
                    .append(bad.group())
                    .append("' in its name: write {{ ")
                    .append(name, 0, dot)
                    .append("[\"")
                    .append(last)
                    .append("\"] }}");
        }
        return sb.toString();
    }

    /** @return " (did you mean 'x'?)" when a known name is close to the unknown one, else "" */
    private static String didYouMean(String name, @Nullable List<String> knownNames) {
        if (knownNames != null && knownNames.contains(name)) {
            return " (the job has it, but a macro sees only its arguments, and what it includes too)";
        }
        String close = knownNames == null ? null : Names.suggest(name, knownNames);
        return close == null ? "" : " (did you mean '" + close + "'?)";
    }

    /**
     * @param node a print of a template's tree
     * @return what it prints, as written (a print's expression is wrapped in a {@link Finite} once
     *     the template is parsed)
     */
    static Expression<?> printed(PrintNode node) {
        return node.getExpression() instanceof Finite f ? f.inner : node.getExpression();
    }

    /**
     * What a <code>{{ }}</code> prints, refused when it is a number that is not finite: a NaN or an
     * infinity that a template's arithmetic gives at some parameters ({@code 1 / (x - 3)} at x = 3)
     * would reach the program's input as {@code NaN} or {@code Infinity}, which one program refuses
     * with a message of its own and another reads as a number, so the run fails here, at the
     * template's line, before the file is written.
     */
    private static final class Finite implements Expression<Object> {
        private final Expression<?> inner;

        Finite(Expression<?> inner) {
            this.inner = inner;
        }

        @Override
        public @Nullable Object evaluate(PebbleTemplateImpl self, EvaluationContextImpl context) {
            Object v = inner.evaluate(self, context);
            if (notFiniteNumber(v)) {
                throw new PebbleException(
                        null,
                        NOT_FINITE + ": this prints " + v + " at these parameters (a division by zero?)",
                        inner.getLineNumber(),
                        self.getName());
            }
            if (v instanceof Map<?, ?> m) {
                throw new PebbleException(
                        null,
                        "a template prints numbers and texts, not a map: this prints {"
                                + String.join(
                                        ", ",
                                        m.entrySet().stream()
                                                .map(e -> e.getKey() + ": " + e.getValue())
                                                .toList())
                                + "}"
                                + " (a group of parameters or a variable's map: print one of its keys)",
                        inner.getLineNumber(),
                        self.getName());
            }
            return v;
        }

        @Override
        public int getLineNumber() {
            return inner.getLineNumber();
        }

        @Override
        public void accept(io.pebbletemplates.pebble.extension.NodeVisitor visitor) {
            inner.accept(visitor);
        }
    }

    /**
     * Division that loses no digits: Pebble's {@code /} of two whole numbers is Java's, which cuts
     * the fraction off ({@code 25 / 2} is 12), where Jinja's gives 12.5. Here a quotient of whole
     * numbers that is whole stays one ({@code steps / 2} is 500, not 500.0, for a program that wants
     * a whole number of steps), and another is the exact double ({@code 25 / 2} is 12.5); a whole
     * number divided by 0 fails at the template's line with the numbers. Any other division is
     * Pebble's.
     */
    static final class WholeNumberDivision extends io.pebbletemplates.pebble.node.expression.BinaryExpression<Object> {
        @Override
        public @Nullable Object evaluate(PebbleTemplateImpl self, EvaluationContextImpl context) {
            Object a = getLeftExpression().evaluate(self, context);
            Object b = getRightExpression().evaluate(self, context);
            if (whole(a) && whole(b)) {
                long x = ((Number) a).longValue();
                long y = ((Number) b).longValue();
                if (y == 0) {
                    throw new PebbleException(
                            null,
                            "division by zero: " + x + " / " + y + " (whole numbers)",
                            getLineNumber(),
                            self.getName());
                }
                if (x % y != 0) {
                    return (double) x / (double) y;
                }
            }
            try {
                return io.pebbletemplates.pebble.utils.OperatorUtils.divide(a, b);
            } catch (RuntimeException e) {
                throw new PebbleException(e, "Could not perform division", getLineNumber(), self.getName());
            }
        }

        private static boolean whole(@Nullable Object v) {
            return v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte;
        }
    }

    /**
     * Pebble's remainder, {@code %}, but a whole number's remainder by 0 fails at the template's
     * line with the numbers, where Pebble says only "Could not perform greater modulus".
     */
    static final class WholeNumberRemainder extends io.pebbletemplates.pebble.node.expression.BinaryExpression<Object> {
        @Override
        public @Nullable Object evaluate(PebbleTemplateImpl self, EvaluationContextImpl context) {
            Object a = getLeftExpression().evaluate(self, context);
            Object b = getRightExpression().evaluate(self, context);
            if (WholeNumberDivision.whole(a) && WholeNumberDivision.whole(b) && ((Number) b).longValue() == 0) {
                throw new PebbleException(
                        null,
                        "division by zero: " + ((Number) a).longValue() + " % 0 (the remainder of whole numbers)",
                        getLineNumber(),
                        self.getName());
            }
            try {
                return io.pebbletemplates.pebble.utils.OperatorUtils.mod(a, b);
            } catch (RuntimeException e) {
                throw new PebbleException(e, "Could not perform greater modulus", getLineNumber(), self.getName());
            }
        }
    }

    /**
     * Jinja's {@code int} filter (Pebble has none): a number's whole part, toward zero ({@code
     * (steps / 3) | int} is 333 for 1000 steps, as Pebble's own division of whole numbers gave),
     * a text read as a number first ({@code "3.7" | int} is 3).
     */
    private static final class IntFilter implements Filter {
        @Override
        public @Nullable List<String> getArgumentNames() {
            return List.of();
        }

        @Override
        public @Nullable Object apply(
                @Nullable Object input,
                Map<String, Object> args,
                PebbleTemplate self,
                io.pebbletemplates.pebble.template.EvaluationContext context,
                int lineNumber) {
            if (input instanceof Long || input instanceof Integer || input instanceof Short || input instanceof Byte) {
                return ((Number) input).longValue();
            }
            double d = input instanceof Number n
                    ? n.doubleValue()
                    : input instanceof CharSequence t
                            ? Double.parseDouble(t.toString().strip())
                            : Double.NaN;
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("int takes a finite number or a text that is one");
            }
            if (!(Math.abs(d) < 0x1p63)) {
                throw new IllegalArgumentException(
                        "its whole part is beyond the whole numbers these templates compute with (at most"
                                + " 9223372036854775807 in size)");
            }
            return (long) d;
        }
    }

    /** Jinja's {@code float} filter (Pebble has none): a number as a double, a text read as one. */
    private static final class FloatFilter implements Filter {
        @Override
        public @Nullable List<String> getArgumentNames() {
            return List.of();
        }

        @Override
        public @Nullable Object apply(
                @Nullable Object input,
                Map<String, Object> args,
                PebbleTemplate self,
                io.pebbletemplates.pebble.template.EvaluationContext context,
                int lineNumber) {
            if (input instanceof Number n) {
                return n.doubleValue();
            }
            if (input instanceof CharSequence t) {
                return Double.parseDouble(t.toString().strip());
            }
            throw new IllegalArgumentException("float takes a number or a text that is one");
        }
    }

    /**
     * Jinja's {@code round(precision=0, method='common')} filter (Pebble has none): a double
     * rounded to {@code precision} decimals (negative: tens, hundreds), from its exact binary value
     * as Python's {@code round} does ({@code 2.675 | round(2)} is 2.67, {@code 2.5 | round} is 2.0,
     * half to even), or up ({@code 'ceil'}) or down ({@code 'floor'}); a whole number stays as it is.
     */
    private static final class RoundFilter implements Filter {
        @Override
        public @Nullable List<String> getArgumentNames() {
            return List.of("precision", "method");
        }

        @Override
        public @Nullable Object apply(
                @Nullable Object input,
                Map<String, Object> args,
                PebbleTemplate self,
                io.pebbletemplates.pebble.template.EvaluationContext context,
                int lineNumber) {
            Object p = args.get("precision");
            Object method = args.get("method");
            java.math.RoundingMode mode = method == null || method.equals("common")
                    ? java.math.RoundingMode.HALF_EVEN
                    : method.equals("ceil")
                            ? java.math.RoundingMode.CEILING
                            : method.equals("floor") ? java.math.RoundingMode.FLOOR : null;
            if (mode == null) {
                throw new IllegalArgumentException(
                        "its method must be 'common', 'ceil' or 'floor', got '" + method + "'");
            }
            if (p != null && !(p instanceof Long || p instanceof Integer)) {
                throw new IllegalArgumentException("its precision must be a whole number of decimals, got " + p);
            }
            if (input instanceof Long || input instanceof Integer || input instanceof Short || input instanceof Byte) {
                return input;
            }
            if (!(input instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                throw new IllegalArgumentException("round takes a finite number");
            }
            int digits = p == null ? 0 : ((Number) p).intValue();
            return new java.math.BigDecimal(n.doubleValue())
                    .setScale(digits, mode)
                    .doubleValue();
        }
    }

    /** Jinja's {@code "%.3f" | format(x, ...)} filter (Pebble has none of that name). */
    private static final class FormatFilter implements Filter {
        @Override
        public @Nullable List<String> getArgumentNames() {
            return null;
        }

        @Override
        public @Nullable Object apply(
                @Nullable Object input,
                Map<String, Object> args,
                PebbleTemplate self,
                io.pebbletemplates.pebble.template.EvaluationContext context,
                int lineNumber) {
            if (input == null) {
                return null;
            }
            TreeMap<Integer, Object> positional = new TreeMap<>();
            for (Map.Entry<String, Object> e : args.entrySet()) {
                try {
                    positional.put(Integer.parseInt(e.getKey()), e.getValue());
                } catch (NumberFormatException ignored) {
                    // named arguments are not part of Jinja's format filter
                }
            }
            Object[] given = new ArrayList<>(positional.values()).toArray();
            // Numbers are given to each conversion as Python's % operator (what Jinja's format is)
            // takes them: %d cuts a number to its whole part ('%d' % 1.05 is '1'), so that a start
            // that is whole and a step that is not render alike; %f and %e take a whole number too
            // ('%.1f' % 300 is '300.0', where Java refuses a Long) and round the double's exact
            // binary value, half to even on an exact tie, as C's printf does ('%.6f' % 0.0103135 is
            // 0.010313, where Java's %f rounds the shortest decimal, 0.0103135, up); %g is C's,
            // trailing zeros removed ('%g' % 0.0103 is '0.0103', Java's '0.0103000'); %s of a
            // double is Python's str (1e-05, not Java's 1.0E-5). Each conversion gets a value of
            // its own, written for it, and names it by its place (%3$.2f), so that a value used
            // twice (%1$s %1$.2f) is written for each use.
            String format = input.toString();
            java.util.regex.Matcher spec = SPECIFIER.matcher(format);
            StringBuilder rewritten = new StringBuilder();
            List<@Nullable Object> values = new ArrayList<>();
            int at = 0;
            int next = 0;
            int last = -1;
            while (spec.find()) {
                String conversion = spec.group(5);
                if (conversion.equals("%") || conversion.equals("n")) {
                    continue;
                }
                // %2$d takes the second value, %<d the one before it took, else the next one
                int i = spec.group(1) != null
                        ? Integer.parseInt(spec.group(1)) - 1
                        : spec.group(2).contains("<") ? last : next++;
                last = i;
                if (i < 0 || i >= given.length) {
                    throw new FilterFailure(
                            null,
                            "format",
                            "format '" + input + "' does not fit the values " + java.util.Arrays.toString(given)
                                    + ": no value is given for " + spec.group(),
                            lineNumber,
                            self.getName());
                }
                // Python reads %0.2f and %-08.2f, where Java refuses a 0 without a width or beside a
                // -, and a space beside a +: those flags do nothing there
                String flags = spec.group(2).replace("<", "");
                if (spec.group(3).isEmpty() || flags.contains("-")) {
                    flags = flags.replace("0", "");
                }
                if (flags.contains("+")) {
                    flags = flags.replace(" ", "");
                }
                String width = spec.group(3);
                String precision = spec.group(4);
                Object written = given[i];
                String conversionWritten = conversion;
                if (written instanceof Number n
                        && !(written instanceof java.math.BigDecimal)
                        && Double.isFinite(n.doubleValue())) {
                    double d = n.doubleValue();
                    boolean whole = written instanceof Long
                            || written instanceof Integer
                            || written instanceof Short
                            || written instanceof Byte;
                    switch (conversion) {
                        case "d" -> {
                            if (!whole) {
                                written = Math.abs(d) < 0x1p63
                                        ? (Object) (long) d
                                        : new java.math.BigDecimal(d).toBigInteger();
                            }
                        }
                        case "f", "e", "E" -> {
                            if (d != 0 || whole) { // Java writes 0 and -0 as C does
                                java.math.BigDecimal exact = whole
                                        ? java.math.BigDecimal.valueOf(n.longValue())
                                        : new java.math.BigDecimal(d);
                                int p = precision == null ? 6 : Integer.parseInt(precision);
                                // rounded here, half to even; Java's rounding of the result then keeps it
                                exact = conversion.equals("f")
                                        ? exact.setScale(p, java.math.RoundingMode.HALF_EVEN)
                                        : exact.signum() == 0
                                                ? exact
                                                : exact.round(new java.math.MathContext(
                                                        p + 1, java.math.RoundingMode.HALF_EVEN));
                                // a negative number that rounds to 0 keeps its sign, as C's -0.00
                                written = exact.signum() == 0 && d < 0 ? (Object) (-0.0) : exact;
                            }
                        }
                        case "g", "G" -> {
                            written = cStyleG(d, flags, width, precision, conversion.equals("G"));
                            conversionWritten = "s";
                            flags = "";
                            width = "";
                            precision = null;
                        }
                        case "s", "S" -> {
                            if (written instanceof Double) {
                                String t = org.chemfit.support.DecimalText.of(d);
                                written = t.matches("-?[0-9]+") ? t + ".0" : t; // Python's str(100000.0)
                            }
                        }
                        default -> {
                            // %x and the others: as Java gives them
                        }
                    }
                }
                values.add(written);
                rewritten
                        .append(format, at, spec.start())
                        .append('%')
                        .append(values.size())
                        .append('$')
                        .append(flags)
                        .append(width)
                        .append(precision == null ? "" : "." + precision)
                        .append(conversionWritten);
                at = spec.end();
            }
            rewritten.append(format, at, format.length());
            try {
                return String.format(Locale.ROOT, rewritten.toString(), values.toArray());
            } catch (java.util.IllegalFormatException e) {
                throw new FilterFailure(
                        e,
                        "format",
                        "format '" + input + "' does not fit the values " + java.util.Arrays.toString(given) + ": "
                                + formatReason(e),
                        lineNumber,
                        self.getName());
            }
        }
    }

    /**
     * A conversion of a format: its explicit argument index (1-based, or none), its flags, its
     * letter, its width and its precision (groups 1 to 5).
     */
    private static final java.util.regex.Pattern SPECIFIER =
            java.util.regex.Pattern.compile("%(?:(\\d+)\\$)?([-#+ 0,(<]*)(\\d*)(?:\\.(\\d+))?([a-zA-Z%])");

    /**
     * C's (and Python's) {@code %g}: {@code p} significant digits (6 when not given, 1 for 0), in
     * the {@code %e} form when the exponent of the rounded value is below -4 or at least {@code p},
     * else the {@code %f} form, and without trailing zeros unless the flag {@code #} is given;
     * Java's {@code %g} keeps them, and rounds half up. Written by hand because neither Java's
     * formatter nor a library this project uses prints C's {@code %g}.
     *
     * @param v a finite number
     * @param flags the conversion's flags ({@code -}, {@code +}, space, {@code 0}, {@code #})
     * @param width its width, or "" for none
     * @param precision its precision, or null for none
     * @param upper whether it is {@code %G}
     * @return the text the conversion writes
     */
    static String cStyleG(double v, String flags, @Nullable String width, @Nullable String precision, boolean upper) {
        int p = precision == null ? 6 : Math.max(1, Integer.parseInt(precision));
        java.math.BigDecimal exact = new java.math.BigDecimal(Math.abs(v));
        String body;
        if (exact.signum() == 0) {
            body = flags.contains("#") ? "0." + "0".repeat(p - 1) : "0";
        } else {
            java.math.BigDecimal rounded = exact.round(new java.math.MathContext(p, java.math.RoundingMode.HALF_EVEN));
            int x = rounded.precision() - rounded.scale() - 1; // the exponent of the rounded value
            if (x < -4 || x >= p) {
                java.math.BigDecimal mantissa = rounded.movePointLeft(x);
                String m = mantissa.setScale(p - 1, java.math.RoundingMode.HALF_EVEN)
                        .toPlainString();
                if (!flags.contains("#")) {
                    m = stripZeros(m);
                } else if (!m.contains(".")) {
                    m = m + "."; // C's # keeps the point: 5.e+05
                }
                body = m + (upper ? "E" : "e") + (x < 0 ? "-" : "+") + (Math.abs(x) < 10 ? "0" : "") + Math.abs(x);
            } else {
                String f = rounded.setScale(Math.max(0, p - 1 - x), java.math.RoundingMode.HALF_EVEN)
                        .toPlainString();
                body = flags.contains("#") ? (f.contains(".") ? f : f + ".") : stripZeros(f);
            }
        }
        String sign = v < 0 || v == 0 && 1 / v < 0 ? "-" : flags.contains("+") ? "+" : flags.contains(" ") ? " " : "";
        int w = width == null || width.isEmpty() ? 0 : Integer.parseInt(width);
        int pad = w - sign.length() - body.length();
        if (pad <= 0) {
            return sign + body;
        }
        if (flags.contains("-")) {
            return sign + body + " ".repeat(pad);
        }
        return flags.contains("0") ? sign + "0".repeat(pad) + body : " ".repeat(pad) + sign + body;
    }

    private static String stripZeros(String decimal) {
        if (!decimal.contains(".")) {
            return decimal;
        }
        String s = decimal.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** @return what is wrong with a format and its values, in the words of a format's author */
    private static String formatReason(java.util.IllegalFormatException e) {
        if (e instanceof java.util.UnknownFormatConversionException u) {
            return "'%" + u.getConversion() + "' is not a conversion (%f, %e, %g, %d and %s are)";
        }
        if (e instanceof java.util.IllegalFormatConversionException c) {
            return "%" + c.getConversion() + " cannot format "
                    + kindOf(c.getArgumentClass().getName());
        }
        if (e instanceof java.util.MissingFormatArgumentException m) {
            return "no value is given for " + m.getFormatSpecifier();
        }
        String m = e.getMessage();
        return m == null ? "the format is malformed" : m;
    }
}

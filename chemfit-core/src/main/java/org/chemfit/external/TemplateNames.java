package org.chemfit.external;

import io.pebbletemplates.pebble.node.ArgumentsNode;
import io.pebbletemplates.pebble.node.AutoEscapeNode;
import io.pebbletemplates.pebble.node.BlockNode;
import io.pebbletemplates.pebble.node.BodyNode;
import io.pebbletemplates.pebble.node.ExtendsNode;
import io.pebbletemplates.pebble.node.FlushNode;
import io.pebbletemplates.pebble.node.ForNode;
import io.pebbletemplates.pebble.node.FromNode;
import io.pebbletemplates.pebble.node.IfNode;
import io.pebbletemplates.pebble.node.ImportNode;
import io.pebbletemplates.pebble.node.IncludeNode;
import io.pebbletemplates.pebble.node.MacroNode;
import io.pebbletemplates.pebble.node.NamedArgumentNode;
import io.pebbletemplates.pebble.node.Node;
import io.pebbletemplates.pebble.node.ParallelNode;
import io.pebbletemplates.pebble.node.PositionalArgumentNode;
import io.pebbletemplates.pebble.node.PrintNode;
import io.pebbletemplates.pebble.node.RootNode;
import io.pebbletemplates.pebble.node.SetNode;
import io.pebbletemplates.pebble.node.TestInvocationExpression;
import io.pebbletemplates.pebble.node.TextNode;
import io.pebbletemplates.pebble.node.expression.ArrayExpression;
import io.pebbletemplates.pebble.node.expression.BinaryExpression;
import io.pebbletemplates.pebble.node.expression.ContextVariableExpression;
import io.pebbletemplates.pebble.node.expression.Expression;
import io.pebbletemplates.pebble.node.expression.FilterExpression;
import io.pebbletemplates.pebble.node.expression.FilterInvocationExpression;
import io.pebbletemplates.pebble.node.expression.FunctionOrMacroInvocationExpression;
import io.pebbletemplates.pebble.node.expression.GetAttributeExpression;
import io.pebbletemplates.pebble.node.expression.LiteralStringExpression;
import io.pebbletemplates.pebble.node.expression.MapExpression;
import io.pebbletemplates.pebble.node.expression.PositiveTestExpression;
import io.pebbletemplates.pebble.node.expression.RenderableNodeExpression;
import io.pebbletemplates.pebble.node.expression.TernaryExpression;
import io.pebbletemplates.pebble.node.expression.UnaryExpression;
import io.pebbletemplates.pebble.utils.Pair;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Finds, without rendering, every name a parsed template refers to that the model does not hold:
 * in every branch of every {@code if}, in every loop's body and in its {@code else}, in filters'
 * and functions' arguments. A name the template defines itself is not one: what a
 * {@code {% set %}} names (from that tag on), a loop's variable and {@code loop} inside the loop,
 * a macro's arguments inside the macro, and the names Pebble gives every template
 * ({@code _context}, {@code locale}, {@code template}). A name tested with {@code is defined}
 * (there and from the test on) or given a {@code default} is not one either, as Pebble lets those
 * be missing. A function or a macro that is called must be Pebble's or one the template defines
 * or imports: {@code {% import "lib.tmpl" %}} of another of the templates (by its name in the run
 * directory) brings in that template's macros, and {@code {% from "lib.tmpl" import pair as p %}}
 * the macros it names (under their aliases), each of which the template it names must define (as
 * Pebble compiled it): a name it does not is reported at the tag's line, and so is an import of a
 * template that is none of them; when an import's template cannot be read from the tree (not
 * named by a quoted text, or one of them that is empty), no function or macro is reported; in a
 * template that imports, a name that is only called ({@code lib.pair(1)}) is not reported, as the
 * tree does not tell an import's alias. A template that extends another knows the macros of its
 * parents and those they import, each parent's name taken from the template that names it. A loop keeps one scope across its passes, so a
 * name set anywhere in its body is known in all of it. A macro sees only its arguments and the
 * names it sets, as Pebble gives it no other (a parameter used in a macro is its own problem, with
 * the macro's name). An attribute is
 * looked up only in the model's maps (the parameters' groups) and only when it is written as a
 * name or a quoted text ({@code m.a}, {@code m["B-x"]}); what an index, a computed key or a
 * method call reaches is left to the rendering.
 */
final class TemplateNames {

    /**
     * A name the template refers to that the model does not hold, at the line that first does.
     *
     * @param name the name ({@code m.zzz}, {@code q}, or a function's)
     * @param line the line (from 1)
     * @param root whether it is a whole name ({@code q}) rather than one under a group ({@code m.zzz})
     * @param function whether it is called as a function or a macro that neither Pebble nor the
     *     template defines
     * @param macro the macro whose body uses a name that only its caller sees, else null
     * @param from the template that a {@code {% from %}} tag imports the macro {@code name} from, and
     *     that does not define it, as the tag names it, else null
     * @param tag the tag ({@code import}, {@code include}, {@code extends}) that names the template
     *     {@code name}, which is none of the templates ({@code from} is said as {@code import}), else null
     */
    record Unknown(
            String name,
            int line,
            boolean root,
            boolean function,
            @Nullable String macro,
            @Nullable String from,
            @Nullable String tag) {}

    /** What Pebble puts in every template's context. */
    private static final Set<String> GIVEN = Set.of("_context", "locale", "template");

    private final Map<String, Object> model;
    /** Names the template's {@code set} tags define, from the tag on (a macro's own, in its body). */
    private Set<String> assigned = new HashSet<>();
    /** Dotted names the template tests with {@code is defined}, from the test on. */
    private Set<String> tested = new HashSet<>();
    /** The macro whose body is walked, else null. */
    private @Nullable String inMacro;
    /** Names the template sets outside macros, which a macro does not see. */
    private final Set<String> outside = new HashSet<>();
    /** Whether an import's template or names cannot be read from the tree: calls are not checked. */
    private boolean openImports;
    /** Whether the template imports: a name called as {@code lib.pair(1)} may be an alias the tree hides. */
    private boolean imports;

    private final List<Unknown> found = new ArrayList<>();

    /** Whether Pebble has a function of a name. */
    private final java.util.function.Predicate<String> functions;
    /** The macros the template defines, wherever it defines them. */
    private final Set<String> macros = new HashSet<>();
    /** The functions and macros the template calls, each with the line of its first call. */
    private final Map<String, Integer> called = new java.util.LinkedHashMap<>();

    private TemplateNames(Map<String, Object> model, java.util.function.Predicate<String> functions) {
        this.model = model;
        this.functions = functions;
    }

    /**
     * @param tree a parsed template
     * @param model what the template will see: variables, parameters' groups as maps
     * @param functions whether Pebble has a function of a name ({@code range}, {@code max})
     * @param self the template's name in the run directory
     * @param named the name in the run directory of the template that an import's name
     *     ({@code lib.tmpl}, {@code ./lib.tmpl}) stands for in a template (by its name in the run
     *     directory), or null when it is none of the templates
     * @param others the templates parsed, by their names in the run directory, whose macros an
     *     import brings in
     * @param hasMacro whether Pebble compiled a template (by its name in the run directory) with a
     *     macro (by name): what a {@code {% from %}} tag asks of the template it names when it is
     *     rendered
     * @return each unknown name once, in the order the template writes them, then each function
     *     or macro that is called and that neither Pebble nor the template defines; a name under
     *     one already found ({@code q.b} after {@code q}) is not found again
     */
    static List<Unknown> of(
            RootNode tree,
            Map<String, Object> model,
            java.util.function.Predicate<String> functions,
            String self,
            java.util.function.BiFunction<String, String, @Nullable String> named,
            Map<String, RootNode> others,
            java.util.function.BiPredicate<String, String> hasMacro) {
        TemplateNames walk = new TemplateNames(model, functions);
        List<Node> imports = new ArrayList<>();
        tags(tree.getBody(), n -> n instanceof ImportNode || n instanceof FromNode, true, imports);
        walk.imports = !imports.isEmpty();
        Set<String> missing = new HashSet<>();
        for (Node n : imports) {
            if (n instanceof FromNode f) {
                From from = from(f);
                String target = from == null ? null : named.apply(self, from.template());
                if (from != null && target == null && missing.add(from.template())) {
                    walk.found.add(new Unknown(from.template(), f.getLineNumber(), true, false, null, null, "import"));
                }
                RootNode imported = target == null ? null : others.get(target);
                if (from == null || target == null || imported == null) {
                    walk.openImports = true; // a template the tree does not tell, or not one of them
                    continue;
                }
                for (Named m : from.names()) {
                    walk.macros.add(m.alias()); // its calls are the tag's mistake, said once, here
                    if (!hasMacro.test(target, m.macro())) {
                        walk.found.add(
                                new Unknown(m.macro(), f.getLineNumber(), true, false, null, from.template(), null));
                    }
                }
                continue;
            }
            ImportNode i = (ImportNode) n;
            String name = i.getImportExpression() instanceof LiteralStringExpression text ? text.getValue() : null;
            String target = name == null ? null : named.apply(self, name);
            if (name != null && target == null && missing.add(name)) {
                walk.found.add(new Unknown(name, i.getLineNumber(), true, false, null, null, "import"));
            }
            RootNode imported = target == null ? null : others.get(target);
            if (imported == null) {
                walk.openImports = true;
                continue;
            }
            walk.macros.addAll(macros(imported));
        }
        // an include or extends of a quoted name that is none of the templates, as an import's
        List<Node> includes = new ArrayList<>();
        tags(tree.getBody(), n -> n instanceof IncludeNode || n instanceof ExtendsNode, true, includes);
        List<Node> outsideMacros = new ArrayList<>();
        tags(tree.getBody(), n -> n instanceof IncludeNode || n instanceof ExtendsNode, false, outsideMacros);
        for (Node n : includes) {
            Expression<?> e =
                    n instanceof IncludeNode i ? i.getIncludeExpression() : ((ExtendsNode) n).getParentExpression();
            // in a macro, a name from ./ or ../ is found from the folder of the template that calls the
            // macro, which may import it from another folder: rendering tells
            boolean relativeInMacro = e instanceof LiteralStringExpression text
                    && (text.getValue().startsWith("./") || text.getValue().startsWith("../"))
                    && outsideMacros.stream().noneMatch(o -> o == n);
            if (!relativeInMacro
                    && e instanceof LiteralStringExpression text
                    && named.apply(self, text.getValue()) == null
                    && missing.add(text.getValue())) {
                walk.found.add(new Unknown(
                        text.getValue(),
                        ((io.pebbletemplates.pebble.node.AbstractRenderableNode) n).getLineNumber(),
                        true,
                        false,
                        null,
                        null,
                        n instanceof IncludeNode ? "include" : "extends"));
            }
        }
        // a template that extends another calls the macros of its parents too, and those its
        // parents import, as Pebble finds them; each parent's name is taken from the template naming it
        RootNode child = tree;
        String childName = self;
        Set<String> seen = new HashSet<>(Set.of(self));
        while (child != null) {
            List<Node> extended = new ArrayList<>();
            tags(child.getBody(), n -> n instanceof ExtendsNode, true, extended);
            if (extended.isEmpty()) {
                break;
            }
            String name = ((ExtendsNode) extended.get(0)).getParentExpression() instanceof LiteralStringExpression text
                    ? text.getValue()
                    : null;
            String target = name == null ? null : named.apply(childName, name);
            RootNode parent = target == null ? null : others.get(target);
            if (target == null || parent == null || !seen.add(target)) {
                walk.openImports = parent == null; // a parent the tree does not tell: calls are not checked
                break;
            }
            walk.macros.addAll(macros(parent));
            walk.parentImports(parent, target, named, others);
            child = parent;
            childName = target;
        }
        walk.node(tree.getBody(), Set.of());
        if (!walk.openImports) {
            walk.called.forEach((name, line) -> {
                if (!walk.macros.contains(name) && !walk.functions.test(name)) {
                    walk.found.add(new Unknown(name, line, true, true, null, null, null));
                }
            });
        }
        return walk.found;
    }

    /**
     * Adds the macros that a parent's {@code import} and {@code from} tags bring in, which Pebble
     * finds for the template that extends it; when one of them cannot be read from the tree, calls
     * are not checked. What is wrong with the tags themselves is the parent's own check's to say.
     */
    private void parentImports(
            RootNode parent,
            String target,
            java.util.function.BiFunction<String, String, @Nullable String> named,
            Map<String, RootNode> others) {
        List<Node> tags = new ArrayList<>();
        tags(parent.getBody(), n -> n instanceof ImportNode || n instanceof FromNode, true, tags);
        for (Node n : tags) {
            imports = true;
            if (n instanceof FromNode f) {
                From from = from(f);
                String t = from == null ? null : named.apply(target, from.template());
                if (from == null || t == null || !others.containsKey(t)) {
                    openImports = true;
                    continue;
                }
                from.names().forEach(m -> macros.add(m.alias()));
                continue;
            }
            String name = ((ImportNode) n).getImportExpression() instanceof LiteralStringExpression text
                    ? text.getValue()
                    : null;
            String t = name == null ? null : named.apply(target, name);
            RootNode imported = t == null ? null : others.get(t);
            if (imported == null) {
                openImports = true;
                continue;
            }
            macros.addAll(macros(imported));
        }
    }

    /**
     * @param template a parsed template
     * @return the names of the macros it defines (outside other macros), which an import brings in
     */
    static Set<String> macros(RootNode template) {
        List<Node> defined = new ArrayList<>();
        tags(template.getBody(), m -> m instanceof MacroNode, false, defined);
        Set<String> out = new java.util.TreeSet<>();
        defined.forEach(m -> out.add(((MacroNode) m).getName()));
        return out;
    }

    /**
     * A macro a {@code {% from %}} tag imports.
     *
     * @param macro its name in the template it is imported from
     * @param alias the name the importing template calls it by ({@code p} of {@code pair as p})
     */
    private record Named(String macro, String alias) {}

    /**
     * What a {@code {% from %}} tag imports.
     *
     * @param template the template, as the tag names it
     * @param names the macros, in the tag's order
     */
    private record From(String template, List<Named> names) {}

    /**
     * Reads a {@code {% from %}} tag as Pebble's own parser read it. Pebble 3.2.4's {@code FromNode}
     * keeps the template and the names in private fields with no getter ({@code fromExpression};
     * {@code namedMacros}, pairs of alias and name), which are read here; its module is an automatic
     * one, whose packages are open to reflection.
     *
     * @return the template and the names, or null when the template is not a quoted text or the
     *     fields are not as Pebble 3.2.4 has them (then the tag's names are not checked)
     */
    private static @Nullable From from(FromNode f) {
        try {
            java.lang.reflect.Field template = FromNode.class.getDeclaredField("fromExpression");
            java.lang.reflect.Field named = FromNode.class.getDeclaredField("namedMacros");
            template.setAccessible(true);
            named.setAccessible(true);
            if (!(template.get(f) instanceof LiteralStringExpression name)
                    || !(named.get(f) instanceof List<?> pairs)) {
                return null;
            }
            List<Named> names = new ArrayList<>();
            for (Object o : pairs) {
                if (!(o instanceof Pair<?, ?> p)
                        || !(p.getLeft() instanceof String alias)
                        || !(p.getRight() instanceof String macro)) {
                    return null;
                }
                names.add(new Named(macro, alias));
            }
            return new From(name.getValue(), names);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // another Pebble, or a module closed to reflection
        }
    }

    /**
     * @param tree a template
     * @param kind the simple name of a kind of Pebble node ({@code IncludeNode})
     * @return the lines of the template's nodes of that kind outside its macros, in order
     */
    static List<Integer> linesOf(RootNode tree, String kind) {
        List<Node> nodes = new ArrayList<>();
        tags(tree.getBody(), n -> n.getClass().getSimpleName().equals(kind), false, nodes);
        return nodes.stream()
                .filter(n -> n instanceof io.pebbletemplates.pebble.node.AbstractRenderableNode)
                .map(n -> ((io.pebbletemplates.pebble.node.AbstractRenderableNode) n).getLineNumber())
                .distinct()
                .sorted()
                .toList();
    }

    /**
     * @param tree a template
     * @return the names that its include, extends, import, from and embed tags give as literal
     *     texts, macros' included, in order
     */
    static List<String> namedTemplates(RootNode tree) {
        List<Node> nodes = new ArrayList<>();
        tags(
                tree.getBody(),
                n -> n instanceof IncludeNode
                        || n instanceof ExtendsNode
                        || n instanceof ImportNode
                        || n instanceof FromNode
                        || n instanceof io.pebbletemplates.pebble.node.EmbedNode,
                true,
                nodes);
        List<String> out = new ArrayList<>();
        for (Node n : nodes) {
            Expression<?> name = n instanceof IncludeNode i
                    ? i.getIncludeExpression()
                    : n instanceof ExtendsNode x
                            ? x.getParentExpression()
                            : n instanceof ImportNode m ? m.getImportExpression() : null;
            if (n instanceof FromNode f) {
                From from = from(f);
                if (from != null) {
                    out.add(from.template());
                }
            } else if (name instanceof LiteralStringExpression text) {
                out.add(text.getValue());
            }
        }
        return out;
    }

    /**
     * Adds to {@code out} each tag under {@code n} that {@code wanted} takes, in the bodies of
     * branches, loops and blocks, and in macros' when {@code inMacros}.
     */
    private static void tags(
            @Nullable Node n, java.util.function.Predicate<Node> wanted, boolean inMacros, List<Node> out) {
        if (n == null) {
            return;
        }
        if (wanted.test(n)) {
            out.add(n);
        }
        if (n instanceof BodyNode b) {
            b.getChildren().forEach(c -> tags(c, wanted, inMacros, out));
        } else if (n instanceof IfNode i) {
            for (Pair<Expression<?>, BodyNode> branch : i.getConditionsWithBodies()) {
                tags(branch.getRight(), wanted, inMacros, out);
            }
            tags(i.getElseBody(), wanted, inMacros, out);
        } else if (n instanceof ForNode f) {
            tags(f.getBody(), wanted, inMacros, out);
            tags(f.getElseBody(), wanted, inMacros, out);
        } else if (n instanceof MacroNode m && inMacros) {
            tags(m.getBody(), wanted, inMacros, out);
        } else if (n instanceof BlockNode b) {
            tags(b.getBody(), wanted, inMacros, out);
        } else if (n instanceof AutoEscapeNode a) {
            tags(a.getBody(), wanted, inMacros, out);
        } else if (n instanceof ParallelNode p) {
            tags(p.getBody(), wanted, inMacros, out);
        }
    }

    private void node(@Nullable Node n, Set<String> scope) {
        if (n == null) {
            return;
        }
        if (n instanceof BodyNode b) {
            b.getChildren().forEach(c -> node(c, scope));
        } else if (n instanceof PrintNode p) {
            expression(Templates.printed(p), scope);
        } else if (n instanceof IfNode i) {
            for (Pair<Expression<?>, BodyNode> branch : i.getConditionsWithBodies()) {
                expression(branch.getLeft(), scope);
                node(branch.getRight(), scope);
            }
            node(i.getElseBody(), scope);
        } else if (n instanceof ForNode f) {
            expression(f.getIterable(), scope);
            Set<String> inner = new HashSet<>(scope);
            inner.add(f.getIterationVariable());
            inner.add("loop");
            // a loop keeps one scope across its passes: what a pass sets, the next one sees
            List<Node> sets = new ArrayList<>();
            tags(f.getBody(), x -> x instanceof SetNode, false, sets);
            sets.forEach(x -> inner.add(((SetNode) x).getName()));
            node(f.getBody(), inner);
            node(f.getElseBody(), scope);
        } else if (n instanceof SetNode s) {
            expression(s.getValue(), scope);
            assigned.add(s.getName());
            if (inMacro == null) {
                outside.add(s.getName());
            }
        } else if (n instanceof MacroNode m) {
            macros.add(m.getName());
            // Pebble gives a macro only its arguments: not the model, not what the template sets
            Set<String> inner = new HashSet<>();
            Set<String> noArguments = Set.of();
            ArgumentsNode args = m.getArgs();
            if (args != null && args.getNamedArgs() != null) {
                for (NamedArgumentNode a : args.getNamedArgs()) {
                    inner.add(a.getName());
                    expression(a.getValueExpression(), noArguments);
                }
            }
            Set<String> wasAssigned = assigned;
            Set<String> wasTested = tested;
            @Nullable String wasIn = inMacro;
            assigned = new HashSet<>();
            tested = new HashSet<>();
            inMacro = m.getName();
            node(m.getBody(), inner);
            assigned = wasAssigned;
            tested = wasTested;
            inMacro = wasIn;
        } else if (n instanceof BlockNode b) {
            node(b.getBody(), scope);
        } else if (n instanceof AutoEscapeNode a) {
            node(a.getBody(), scope);
        } else if (n instanceof ParallelNode p) {
            node(p.getBody(), scope);
        } else if (n instanceof ArgumentsNode a) {
            arguments(a, scope);
        }
        // text, flush, and the tags that bring in other templates name nothing to look up here
    }

    private void arguments(@Nullable ArgumentsNode args, Set<String> scope) {
        argumentValues(args, v -> expression(v, scope));
    }

    /** Gives each value of a tag's or a call's arguments, positional ones first. */
    private static void argumentValues(@Nullable ArgumentsNode args, Consumer<Expression<?>> value) {
        if (args == null) {
            return;
        }
        if (args.getPositionalArgs() != null) {
            for (PositionalArgumentNode a : args.getPositionalArgs()) {
                value.accept(a.getValueExpression());
            }
        }
        if (args.getNamedArgs() != null) {
            for (NamedArgumentNode a : args.getNamedArgs()) {
                value.accept(a.getValueExpression());
            }
        }
    }

    /**
     * Gives the parts of an expression that both walkers of a template's tree go into alike: its
     * sub-expressions (an attribute's object, name and arguments; the arguments of a filter, a test
     * or a call) and the node an expression holds. Literals, {@code block()} and {@code parent()}
     * have none. A walker looks at what it reads otherwise first.
     */
    private static void parts(Expression<?> e, Consumer<Expression<?>> expression, Consumer<Node> node) {
        if (e instanceof GetAttributeExpression g) {
            expression.accept(g.getNode());
            expression.accept(g.getAttributeNameExpression());
            argumentValues(g.getArgumentsNode(), expression);
        } else if (e instanceof BinaryExpression<?> b) {
            expression.accept(b.getLeftExpression());
            expression.accept(b.getRightExpression());
        } else if (e instanceof RenderableNodeExpression r) {
            node.accept(r.getNode());
        } else if (e instanceof UnaryExpression u) {
            expression.accept(u.getChildExpression());
        } else if (e instanceof TernaryExpression t) {
            expression.accept(t.getExpression1());
            expression.accept(t.getExpression2());
            expression.accept(t.getExpression3());
        } else if (e instanceof FilterInvocationExpression f) {
            argumentValues(f.getArgs(), expression);
        } else if (e instanceof TestInvocationExpression t) {
            argumentValues(t.getArgs(), expression);
        } else if (e instanceof FunctionOrMacroInvocationExpression f) {
            argumentValues(f.getArguments(), expression);
        } else if (e instanceof ArrayExpression a) {
            a.getValues().forEach(expression);
        } else if (e instanceof MapExpression m) {
            m.getEntries().forEach((k, v) -> {
                expression.accept(k);
                expression.accept(v);
            });
        }
    }

    private void expression(@Nullable Expression<?> e, Set<String> scope) {
        if (e == null) {
            return;
        }
        if (e instanceof ContextVariableExpression v) {
            root(v.getName(), v.getLineNumber(), scope);
        } else if (e instanceof GetAttributeExpression g) {
            attribute(g, scope);
        } else if (e instanceof PositiveTestExpression t
                && t.getRightExpression() instanceof TestInvocationExpression test
                && test.getTestName().equals("defined")) {
            // what it tests may be missing, and is used where it is not
            if (t.getLeftExpression() instanceof ContextVariableExpression v) {
                assigned.add(v.getName());
            } else if (t.getLeftExpression() instanceof GetAttributeExpression g) {
                String name = dottedName(g);
                if (name != null) {
                    tested.add(name);
                }
            }
            arguments(test.getArgs(), scope);
        } else if (e instanceof FilterExpression f
                && f.getRightExpression() instanceof FilterInvocationExpression filter
                && filter.getFilterName().equals("default")) {
            arguments(filter.getArgs(), scope); // what it filters may be missing
        } else {
            if (e instanceof FunctionOrMacroInvocationExpression f) {
                called.putIfAbsent(f.getFunctionName(), f.getLineNumber());
            }
            parts(e, v -> expression(v, scope), n -> node(n, scope));
        }
    }

    private boolean defined(String name, Set<String> scope) {
        if (scope.contains(name) || assigned.contains(name)) {
            return true;
        }
        return inMacro == null && (GIVEN.contains(name) || model.containsKey(name));
    }

    private void root(String name, int line, Set<String> scope) {
        if (!defined(name, scope)) {
            report(name, line, true);
        }
    }

    /**
     * A chain of names ({@code m.a.b}): the variable it starts from and the names after it.
     *
     * @param base the variable
     * @param path the names after it, in order
     */
    private record Chain(ContextVariableExpression base, List<String> path) {}

    /** @return the chain of names an attribute writes ({@code m.a.b}), or null for another attribute */
    private static @Nullable Chain chain(GetAttributeExpression g) {
        List<String> path = new ArrayList<>();
        Expression<?> at = g;
        while (at instanceof GetAttributeExpression a
                && a.getArgumentsNode() == null
                && a.getAttributeNameExpression() instanceof LiteralStringExpression key) {
            path.add(0, key.getValue());
            at = a.getNode();
        }
        return at instanceof ContextVariableExpression base && !path.isEmpty() ? new Chain(base, path) : null;
    }

    /** @return the dotted name that a chain of names writes ({@code m.a.b}), or null for another attribute */
    private static @Nullable String dottedName(GetAttributeExpression g) {
        Chain c = chain(g);
        return c == null ? null : c.base().getName() + "." + String.join(".", c.path());
    }

    /** Looks a chain of names ({@code m.a.b}) up in the model's maps, else walks its parts. */
    private void attribute(GetAttributeExpression g, Set<String> scope) {
        Chain c = chain(g);
        if (c == null) {
            if (imports
                    && g.getArgumentsNode() != null
                    && g.getNode() instanceof ContextVariableExpression alias
                    && !defined(alias.getName(), scope)) {
                // lib.pair(1): lib may be an import's alias, which the tree does not tell
                arguments(g.getArgumentsNode(), scope);
                return;
            }
            // an index, a computed key or a method call: look at what it is made of
            expression(g.getNode(), scope);
            expression(g.getAttributeNameExpression(), scope);
            arguments(g.getArgumentsNode(), scope);
            return;
        }
        ContextVariableExpression base = c.base();
        List<String> path = c.path();
        String name = base.getName();
        if (!defined(name, scope)) {
            report(name, base.getLineNumber(), true);
            return;
        }
        if (scope.contains(name) || assigned.contains(name) || GIVEN.contains(name) || inMacro != null) {
            return; // what the template defines may hold anything
        }
        Object value = model.get(name);
        StringBuilder dotted = new StringBuilder(name);
        for (String part : path) {
            if (!(value instanceof Map<?, ?> group)) {
                return; // a number's or a text's attributes are Pebble's to find
            }
            dotted.append('.').append(part);
            if (!group.containsKey(part) && !tested.contains(dotted.toString())) {
                if (!memberOf(group, part)) {
                    report(dotted.toString(), g.getLineNumber(), false);
                }
                return;
            }
            value = group.get(part);
        }
    }

    /** @return whether Pebble finds the attribute as a member of the map ({@code size}, {@code empty}) */
    private static boolean memberOf(Map<?, ?> map, String attribute) {
        String cap = attribute.isEmpty() ? "" : Character.toUpperCase(attribute.charAt(0)) + attribute.substring(1);
        for (java.lang.reflect.Method m : map.getClass().getMethods()) {
            String n = m.getName();
            if (m.getParameterCount() == 0
                    && (n.equals(attribute)
                            || n.equals("get" + cap)
                            || n.equals("is" + cap)
                            || n.equals("has" + cap))) {
                return true;
            }
        }
        return false;
    }

    private void report(String name, int line, boolean root) {
        for (Unknown u : found) {
            if (u.from() == null && u.tag() == null && (name.equals(u.name()) || name.startsWith(u.name() + "."))) {
                return;
            }
        }
        String macro = inMacro;
        boolean seenOutside =
                macro != null && root && (outside.contains(name) || GIVEN.contains(name) || model.containsKey(name));
        found.add(new Unknown(name, line, root, false, seenOutside ? macro : null, null, null));
    }

    /**
     * Where a template uses a parameter, read from its tree: whether only in conditions (of
     * {@code {% if %}} and {@code {% elseif %}}, and the test before a {@code ?}), which print
     * nothing, and the line of the first. A use of the parameter's group as a whole ({@code m} of
     * {@code m.eps}, {@code m[k]}), of {@code _context}, or a tag this does not read (an
     * {@code include}, whose {@code with} values Pebble's tree does not show, an {@code embed}, a
     * {@code cache}) may print it, and counts as a use elsewhere.
     *
     * @param tree a parsed template
     * @param dotted the parameter's dotted name ({@code m.eps})
     * @return the line (from 1) of the first condition that uses it when every use is in a
     *     condition; 0 when the template does not use it; -1 when it uses it elsewhere too
     */
    static int onlyInConditions(RootNode tree, String dotted) {
        Uses u = new Uses(dotted);
        u.node(tree.getBody());
        return u.elsewhere ? -1 : u.conditionLine;
    }

    /**
     * @param tree a parsed template
     * @param dotted the parameter's dotted name ({@code m.eps})
     * @return the line (from 1) of the first use of the parameter outside a condition (see {@link
     *     #onlyInConditions}), such as a print; 0 when the tree shows none
     */
    static int firstUseOutsideConditions(RootNode tree, String dotted) {
        Uses u = new Uses(dotted);
        u.node(tree.getBody());
        return u.otherLine;
    }

    /** Finds the uses of one parameter in a template's tree (see {@link #onlyInConditions}). */
    private static final class Uses {
        private final String dotted;
        private final String root;
        /** The line of the first use in a condition, else 0. */
        private int conditionLine;
        /** Whether some use is not in a condition, or the tree has what this does not read. */
        private boolean elsewhere;
        /** The line of the first use not in a condition, else 0. */
        private int otherLine;

        Uses(String dotted) {
            this.dotted = dotted;
            int dot = dotted.indexOf('.');
            this.root = dot < 0 ? dotted : dotted.substring(0, dot);
        }

        private void node(@Nullable Node n) {
            if (n == null || n instanceof TextNode || n instanceof FlushNode || n instanceof FromNode) {
                return;
            }
            if (n instanceof BodyNode b) {
                b.getChildren().forEach(this::node);
            } else if (n instanceof PrintNode p) {
                expression(Templates.printed(p), false);
            } else if (n instanceof IfNode i) {
                for (Pair<Expression<?>, BodyNode> branch : i.getConditionsWithBodies()) {
                    expression(branch.getLeft(), true);
                    node(branch.getRight());
                }
                node(i.getElseBody());
            } else if (n instanceof ForNode f) {
                expression(f.getIterable(), false);
                node(f.getBody());
                node(f.getElseBody());
            } else if (n instanceof SetNode s) {
                expression(s.getValue(), false);
            } else if (n instanceof MacroNode m) {
                arguments(m.getArgs(), false);
                node(m.getBody());
            } else if (n instanceof BlockNode b) {
                node(b.getBody());
            } else if (n instanceof AutoEscapeNode a) {
                node(a.getBody());
            } else if (n instanceof ParallelNode p) {
                node(p.getBody());
            } else if (n instanceof ImportNode i) {
                expression(i.getImportExpression(), false);
            } else if (n instanceof ExtendsNode e) {
                expression(e.getParentExpression(), false);
            } else if (n instanceof ArgumentsNode a) {
                arguments(a, false);
            } else {
                elsewhere = true; // a tag not read here may print anything
            }
        }

        private void arguments(@Nullable ArgumentsNode args, boolean condition) {
            argumentValues(args, v -> expression(v, condition));
        }

        private void use(int line, boolean condition) {
            if (!condition) {
                elsewhere = true;
                if (otherLine == 0) {
                    otherLine = line;
                }
            } else if (conditionLine == 0) {
                conditionLine = line;
            }
        }

        private void expression(@Nullable Expression<?> e, boolean condition) {
            if (e == null) {
                return;
            }
            if (e instanceof ContextVariableExpression v) {
                if (v.getName().equals("_context")) {
                    elsewhere = true;
                } else if (v.getName().equals(root)) {
                    use(v.getLineNumber(), condition); // the parameter, or its whole group
                }
            } else if (e instanceof GetAttributeExpression g && chain(g) != null) {
                String name = dottedName(g);
                if (name != null
                        && (name.equals(dotted) || dotted.startsWith(name + ".") || name.startsWith(dotted + "."))) {
                    use(g.getLineNumber(), condition);
                } else if (name != null && name.startsWith("_context.")) {
                    elsewhere = true;
                }
            } else if (e instanceof TernaryExpression t) {
                expression(t.getExpression1(), true); // its test: a condition
                expression(t.getExpression2(), condition);
                expression(t.getExpression3(), condition);
            } else {
                parts(e, v -> expression(v, condition), this::node);
            }
        }
    }
}

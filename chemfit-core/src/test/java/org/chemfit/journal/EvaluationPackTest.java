package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.journal.read.BestPoint;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.TermRecord;
import org.chemfit.support.Reasons;
import org.junit.jupiter.api.Test;

/**
 * An evaluation's record ({@link EvaluationPack}) reads back as what was written, bit for bit: the
 * tree is the map {@link EvaluationContext#toMap(boolean) toMap(true)} gives (the quantities of a
 * term recorded apart being a mark), and each term of the record is the {@link TermRecord} its own
 * row would hold. Every kind of node and value is covered: inner nodes and the three kinds of
 * leaves, empty and non-empty quantities, arrays of every length class, NaN and infinite values,
 * weights other than 1, failures with and without a message, untimed terms and times of 0 or an
 * end before the start, a term of other parameters, more distinct texts than the record's table
 * keeps, a buffer that grows in the middle of any field, and records of the first layout. A
 * damaged record, truncated or with any byte changed, is a {@link JournalException} and nothing
 * else.
 */
class EvaluationPackTest {

    private static final long RUN = 7;
    private static final int NUMBER = 3;
    private static final int ATTEMPT = 2;
    private static final long FIRST_ID = 1000;
    /** When the evaluation ended: the times of a term whose context has none. */
    private static final long ENDED = 1_700_000_000_987_654_321L;

    private static final long START = 1_700_000_000_000_000_000L;
    private static final double NAN_PAYLOAD = Double.longBitsToDouble(0x7ff8_0000_0000_beefL);
    private static final double NEGATIVE_NAN = Double.longBitsToDouble(0xfff8_0000_0000_0001L);

    private static final Parameters P = params(0.1 + 0.2, -0.0);
    private static final Parameters OTHER = params(0.5, 2.0);

    private static Parameters params(double eps, double sigma) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lj.eps", eps);
        m.put("lj.sigma", sigma);
        return Parameters.of(m);
    }

    /** An evaluation's tree and what each of its leaves is to its record. */
    private static final class Tree {
        final EvaluationContext root;
        final String key;
        final Map<EvaluationContext, EvaluationPack.LeafOf> kinds = new IdentityHashMap<>();

        Tree(EvaluationContext root) {
            this.root = root;
            this.key = JsonCodec.parameterKey(root.parameters());
        }

        EvaluationContext leaf(EvaluationContext parent, String name, double weight, EvaluationPack.LeafOf of) {
            EvaluationContext c = parent.addChild(name, weight);
            kinds.put(c, of);
            return c;
        }

        EvaluationPack.LeafOf of(EvaluationContext c) {
            EvaluationPack.LeafOf of = kinds.get(c);
            assertNotNull(of, "the writer asks only for leaves: " + c.path());
            return of;
        }

        /** @return the leaves that are terms of the record, in tree order */
        List<EvaluationContext> terms() {
            List<EvaluationContext> out = new ArrayList<>();
            collect(root, out);
            return out;
        }

        private void collect(EvaluationContext c, List<EvaluationContext> out) {
            if (c.children().isEmpty()) {
                if (c.parent() != null && of(c).kind() == EvaluationPack.Leaf.TERM) {
                    out.add(c);
                }
                return;
            }
            for (EvaluationContext child : c.children()) {
                collect(child, out);
            }
        }
    }

    private static EvaluationPack.LeafOf term(String thread) {
        return new EvaluationPack.LeafOf(EvaluationPack.Leaf.TERM, false, null, thread);
    }

    private static EvaluationPack.LeafOf failedTerm(String failure, String thread) {
        return new EvaluationPack.LeafOf(EvaluationPack.Leaf.TERM, true, failure, thread);
    }

    /** Quantities of every kind: a NaN with a payload, arrays of 0, 1, 16, 17 and 300 values, labels. */
    private static Quantities everyKindOfQuantity() {
        double[] sixteen = new double[16];
        double[] seventeen = new double[17];
        for (int i = 0; i < 17; i++) {
            if (i < 16) {
                sixteen[i] = Math.scalb(1.0 + i / 7.0, i - 8);
            }
            seventeen[i] = -i / 3.0;
        }
        sixteen[3] = Double.POSITIVE_INFINITY;
        seventeen[16] = NAN_PAYLOAD;
        double[] forces = new double[300];
        for (int i = 0; i < forces.length; i++) {
            forces[i] = i * 0.1 - 7.0;
        }
        forces[0] = NEGATIVE_NAN;
        forces[1] = Double.NEGATIVE_INFINITY;
        forces[2] = Double.MIN_VALUE;
        forces[3] = -0.0;
        forces[299] = NAN_PAYLOAD;
        return Quantities.builder()
                .put("energy", NAN_PAYLOAD)
                .put("none", new double[0])
                .put("one", new double[] {-0.0})
                .put("sixteen", sixteen)
                .put("seventeen", seventeen)
                .put("forces", forces)
                .label("tag", "Ar\u2082 dimer \u00e9")
                .label("blank", "")
                .put("max", Double.MAX_VALUE)
                .build();
    }

    /** Gives a leaf parameters other than its evaluation's (as a term run elsewhere would have). */
    private static void withParameters(EvaluationContext c, Parameters p) throws ReflectiveOperationException {
        Field f = EvaluationContext.class.getDeclaredField("parameters");
        f.setAccessible(true);
        f.set(c, p);
    }

    /** A tree with a node of every kind, and values at every edge. Ten terms of the record. */
    private static Tree everyKind() throws ReflectiveOperationException {
        Tree t = new Tree(new EvaluationContext(P, "e3"));
        EvaluationContext root = t.root;
        root.computed(Quantities.of("total", 42.0));
        root.put("evaluation", "fit-1").put("lr", 0.001).put("sizes", List.of(1, 2, 3));
        root.timed(START, 50_000_000L, "main");

        // 0: a term with every kind of quantity, weight 1 and contribution weight x value
        EvaluationContext c0 = t.leaf(root, "energies", 1.0, term("pool-1-thread-1"));
        c0.computed(everyKindOfQuantity());
        c0.complete(0.1 + 0.2);
        c0.contribute(1.0 * (0.1 + 0.2));
        c0.timed(START + 10, 2_000_000L, "pool-1-thread-1");
        c0.put("member", "m1").put("host", "node7").put("run_dir", "/runs/3/0");

        // 1: an inner node whose contribution is not weight x value, and leaves of every kind
        EvaluationContext g = root.addChild("group", 0.5);
        g.complete(3.0);
        g.contribute(7.0);
        g.timed(START + 5, 9_000_000L, "main");
        // 1.0: failed, with a message, penalized
        EvaluationContext g0 =
                t.leaf(g, "failed-with-message", 2.5, failedTerm("the energy diverged", "pool-1-thread-2"));
        g0.computed(Quantities.of("energy", -1.0));
        g0.fail(new IllegalStateException("the energy diverged"));
        g0.penalize(25.0);
        g0.timed(START + 20, 1_000L, "pool-1-thread-2");
        // 1.1: failed, without a message, untimed (its times are the evaluation's end)
        EvaluationContext g1 = t.leaf(
                g,
                "failed-without-message",
                1.0,
                new EvaluationPack.LeafOf(EvaluationPack.Leaf.TERM, true, null, "pool-1-thread-2"));
        g1.fail(null);
        g1.put("worker", 42);
        // 1.2: recorded apart: its quantities are left in its own row
        EvaluationContext g2 = t.leaf(g, "apart", 1.0, EvaluationPack.LeafOf.APART);
        g2.computed(Quantities.builder()
                .put("energy", -2.0)
                .put("rdf", new double[] {0, 1, 2})
                .build());
        g2.complete(1.5);
        g2.contribute(1.5);
        g2.timed(START + 30, 4_000L, "pool-1-thread-3");
        // 1.3: replayed: in the tree only, with its quantities and metadata
        EvaluationContext g3 = t.leaf(g, "replayed", 1.0, EvaluationPack.LeafOf.TREE);
        g3.replay(
                Quantities.builder()
                        .put("energy", -3.0)
                        .label("tag", "x")
                        .put("long", new double[40])
                        .build(),
                Map.of("from", "journal"),
                2.0);
        g3.contribute(2.0);
        // 1.4: timed from 0 to 5, weight -0, value -0
        EvaluationContext g4 = t.leaf(g, "starts-at-zero", -0.0, term("t0"));
        g4.complete(-0.0);
        g4.contribute(0.0);
        g4.timed(0, 5, "t0");
        // 1.5: its end before its start (the end wraps), infinite value and contribution
        EvaluationContext g5 = t.leaf(g, "ends-before-it-starts", 3.0, term("t1"));
        g5.complete(Double.POSITIVE_INFINITY);
        g5.contribute(Double.NEGATIVE_INFINITY);
        g5.timed(Long.MAX_VALUE - 3, 10, "t1");
        // 1.6: a start but no duration (untimed), a NaN of the other sign as its value
        EvaluationContext g6 = t.leaf(g, "started-untimed", 1.0, term("t2"));
        g6.complete(NEGATIVE_NAN);
        g6.timed(START + 99, -1, null);
        // 1.7: an inner node below an inner node (path 1.7.0), contribution weight x value
        EvaluationContext deeper = g.addChild("deeper", 4.0);
        deeper.complete(8.0);
        deeper.contribute(32.0);
        EvaluationContext d0 = t.leaf(deeper, "deepest", Double.NaN, term("pool-1-thread-3"));
        d0.complete(1.0);
        d0.timed(START + 1, 1, "pool-1-thread-3");
        d0.put("member_address", "10.0.0.7:5701").put("workdir", "/w/7");

        // 2: a term of other parameters: its key is in the record
        EvaluationContext c2 = t.leaf(root, "own-parameters", 1.0, term("pool-1-thread-1"));
        withParameters(c2, OTHER);
        c2.computed(Quantities.of("energy", 5.0));
        c2.complete(5.0);
        c2.contribute(5.0);
        c2.timed(START + 40, 12L, "pool-1-thread-1");
        // 3: parameters of the same values as the evaluation's: the evaluation's key
        EvaluationContext c3 = t.leaf(root, "same-values", 1.0, term("pool-1-thread-1"));
        withParameters(c3, params(0.1 + 0.2, -0.0));
        c3.complete(6.0);
        c3.contribute(6.0);
        c3.timed(START + 41, 13L, "pool-1-thread-1");
        // 4: failed, then skipped by a failure policy; a failure without a message
        EvaluationContext c4 = t.leaf(root, "skipped", 1.0, failedTerm("RuntimeException", "pool-1-thread-4"));
        c4.fail(new RuntimeException());
        c4.skip();
        c4.timed(START + 50, 7L, "pool-1-thread-4");

        root.complete(12.5);
        return t;
    }

    // ---------------------------------------------------------------- writing and reading

    /** @return the record written into the buffer (at its position), checking its count of terms */
    private static byte[] encode(Tree t, ByteBuffer buffer) {
        int at = buffer.position();
        EvaluationPack.Into into = EvaluationPack.encodeInto(buffer, t.root, FIRST_ID, t.key, t::of, ENDED);
        assertEquals(t.terms().size(), into.terms(), "the count of terms of the record");
        ByteBuffer b = into.buffer();
        return Arrays.copyOfRange(b.array(), at, b.position());
    }

    private static byte[] encode(Tree t) {
        return encode(t, ByteBuffer.allocate(1 << 16));
    }

    private static EvaluationPack.Decoded decode(byte[] blob, String key) {
        return EvaluationPack.decode(blob, RUN, NUMBER, ATTEMPT, key);
    }

    /** @return what the tree must read back as: toMap(true), the quantities of terms apart a mark */
    private static Map<String, Object> expectedTree(Tree t) {
        Map<String, Object> m = t.root.toMap(true);
        markApart(t, t.root, m);
        return m;
    }

    private static void markApart(Tree t, EvaluationContext c, Map<String, Object> m) {
        if (c.children().isEmpty()) {
            if (c.parent() != null
                    && t.of(c).kind() == EvaluationPack.Leaf.APART
                    && !c.quantities().isEmpty()) {
                m.put("quantities", JsonCodec.IN_TERMS + c.path());
            }
            return;
        }
        Object terms = m.get("terms");
        assertTrue(terms instanceof List<?>, "the terms of " + c.path());
        List<?> list = (List<?>) terms;
        for (int i = 0; i < c.children().size(); i++) {
            @SuppressWarnings("unchecked") // toMap's own maps
            Map<String, Object> child = (Map<String, Object>) list.get(i);
            markApart(t, c.children().get(i), child);
        }
    }

    /** @return the record the term's own row would hold */
    private static TermRecord expectedRecord(Tree t, EvaluationContext c, long id) {
        EvaluationPack.LeafOf of = t.of(c);
        Map<String, Object> meta = c.metadata();
        String worker = first(meta, "member", "worker");
        String host = first(meta, "host", "member_address");
        long started = c.startEpochNanos() == 0 ? ENDED : c.startEpochNanos();
        long stopped = c.endEpochNanos() == 0 ? ENDED : c.endEpochNanos();
        return new TermRecord(
                id,
                RUN,
                NUMBER,
                c.path(),
                c.name(),
                of.failed() ? EvaluationRecord.State.FAILED : EvaluationRecord.State.COMPLETE,
                of.failed() ? Double.NaN : c.value(),
                c.quantities(),
                meta.isEmpty() ? null : JsonCodec.write(meta),
                first(meta, "run_directory", "run_dir", "workdir"),
                host == null ? SqliteJournal.HOST : host,
                worker == null ? of.thread() : worker,
                of.failed() ? of.failure() : null,
                millis(started),
                millis(stopped),
                (stopped - started) / 1e9,
                ATTEMPT);
    }

    private static String first(Map<String, Object> meta, String... keys) {
        for (String k : keys) {
            if (meta.containsKey(k)) {
                return String.valueOf(meta.get(k));
            }
        }
        return null;
    }

    private static Instant millis(long epochNanos) {
        return Instant.ofEpochSecond(0, epochNanos).truncatedTo(ChronoUnit.MILLIS);
    }

    private static String key(Tree t, EvaluationContext c) {
        if (c.parameters() == t.root.parameters()) {
            return t.key;
        }
        return JsonCodec.parameterKey(c.parameters());
    }

    private static String bits(double d) {
        return Long.toHexString(Double.doubleToRawLongBits(d));
    }

    /** Maps, lists and texts equal; doubles and arrays of them bit for bit; metadata as its JSON. */
    private static void assertBitForBit(Object expected, Object actual, String at) {
        if (expected instanceof Map<?, ?> e) {
            assertTrue(actual instanceof Map<?, ?>, at + " is a map: " + actual);
            Map<?, ?> a = (Map<?, ?>) actual;
            assertEquals(List.copyOf(e.keySet()), List.copyOf(a.keySet()), at + ": its entries, in order");
            for (Map.Entry<?, ?> x : e.entrySet()) {
                String k = String.valueOf(x.getKey());
                if (k.equals("metadata")) {
                    // as JSON: the numbers of metadata read back as JSON numbers
                    assertEquals(JsonCodec.write(x.getValue()), JsonCodec.write(a.get(k)), at + "/metadata");
                } else {
                    assertBitForBit(x.getValue(), a.get(k), at + "/" + k);
                }
            }
        } else if (expected instanceof List<?> e) {
            assertTrue(actual instanceof List<?>, at + " is a list: " + actual);
            List<?> a = (List<?>) actual;
            assertEquals(e.size(), a.size(), at + ": its length");
            for (int i = 0; i < e.size(); i++) {
                assertBitForBit(e.get(i), a.get(i), at + "[" + i + "]");
            }
        } else if (expected instanceof Double e) {
            assertTrue(actual instanceof Double, at + " is a double: " + actual);
            assertEquals(bits(e), bits((Double) actual), at + ": the bits of " + e);
        } else if (expected instanceof double[] e) {
            assertTrue(actual instanceof double[], at + " is an array: " + actual);
            double[] a = (double[]) actual;
            assertEquals(e.length, a.length, at + ": its length");
            for (int i = 0; i < e.length; i++) {
                assertEquals(bits(e[i]), bits(a[i]), at + "[" + i + "]: the bits of " + e[i]);
            }
        } else {
            assertEquals(expected, actual, at);
        }
    }

    private static void assertTerm(TermRecord e, String expectedKey, TermPack.Term actual) {
        TermRecord a = actual.record();
        String at = "term " + e.path() + " (" + e.name() + ")";
        assertEquals(e.id(), a.id(), at + ": id");
        assertEquals(e.runId(), a.runId(), at + ": run");
        assertEquals(e.evaluationNumber(), a.evaluationNumber(), at + ": evaluation");
        assertEquals(e.path(), a.path(), at + ": path");
        assertEquals(e.name(), a.name(), at + ": name");
        assertEquals(e.state(), a.state(), at + ": state");
        assertEquals(bits(e.value()), bits(a.value()), at + ": the bits of its value " + e.value());
        assertBitForBit(e.quantities().asMap(), a.quantities().asMap(), at + ": quantities");
        assertEquals(e.metadataJson(), a.metadataJson(), at + ": metadata");
        assertEquals(e.runDirectory(), a.runDirectory(), at + ": run directory");
        assertEquals(e.host(), a.host(), at + ": host");
        assertEquals(e.worker(), a.worker(), at + ": worker");
        assertEquals(e.failure(), a.failure(), at + ": failure");
        assertEquals(e.started(), a.started(), at + ": started");
        assertEquals(e.ended(), a.ended(), at + ": ended");
        assertEquals(bits(e.seconds()), bits(a.seconds()), at + ": the bits of its seconds " + e.seconds());
        assertEquals(e.attempt(), a.attempt(), at + ": attempt");
        assertEquals(expectedKey, actual.key(), at + ": its parameter key");
    }

    /** Decodes a record of the tree and checks its tree and its terms against the contexts. */
    private static EvaluationPack.Decoded assertReadsBack(Tree t, byte[] blob) {
        EvaluationPack.Decoded d = decode(blob, t.key);
        assertBitForBit(expectedTree(t), d.tree(), "tree");
        List<EvaluationContext> terms = t.terms();
        assertEquals(terms.size(), d.terms().size(), "terms read back");
        for (int i = 0; i < terms.size(); i++) {
            EvaluationContext c = terms.get(i);
            assertTerm(expectedRecord(t, c, FIRST_ID + i), key(t, c), d.terms().get(i));
        }
        return d;
    }

    // ---------------------------------------------------------------- round trips

    @Test
    void aTreeOfEveryKindOfNodeAndValueReadsBackBitForBit() throws Exception {
        Tree t = everyKind();
        byte[] blob = encode(t);
        ByteBuffer header = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        assertArrayEquals(new byte[] {'C', 'F', 'E', 2}, Arrays.copyOf(blob, 4), "the mark of layout 2");
        assertEquals(FIRST_ID, header.getLong(4), "the first id");
        assertEquals(10, header.getInt(12), "the count of terms in the header");
        assertTrue(EvaluationPack.is(blob));

        EvaluationPack.Decoded d = assertReadsBack(t, blob);
        List<String> paths = new ArrayList<>();
        for (TermPack.Term term : d.terms()) {
            paths.add(term.record().path());
        }
        assertEquals(List.of("0", "1.0", "1.1", "1.4", "1.5", "1.6", "1.7.0", "2", "3", "4"), paths);

        // a few of the values, spelled out
        TermRecord energies = d.terms().get(0).record();
        assertEquals("m1", energies.worker(), "the member of the metadata is the worker");
        assertEquals("node7", energies.host());
        assertEquals("/runs/3/0", energies.runDirectory());
        assertEquals(bits(NAN_PAYLOAD), bits(energies.quantities().get("energy")), "a NaN keeps its payload");
        assertEquals(300, energies.quantities().array("forces").length);
        assertEquals(0, energies.quantities().array("none").length);
        assertEquals("Ar\u2082 dimer \u00e9", energies.quantities().label("tag"));
        assertEquals("", energies.quantities().label("blank"));
        TermRecord withMessage = d.terms().get(1).record();
        assertEquals(EvaluationRecord.State.FAILED, withMessage.state());
        assertEquals("the energy diverged", withMessage.failure());
        assertTrue(Double.isNaN(withMessage.value()));
        TermRecord withoutMessage = d.terms().get(2).record();
        assertNull(withoutMessage.failure(), "a failed term without a message");
        assertEquals("42", withoutMessage.worker(), "the worker of the metadata, as text");
        assertEquals(millis(ENDED), withoutMessage.started(), "an untimed term: the evaluation's end");
        assertEquals(millis(ENDED), withoutMessage.ended());
        TermRecord atZero = d.terms().get(3).record();
        assertEquals(millis(ENDED), atZero.started(), "a start of 0: the evaluation's end");
        assertEquals(millis(5), atZero.ended());
        TermRecord wraps = d.terms().get(4).record();
        assertTrue(wraps.ended().isBefore(wraps.started()), "an end before the start reads back as such");
        assertEquals(bits(NEGATIVE_NAN), bits(d.terms().get(5).record().value()), "a NaN of the other sign");
        assertEquals("10.0.0.7:5701", d.terms().get(6).record().host(), "the member address is the host");
        assertEquals(JsonCodec.parameterKey(OTHER), d.terms().get(7).key(), "a term of other parameters");
        assertEquals(t.key, d.terms().get(8).key(), "parameters of the same values: the evaluation's key");
        assertEquals(EvaluationRecord.State.FAILED, d.terms().get(9).record().state(), "failed when it finished");

        // the apart leaf's quantities are a mark; the replayed leaf keeps its own
        Map<?, ?> group = (Map<?, ?>) ((List<?>) d.tree().get("terms")).get(1);
        List<?> leaves = (List<?>) group.get("terms");
        assertEquals(JsonCodec.IN_TERMS + "1.2", ((Map<?, ?>) leaves.get(2)).get("quantities"));
        assertEquals(
                List.of("energy", "tag", "long"),
                List.copyOf(((Map<?, ?>) ((Map<?, ?>) leaves.get(3)).get("quantities")).keySet()));
    }

    @Test
    void aFailedUntimedEvaluationReadsBack() {
        Tree t = new Tree(new EvaluationContext(P, "e4"));
        EvaluationContext c = t.leaf(t.root, "dimer", 0.25, failedTerm("no energy", "w"));
        c.fail(new IllegalArgumentException("no energy"));
        c.timed(START, 3, "w");
        EvaluationContext d = t.leaf(t.root, "trimer", 1.0, EvaluationPack.LeafOf.TREE);
        d.complete(Double.NaN);
        t.root.fail(new IllegalArgumentException("the evaluation fails"));
        byte[] blob = encode(t);
        EvaluationPack.Decoded read = assertReadsBack(t, blob);
        assertEquals("the evaluation fails", read.tree().get("failure"));
        assertEquals("FAILED", read.tree().get("status"));
        assertFalse(read.tree().containsKey("timing"), "an untimed root has no timing");
        assertEquals(1, read.terms().size());
    }

    @Test
    void aRootWithoutTermsReadsBackAsItsMap() {
        Tree t = new Tree(new EvaluationContext(P, "e1"));
        t.root.computed(Quantities.of("energy", -3.5));
        t.root.put("note", "alone");
        t.root.timed(START, 7, "main");
        t.root.complete(-3.5);
        byte[] blob = encode(t);
        EvaluationPack.Decoded d = assertReadsBack(t, blob);
        assertFalse(d.tree().containsKey("terms"), "toMap gives a root without terms no \"terms\"");
        assertEquals(0, d.terms().size());
    }

    @Test
    void moreThanSixtyFourDistinctTextsRepeatedAcrossLeavesReadBack() {
        String[] names = MANY_NAMES;
        String[] quantities = MANY_QUANTITIES;
        String[] threads = MANY_THREADS;
        int leaves = 150;
        Tree t = manyTexts(leaves);
        byte[] blob = encode(t);
        EvaluationPack.Decoded d = assertReadsBack(t, blob);
        assertEquals(leaves, d.terms().size());
        for (int j = 0; j < leaves; j++) {
            TermRecord r = d.terms().get(j).record();
            assertEquals(names[j % names.length], r.name(), "leaf " + j);
            assertEquals(threads[(j + 3) % threads.length], r.worker(), "leaf " + j);
            assertEquals(
                    List.of(quantities[j % quantities.length], quantities[(j + 1) % quantities.length]),
                    List.copyOf(r.quantities().names()),
                    "leaf " + j);
        }
        // the first texts always find room in the table: written once, then referred to
        assertEquals(1, occurrences(blob, names[0]), "a kept text is written once for its two leaves");
        int written = 0;
        for (String n : names) {
            written += occurrences(blob, n);
        }
        assertTrue(written >= names.length && written < leaves, "each name written once at least: " + written);
        assertTrue(
                written > names.length,
                "texts beyond the table's 64 slots are written again (and numbered): " + written);
    }

    /**
     * A thread writes the texts of a record as its last record did while they are the same
     * objects in the same order ({@code TextMemo}): each record must still be, byte for byte, what
     * a thread that wrote nothing before writes, whether it follows the last record to its end,
     * parts from it at its first text, in the middle or at a text of equal contents in another
     * object, ends before it, or goes on past it.
     */
    @Test
    void aRecordAfterOthersOfTheSameThreadIsTheRecordAFreshThreadWrites() throws Exception {
        Tree every = everyKind();
        Tree many = manyTexts(150);
        Tree fewer = manyTexts(40); // the first 40 leaves of many: ends before the last record
        Tree more = manyTexts(170); // goes on past it
        Tree renamed = manyTexts(150);
        // the 20th leaf's name: equal contents in another object, then other contents
        Tree equalText = manyTexts(150);
        renameLeaf(equalText, 20, new String(MANY_NAMES[20].toCharArray()));
        renameLeaf(renamed, 20, "another-name");
        Tree firstOther = manyTexts(150);
        renameLeaf(firstOther, 0, "first-other");
        List<Tree> order = List.of(
                every,
                every,
                many,
                many,
                fewer,
                many,
                more,
                many,
                equalText,
                equalText,
                many,
                renamed,
                many,
                firstOther,
                many,
                every,
                many);
        Map<Tree, byte[]> fresh = new IdentityHashMap<>();
        for (Tree t : order) {
            if (!fresh.containsKey(t)) {
                fresh.put(t, onAFreshThread(t));
            }
        }
        for (int i = 0; i < order.size(); i++) {
            Tree t = order.get(i);
            assertArrayEquals(fresh.get(t), encode(t), "record " + i + " of the sequence");
        }
        // what the fresh records hold: the renamed leaf is written with its new name
        assertEquals(
                "another-name",
                decode(fresh.get(renamed), renamed.key).terms().get(20).record().name());
        assertReadsBack(renamed, encode(renamed));
    }

    /**
     * A record written from within another on the same thread (from its {@code kind}), and a
     * record that failed half-way, leave the thread's remembered texts as they must be: every
     * record, the outer one included, is what a fresh thread writes.
     */
    @Test
    void aRecordWithinARecordAndAFailedRecordLeaveTheNextRecordsRight() throws Exception {
        Tree many = manyTexts(150);
        Tree every = everyKind();
        Tree renamed = manyTexts(150);
        renameLeaf(renamed, 20, "another-name");
        byte[] freshMany = onAFreshThread(many);
        byte[] freshEvery = onAFreshThread(every);
        byte[] freshRenamed = onAFreshThread(renamed);

        assertArrayEquals(freshMany, encode(many));
        // the fourth leaf's kind writes another record first, while the outer one follows the last
        EvaluationContext fourth = many.root.child(3);
        byte[][] inner = new byte[1][];
        byte[] outer = encodeWith(many, c -> {
            if (c == fourth) {
                inner[0] = encode(every);
            }
            return many.of(c);
        });
        assertArrayEquals(freshEvery, inner[0], "the record written within");
        assertArrayEquals(freshMany, outer, "the record it was written within");
        assertArrayEquals(freshMany, encode(many), "the next record");
        assertArrayEquals(freshEvery, encode(every));
        assertArrayEquals(freshMany, encode(many));

        // failures half-way: while following the last record, and after parting from it
        EvaluationContext thirtieth = many.root.child(30);
        RuntimeException boom = new RuntimeException("boom");
        assertThrows(
                RuntimeException.class,
                () -> encodeWith(many, c -> {
                    if (c == thirtieth) {
                        throw boom;
                    }
                    return many.of(c);
                }));
        assertArrayEquals(freshMany, encode(many), "after a record that failed while following");
        EvaluationContext fortieth = renamed.root.child(40);
        assertThrows(
                RuntimeException.class,
                () -> encodeWith(renamed, c -> {
                    if (c == fortieth) {
                        throw boom;
                    }
                    return renamed.of(c);
                }));
        assertArrayEquals(freshMany, encode(many), "after a record that failed after parting");
        assertArrayEquals(freshRenamed, encode(renamed));
        assertArrayEquals(freshMany, encode(many));
    }

    /**
     * A buffer's limit is where its room ends, and a buffer that is a slice of a larger array
     * writes nothing outside the slice: the record grows into a new buffer instead.
     */
    @Test
    void aRecordKeepsWithinTheBuffersLimitAndSlice() throws Exception {
        Tree t = everyKind();
        byte[] reference = encode(t);

        ByteBuffer limited = ByteBuffer.allocate(4096);
        limited.limit(20);
        ByteBuffer out = EvaluationPack.encodeInto(limited, t.root, FIRST_ID, t.key, t::of, ENDED)
                .buffer();
        assertArrayEquals(reference, Arrays.copyOf(out.array(), out.position()), "a limit of 20 bytes");
        byte[] beyondLimit = new byte[4096 - 20];
        assertArrayEquals(beyondLimit, Arrays.copyOfRange(limited.array(), 20, 4096), "nothing written past the limit");

        byte[] big = new byte[300];
        Arrays.fill(big, (byte) 0x55);
        ByteBuffer slice = ByteBuffer.wrap(big, 100, 32).slice();
        ByteBuffer grown = EvaluationPack.encodeInto(slice, t.root, FIRST_ID, t.key, t::of, ENDED)
                .buffer();
        assertEquals(0, grown.arrayOffset());
        assertArrayEquals(reference, Arrays.copyOf(grown.array(), grown.position()), "a slice of 32 bytes");
        for (int i = 0; i < big.length; i++) {
            if (i < 100 || i >= 132) {
                assertEquals((byte) 0x55, big[i], "byte " + i + " of the array outside the slice");
            }
        }

        // a slice with room: the record is written into it, at its position
        byte[] roomy = new byte[reference.length + 200];
        ByteBuffer inSlice = ByteBuffer.wrap(roomy, 50, reference.length + 100).slice();
        inSlice.position(5);
        ByteBuffer same = EvaluationPack.encodeInto(inSlice, t.root, FIRST_ID, t.key, t::of, ENDED)
                .buffer();
        assertSame(roomy, same.array(), "the slice had room: no new buffer");
        assertEquals(5 + reference.length, same.position());
        assertArrayEquals(reference, Arrays.copyOfRange(roomy, 55, 55 + reference.length));
    }

    private static byte[] encodeWith(
            Tree t, java.util.function.Function<EvaluationContext, EvaluationPack.LeafOf> kind) {
        ByteBuffer b = EvaluationPack.encodeInto(ByteBuffer.allocate(1 << 16), t.root, FIRST_ID, t.key, kind, ENDED)
                .buffer();
        return Arrays.copyOf(b.array(), b.position());
    }

    /** The record says what {@link BestPoint#degraded} says of its tree (the session stores it). */
    @Test
    void aRecordSaysWhetherATermBelowTheRootWasStoodInFor() throws Exception {
        Tree every = everyKind(); // leaf 4 was skipped by the failure policy
        assertTrue(BestPoint.degraded(every.root));
        assertTrue(EvaluationPack.encodeInto(ByteBuffer.allocate(64), every.root, FIRST_ID, every.key, every::of, ENDED)
                .degraded());
        Tree clean = manyTexts(10);
        assertFalse(BestPoint.degraded(clean.root));
        assertFalse(
                EvaluationPack.encodeInto(ByteBuffer.allocate(64), clean.root, FIRST_ID, clean.key, clean::of, ENDED)
                        .degraded());
        // a penalty two levels down
        Tree deep = new Tree(new EvaluationContext(P, "e5"));
        EvaluationContext inner = deep.root.addChild("inner", 1.0);
        EvaluationContext leaf = deep.leaf(inner, "leaf", 1.0, failedTerm("boom", "main"));
        leaf.fail(new RuntimeException("boom"));
        leaf.penalize(1e6);
        inner.complete(1e6);
        deep.root.complete(1e6);
        assertTrue(BestPoint.degraded(deep.root));
        assertTrue(EvaluationPack.encodeInto(ByteBuffer.allocate(64), deep.root, FIRST_ID, deep.key, deep::of, ENDED)
                .degraded());
        // a failed leaf (the policy raised: the evaluation failed too)
        Tree failedLeaf = new Tree(new EvaluationContext(P, "e7"));
        EvaluationContext f = failedLeaf.leaf(failedLeaf.root, "leaf", 1.0, failedTerm("boom", "main"));
        f.fail(new RuntimeException("boom"));
        failedLeaf.root.fail(new RuntimeException("boom"));
        assertTrue(BestPoint.degraded(failedLeaf.root));
        assertTrue(EvaluationPack.encodeInto(
                        ByteBuffer.allocate(64), failedLeaf.root, FIRST_ID, failedLeaf.key, failedLeaf::of, ENDED)
                .degraded());
        // a failed root alone is not a term stood in for
        Tree failedRoot = new Tree(new EvaluationContext(P, "e6"));
        failedRoot.root.fail(new RuntimeException("no terms"));
        assertFalse(BestPoint.degraded(failedRoot.root));
        assertFalse(EvaluationPack.encodeInto(
                        ByteBuffer.allocate(64), failedRoot.root, FIRST_ID, failedRoot.key, failedRoot::of, ENDED)
                .degraded());
        // a failed term of weight 0, and a failed leaf below a nested term of weight 0: the loss is
        // exact, so the record is not degraded
        Tree zero = new Tree(new EvaluationContext(P, "e8"));
        EvaluationContext kept = zero.leaf(zero.root, "kept", 1.0, term("main"));
        kept.complete(2.0);
        EvaluationContext monitored = zero.leaf(zero.root, "monitored", 0.0, failedTerm("boom", "main"));
        monitored.fail(new RuntimeException("boom"));
        EvaluationContext nested = zero.root.addChild("nested", 0.0);
        EvaluationContext below = zero.leaf(nested, "below", 1.0, failedTerm("boom", "main"));
        below.fail(new RuntimeException("boom"));
        nested.fail(new RuntimeException("boom"));
        zero.root.complete(2.0);
        assertFalse(BestPoint.degraded(zero.root));
        assertFalse(EvaluationPack.encodeInto(ByteBuffer.allocate(64), zero.root, FIRST_ID, zero.key, zero::of, ENDED)
                .degraded());
    }

    private static final String[] MANY_NAMES = numbered("leaf-%03d", 100);
    private static final String[] MANY_QUANTITIES = numbered("q-%03d", 80);
    private static final String[] MANY_THREADS = numbered("thread-%03d", 70);

    /** @return that many texts of the format, numbered from 0 */
    private static String[] numbered(String format, int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = String.format(format, i);
        }
        return out;
    }

    /**
     * @return a tree of that many leaves, named, timed and with quantities named by the very same
     *     String objects from tree to tree (as from evaluation to evaluation), more of them than
     *     the record's table of texts keeps
     */
    private static Tree manyTexts(int leaves) {
        Tree t = new Tree(new EvaluationContext(P, "e9"));
        for (int j = 0; j < leaves; j++) {
            EvaluationContext c = t.leaf(
                    t.root, MANY_NAMES[j % MANY_NAMES.length], 1.0, term(MANY_THREADS[(j + 3) % MANY_THREADS.length]));
            c.computed(Quantities.builder()
                    .put(MANY_QUANTITIES[j % MANY_QUANTITIES.length], j)
                    .put(MANY_QUANTITIES[(j + 1) % MANY_QUANTITIES.length], new double[] {j, -j})
                    .build());
            c.complete(j * 0.5);
            c.contribute(j * 0.5);
            c.timed(START + j, 1000 + j, MANY_THREADS[j % MANY_THREADS.length]);
        }
        t.root.complete(1.0);
        return t;
    }

    private static void renameLeaf(Tree t, int index, String name) throws ReflectiveOperationException {
        Field f = EvaluationContext.class.getDeclaredField("name");
        f.setAccessible(true);
        f.set(t.root.child(index), name);
    }

    /** @return the record a thread that has written no record before writes */
    private static byte[] onAFreshThread(Tree t) throws InterruptedException {
        byte[][] out = new byte[1][];
        RuntimeException[] failed = new RuntimeException[1];
        Thread thread = new Thread(() -> {
            try {
                out[0] = encode(t);
            } catch (RuntimeException e) {
                failed[0] = e;
            }
        });
        thread.start();
        thread.join();
        if (failed[0] != null) {
            throw failed[0];
        }
        return out[0];
    }

    private static int occurrences(byte[] blob, String text) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        int n = 0;
        for (int i = 0; i + t.length <= blob.length; i++) {
            if (Arrays.equals(blob, i, i + t.length, t, 0, t.length)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aBufferThatStartsTinyGrowsInTheMiddleOfAnyField() throws Exception {
        Tree t = everyKind();
        byte[] reference = encode(t);

        ByteBuffer tiny = ByteBuffer.allocate(8);
        EvaluationPack.Into into = EvaluationPack.encodeInto(tiny, t.root, FIRST_ID, t.key, t::of, ENDED);
        assertNotSame(tiny, into.buffer(), "a buffer of 8 bytes is replaced by a larger one");
        assertTrue(
                into.buffer().capacity() >= reference.length,
                "capacity " + into.buffer().capacity());
        assertEquals(reference.length, into.buffer().position());
        assertArrayEquals(reference, Arrays.copyOf(into.buffer().array(), reference.length));
        assertReadsBack(t, Arrays.copyOf(into.buffer().array(), reference.length));

        // every capacity up to the record's size: the buffer grows at every byte of the record
        for (int cap = 0; cap <= reference.length + 8; cap++) {
            assertArrayEquals(reference, encode(t, ByteBuffer.allocate(cap)), "a buffer of " + cap + " bytes");
        }
        // with bytes before the record (as in a frame of the pending file): they are kept
        byte[] before = {9, 8, 7};
        for (int cap = before.length; cap <= reference.length + 8; cap += 3) {
            ByteBuffer b = ByteBuffer.allocate(cap).put(before);
            ByteBuffer out = EvaluationPack.encodeInto(b, t.root, FIRST_ID, t.key, t::of, ENDED)
                    .buffer();
            assertEquals(before.length + reference.length, out.position(), "a buffer of " + cap + " bytes");
            assertArrayEquals(before, Arrays.copyOf(out.array(), before.length), "a buffer of " + cap + " bytes");
            assertArrayEquals(
                    reference,
                    Arrays.copyOfRange(out.array(), before.length, out.position()),
                    "a buffer of " + cap + " bytes");
        }
    }

    // ---------------------------------------------------------------- layout 1

    /** Writes a tree in layout 1, as the writer of schema 5 did (a3c5e17). */
    private static byte[] layoutOne(Tree t) {
        ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {'C', 'F', 'E', 1}).putLong(FIRST_ID).putInt(0);
        int[] terms = {0};
        nodeOne(t, t.root, b, terms);
        b.putInt(12, terms[0]);
        return Arrays.copyOf(b.array(), b.position());
    }

    private static void nodeOne(Tree t, EvaluationContext c, ByteBuffer b, int[] terms) {
        EvaluationPack.LeafOf of = c.children().isEmpty() && c.parent() != null ? t.of(c) : null;
        textOne(b, c.name());
        b.putInt(c.index());
        textOne(b, c.status().name());
        b.put(of == null ? 0 : of.kind().code);
        b.putDouble(c.value());
        if (c.parent() != null) {
            b.putDouble(c.weight()).putDouble(c.contribution());
        }
        Quantities q = c.quantities();
        Map<String, Object> meta = c.metadata();
        Throwable failure = c.failure();
        boolean timed = !Double.isNaN(c.seconds());
        int flags = (q.isEmpty() ? 0 : 1) | (meta.isEmpty() ? 0 : 2) | (failure == null ? 0 : 4) | (timed ? 8 : 0);
        b.put((byte) flags);
        if (!q.isEmpty() && (of == null || of.kind() != EvaluationPack.Leaf.APART)) {
            byte[] qb = QuantityCodec.encode(q);
            b.putInt(qb.length).put(qb);
        }
        if (!meta.isEmpty()) {
            textOne(b, JsonCodec.write(meta));
        }
        if (failure != null) {
            textOne(b, Reasons.of(failure));
        }
        if (timed) {
            b.putLong(c.startEpochNanos()).putLong(c.endEpochNanos());
            textOne(b, c.threadName());
        }
        if (of != null) {
            if (of.kind() == EvaluationPack.Leaf.TERM) {
                terms[0]++;
                String member = first(meta, "member", "worker");
                textOne(b, member != null ? member : of.thread());
                b.put((byte) (of.failed() ? 1 : 0));
                textOne(b, of.failed() ? of.failure() : null);
                String own = key(t, c);
                textOne(b, own.equals(t.key) ? null : own);
                b.putLong(c.startEpochNanos() == 0 ? ENDED : c.startEpochNanos());
                b.putLong(c.endEpochNanos() == 0 ? ENDED : c.endEpochNanos());
            }
            return;
        }
        b.putInt(c.children().size());
        for (EvaluationContext child : c.children()) {
            nodeOne(t, child, b, terms);
        }
    }

    private static void textOne(ByteBuffer b, String s) {
        if (s == null) {
            b.putInt(-1);
            return;
        }
        byte[] a = s.getBytes(StandardCharsets.UTF_8);
        b.putInt(a.length).put(a);
    }

    @Test
    void recordsOfTheFirstLayoutStillReadAsTheSameTreeAndTerms() throws Exception {
        Tree t = everyKind();
        byte[] one = layoutOne(t);
        byte[] two = encode(t);
        assertTrue(EvaluationPack.is(one), "a record of layout 1 is a record");
        assertReadsBack(t, one);
        EvaluationPack.Decoded a = decode(one, t.key);
        EvaluationPack.Decoded b = decode(two, t.key);
        assertEquals(JsonCodec.write(a.tree()), JsonCodec.write(b.tree()), "both layouts: one tree");
        assertTrue(two.length < one.length, "layout 2 is the smaller: " + two.length + " bytes against " + one.length);
    }

    // ---------------------------------------------------------------- damaged records

    /** @return the exception, which names the evaluation and run */
    private static JournalException refused(byte[] blob, String what) {
        JournalException e = refusedAsJson(blob, what);
        assertTrue(e.getMessage().contains("evaluation " + NUMBER + " of run " + RUN), what + ": " + e.getMessage());
        return e;
    }

    /** @return the exception (that of the JSON reader for metadata that is not JSON) */
    private static JournalException refusedAsJson(byte[] blob, String what) {
        return assertThrows(JournalException.class, () -> decode(blob, "k"), what);
    }

    @Test
    void everyTruncationOfARecordIsAJournalException() throws Exception {
        Tree t = everyKind();
        for (byte[] blob : List.of(encode(t), layoutOne(t))) {
            for (int n = 0; n < blob.length; n++) {
                refused(Arrays.copyOf(blob, n), "layout " + blob[3] + " cut to " + n + " of " + blob.length + " bytes");
            }
            refused(Arrays.copyOf(blob, blob.length + 1), "layout " + blob[3] + " with a byte more");
        }
    }

    @Test
    void anyChangedByteIsAJournalExceptionOrReadsAsSomeRecord() throws Exception {
        Tree t = everyKind();
        int[] masks = {0x01, 0x80, 0xFF};
        for (byte[] blob : List.of(encode(t), layoutOne(t))) {
            int refused = 0;
            int read = 0;
            for (int p = 0; p < blob.length; p++) {
                for (int mask : masks) {
                    byte[] bad = blob.clone();
                    bad[p] ^= (byte) mask;
                    try {
                        decode(bad, t.key);
                        read++;
                    } catch (JournalException e) {
                        refused++;
                    } catch (RuntimeException | Error e) {
                        throw new AssertionError(
                                "layout " + blob[3] + ", byte " + p + " ^ 0x" + Integer.toHexString(mask) + ": " + e,
                                e);
                    }
                    if (p < 4 || (p >= 12 && p < 16)) {
                        // the mark and the count of terms are always checked
                        int at = p;
                        assertThrows(JournalException.class, () -> decode(bad, t.key), "byte " + at);
                    }
                }
            }
            assertEquals(blob.length * masks.length, refused + read);
            // most bytes are doubles, which read as other doubles; the mark and the count always refuse
            assertTrue(
                    refused >= 8 * masks.length && read > 0,
                    "layout " + blob[3] + ": " + refused + " refused, " + read + " read");
        }
    }

    /** Bytes of a record written by hand, after the class comment. */
    private static final class Bytes {
        private final ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);

        Bytes u8(int v) {
            b.put((byte) v);
            return this;
        }

        Bytes i32(int v) {
            b.putInt(v);
            return this;
        }

        Bytes i64(long v) {
            b.putLong(v);
            return this;
        }

        Bytes f64(double v) {
            b.putDouble(v);
            return this;
        }

        Bytes varint(long v) {
            long x = v;
            while ((x & ~0x7FL) != 0) {
                b.put((byte) ((x & 0x7F) | 0x80));
                x >>>= 7;
            }
            b.put((byte) x);
            return this;
        }

        Bytes raw(byte[] a) {
            b.put(a);
            return this;
        }

        /** A ref to a new text. */
        Bytes ref(String s) {
            byte[] a = s.getBytes(StandardCharsets.UTF_8);
            varint(1).varint(a.length);
            b.put(a);
            return this;
        }

        /** A plain text. */
        Bytes plain(String s) {
            byte[] a = s.getBytes(StandardCharsets.UTF_8);
            varint(a.length + 1L);
            b.put(a);
            return this;
        }

        /** A text of layout 1. */
        Bytes text(String s) {
            byte[] a = s.getBytes(StandardCharsets.UTF_8);
            b.putInt(a.length).put(a);
            return this;
        }

        byte[] bytes() {
            return Arrays.copyOf(b.array(), b.position());
        }
    }

    private static Bytes header(int layout, int terms) {
        return new Bytes().u8('C').u8('F').u8('E').u8(layout).i64(FIRST_ID).i32(terms);
    }

    /** A record of layout 2 of a root alone: its flags, then the body those flags announce. */
    private static byte[] root(int flags, Consumer<Bytes> body) {
        Bytes b = header(2, 0)
                .ref("objective")
                .varint(0)
                .ref("OK")
                .u8(0)
                .u8(flags)
                .f64(1.0);
        body.accept(b);
        return b.varint(0).bytes();
    }

    /** A root (texts 2 and 3) and one term (texts 4, 5) of layout 2: its flags and what follows them. */
    private static Bytes oneTerm(int terms, int flags, Consumer<Bytes> body) {
        Bytes b = header(2, terms)
                .ref("objective")
                .varint(0)
                .ref("OK")
                .u8(0)
                .u8(0)
                .f64(6.0)
                .varint(1)
                .ref("dimer")
                .varint(1)
                .varint(3)
                .u8(EvaluationPack.Leaf.TERM.code)
                .u8(flags)
                .f64(6.0);
        body.accept(b);
        return b;
    }

    /** The valid term of {@link #oneTerm}: timed from START for 5 ns by "pool-1", its worker. */
    private static final Consumer<Bytes> TIMED_TERM =
            b -> b.i64(START).varint(10).ref("pool-1").varint(5).u8(0);

    @Test
    void theLayoutIsTheOneTheClassCommentDescribes() {
        byte[] blob = oneTerm(1, 16 | 32 | 8, TIMED_TERM).bytes();
        EvaluationPack.Decoded d = decode(blob, "the-key");
        EvaluationContext root = new EvaluationContext(P, "e0");
        EvaluationContext c = root.addChild("dimer", 1.0);
        c.complete(6.0);
        c.contribute(6.0);
        c.timed(START, 5, "pool-1");
        root.complete(6.0);
        assertBitForBit(root.toMap(true), d.tree(), "tree");
        assertEquals(1, d.terms().size());
        TermRecord r = d.terms().get(0).record();
        assertEquals(FIRST_ID, r.id());
        assertEquals("0", r.path());
        assertEquals("pool-1", r.worker(), "the worker is the text numbered 5");
        assertEquals(millis(START), r.started());
        assertEquals(millis(START + 5), r.ended());
        assertEquals(bits(5e-9), bits(r.seconds()));
        assertEquals("the-key", d.terms().get(0).key());

        // the weight and contribution written out, and the term's own times
        byte[] spelled = oneTerm(
                        1,
                        8,
                        b -> b.f64(0.5)
                                .f64(-1.0)
                                .i64(START)
                                .varint(10)
                                .ref("pool-1")
                                .varint(5)
                                .u8(8)
                                .i64(START - 1_000_000)
                                .i64(START + 2_000_000))
                .bytes();
        EvaluationPack.Decoded e = decode(spelled, "the-key");
        Map<?, ?> leaf = (Map<?, ?>) ((List<?>) e.tree().get("terms")).get(0);
        assertEquals(0.5, leaf.get("weight"));
        assertEquals(-1.0, leaf.get("contribution"));
        assertEquals(millis(START - 1_000_000), e.terms().get(0).record().started());
        assertEquals(millis(START + 2_000_000), e.terms().get(0).record().ended());

        // a root of quantities of each kind
        byte[] q = root(
                1,
                b -> b.varint(3)
                        .ref("e")
                        .u8(0)
                        .f64(2.0)
                        .ref("a")
                        .u8(1)
                        .varint(2)
                        .f64(1.0)
                        .f64(NAN_PAYLOAD)
                        .ref("l")
                        .u8(2)
                        .varint(2)
                        .u8('h')
                        .u8('i'));
        Map<?, ?> quantities = (Map<?, ?>) decode(q, "k").tree().get("quantities");
        assertEquals(2.0, quantities.get("e"));
        assertEquals(bits(NAN_PAYLOAD), bits(((double[]) quantities.get("a"))[1]));
        assertEquals("hi", quantities.get("l"));
    }

    @Test
    void damagedFieldsAreJournalExceptions() {
        // lengths that are negative as 64-bit numbers, or beyond what is left
        refused(root(1, b -> b.varint(1).ref("forces").u8(1).varint(-1L)), "an array of -1 values");
        refused(root(1, b -> b.varint(1).ref("forces").u8(1).varint(1L << 40)), "an array of 2^40 values");
        refused(root(1, b -> b.varint(1).ref("forces").u8(1).varint(3).f64(1)), "an array beyond the record");
        refused(root(1, b -> b.varint(1).ref("tag").u8(2).varint(-1L)), "a label of -1 bytes");
        refused(root(1, b -> b.varint(1).varint(-1L).u8(0).f64(1)), "a quantity named by ref -1");
        refused(root(1, b -> b.varint(1).varint(1).varint(-1L)), "a new text of -1 bytes");
        refused(root(2, b -> b.varint(-1L)), "metadata of -1 bytes");
        refused(root(2, b -> b.varint(Long.MIN_VALUE)), "metadata of 2^63 - 1 bytes");
        refused(root(2, b -> b.varint(1000)), "metadata beyond the record");
        refused(root(4, b -> b.varint(-2L)), "a failure of -2 bytes");
        // texts and kinds that do not exist
        assertTrue(refusedAsJson(root(2, b -> b.plain("{\"a\":")), "metadata that is not JSON")
                .getMessage()
                .contains("invalid JSON"));
        refused(root(1, b -> b.varint(1).ref("e").u8(7).f64(1)), "a quantity of kind 7");
        refused(root(1, b -> b.varint(1).varint(0).u8(0).f64(1)), "a quantity without a name");
        refused(root(1, b -> b.varint(1).varint(9).u8(0).f64(1)), "a quantity named by a text not written");
        refused(header(2, 0).varint(0).bytes(), "a node without a name");
        refused(
                root(1, b -> {
                    for (int i = 0; i < 11; i++) {
                        b.u8(0x80);
                    }
                }),
                "a varint of 11 bytes");
        refused(
                header(2, 0)
                        .ref("objective")
                        .varint(0)
                        .ref("OK")
                        .u8(0)
                        .u8(0)
                        .f64(1)
                        .varint(1000)
                        .bytes(),
                "1000 children");
        refused(oneTerm(1, 16 | 32, b -> b.varint(5).u8(0)).bytes(), "an untimed term without times");
        refused(
                oneTerm(
                                1,
                                16 | 32 | 8,
                                b -> b.i64(START)
                                        .varint(10)
                                        .ref("w")
                                        .varint(5)
                                        .u8(2)
                                        .varint(-1L))
                        .bytes(),
                "a term's failure of -1 bytes");
        refused(
                oneTerm(1, 16 | 32 | 2 | 8, b -> {
                            b.plain("null");
                            TIMED_TERM.accept(b);
                        })
                        .bytes(),
                "a term whose metadata is JSON null");
        // the record as a whole
        byte[] valid = oneTerm(1, 16 | 32 | 8, TIMED_TERM).bytes();
        assertEquals(1, decode(valid, "k").terms().size(), "the record these are made from is valid");
        JournalException e = refused(oneTerm(2, 16 | 32 | 8, TIMED_TERM).bytes(), "a header of 2 terms");
        assertTrue(e.getMessage().contains("holds 1 terms where its header says 2"), e.getMessage());
        byte[] v3 = valid.clone();
        v3[3] = 3;
        assertFalse(EvaluationPack.is(v3));
        refused(v3, "layout 3");
        refused(new byte[0], "no bytes");
        refused(new byte[] {'C', 'F', 'E'}, "the mark alone");
    }

    @Test
    void damagedRecordsOfTheFirstLayoutAreJournalExceptions() {
        byte[] nested = QuantityCodec.encode(Quantities.of("e", 2.0));
        Consumer<Bytes> root = b -> b.text("objective").i32(-1).text("OK").u8(0).f64(1.0);
        Bytes valid = header(1, 0);
        root.accept(valid);
        byte[] ok = valid.u8(1).i32(nested.length).raw(nested).i32(0).bytes();
        Map<?, ?> q = (Map<?, ?>) decode(ok, "k").tree().get("quantities");
        assertEquals(Map.of("e", 2.0), q, "a valid root of layout 1 with nested quantities");

        for (int length : new int[] {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 1000}) {
            Bytes b = header(1, 0);
            root.accept(b);
            refused(b.u8(1).i32(length).bytes(), "nested quantities of " + length + " bytes");
        }
        Bytes children = header(1, 0);
        root.accept(children);
        refused(children.u8(0).i32(-5).bytes(), "-5 children");
        Bytes text = header(1, 0).i32(Integer.MAX_VALUE);
        refused(text.bytes(), "a name of 2^31 - 1 bytes");
    }
}

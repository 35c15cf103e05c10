package org.chemfit.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.TermFailedException;
import org.junit.jupiter.api.Test;

class FramesTest {

    static final ClusterSecret SECRET = ClusterSecret.of("correct horse battery staple 42");
    static final ClusterSecret OTHER = ClusterSecret.of("a different secret of 32 bytes!!");

    static Frames.Task task() {
        return new Frames.Task(
                0x1234_5678_9abcL,
                7,
                "e12",
                new int[] {2, 1},
                "trimer",
                Parameters.of(List.of("x", "lj.sigma"), new double[] {0.1 + 0.2, Math.PI}));
    }

    @Test
    void taskRoundTripKeepsEveryBit() throws Exception {
        Frames.Task t = task();
        Frames.Task back = Frames.decodeTask(Frames.encode(t, SECRET), SECRET);
        assertEquals(t.session(), back.session());
        assertEquals(7, back.seq());
        assertEquals("e12", back.evaluationId());
        assertArrayEquals(new int[] {2, 1}, back.path());
        assertEquals("trimer", back.termName());
        assertEquals(List.of("x", "lj.sigma"), back.parameters().names());
        assertEquals(
                Double.doubleToRawLongBits(0.1 + 0.2),
                Double.doubleToRawLongBits(back.parameters().get("x")));
        assertEquals(
                Double.doubleToRawLongBits(Math.PI),
                Double.doubleToRawLongBits(back.parameters().get("lj.sigma")));
    }

    @Test
    void resultRoundTripKeepsValuesQuantitiesMetadataAndFailure() throws Exception {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("retries", 2);
        meta.put("score", 0.1 + 0.7);
        meta.put("files", List.of("in.lmp", "log.lammps"));
        Quantities q = Quantities.builder()
                .put("e", -1.0 / 3)
                .put("rdf", new double[] {0, Double.MIN_VALUE, 1e308})
                .label("tag", "dimer")
                .build();
        Frames.Failure f = new Frames.Failure(
                "term 3 'x' failed: boom",
                "x",
                3,
                "/tmp/run/e12/3",
                137,
                "Segmentation fault",
                true,
                "java.lang.IllegalStateException",
                "boom");
        Frames.Result r = new Frames.Result(
                5,
                9,
                "e12",
                "uuid-1",
                "127.0.0.1:5702",
                EvaluationContext.Status.FAILED,
                Double.NaN,
                q,
                meta,
                f,
                123456789L,
                42L,
                "chemfit-worker-0",
                null,
                true);
        Frames.Result back = Frames.decodeResult(Frames.encode(r, SECRET), SECRET);
        assertEquals(EvaluationContext.Status.FAILED, back.status());
        assertTrue(Double.isNaN(back.value()));
        assertEquals(q, back.quantities());
        assertEquals(meta, back.metadata());
        assertEquals(f, back.failure());
        assertEquals(123456789L, back.startEpochNanos());
        assertEquals(42L, back.durationNanos());
        assertEquals("chemfit-worker-0", back.thread());
        assertNull(back.error());
        assertTrue(back.ready());

        EvaluationContext child = new EvaluationContext(Parameters.of(Map.of("x", 1.0)), "e12");
        LeafRun.apply(back, child);
        TermFailedException t = (TermFailedException) child.failure();
        assertEquals("term 3 'x' failed: boom", t.getMessage());
        assertEquals(137, t.exitCode().getAsInt());
        assertEquals("Segmentation fault", t.stderrTail().orElseThrow());
        assertTrue(t.isTransient());
        assertEquals("uuid-1", child.metadata().get("member"));
        assertEquals("127.0.0.1:5702", child.metadata().get("member_address"));
    }

    @Test
    void aBundleKeepsItsFramesAndLeftOutOnesAndMalformedBundlesAreRefused() throws Exception {
        byte[] one = Frames.encode(task(), SECRET);
        byte[] two = Frames.encode(new Frames.Cancel(5, 6), SECRET);
        List<byte[]> back = Frames.unbundle(Frames.bundle(java.util.Arrays.asList(one, null, two)));
        assertEquals(3, back.size());
        assertArrayEquals(one, back.get(0));
        assertNull(back.get(1));
        assertArrayEquals(two, back.get(2));
        assertEquals(7, Frames.decodeTask(back.get(0), SECRET).seq());

        byte[] good = Frames.bundle(List.of(one));
        java.util.function.Function<byte[], String> refusal =
                b -> assertThrows(Frames.RefusedFrameException.class, () -> Frames.unbundle(b))
                        .getMessage();
        assertTrue(
                refusal.apply(java.nio.ByteBuffer.allocate(4).putInt(0).array()).contains("a bundle of 0 frames"));
        assertTrue(refusal.apply(java.nio.ByteBuffer.allocate(4)
                        .putInt(Frames.MAX_BUNDLE + 1)
                        .array())
                .contains("1 to " + Frames.MAX_BUNDLE));
        byte[] longer = good.clone();
        java.nio.ByteBuffer.wrap(longer).putInt(4, one.length + 1);
        assertTrue(refusal.apply(longer).contains("length " + (one.length + 1) + " out of range"));
        assertTrue(refusal.apply(java.util.Arrays.copyOf(good, good.length + 2)).contains("2 trailing bytes"));
        assertTrue(refusal.apply(java.util.Arrays.copyOf(good, 6)).contains("cut short"));
    }

    @Test
    void aFrameSignedWithAnotherSecretIsRefused() {
        byte[] f = Frames.encode(task(), OTHER);
        Frames.RefusedFrameException e =
                assertThrows(Frames.RefusedFrameException.class, () -> Frames.decodeTask(f, SECRET));
        assertTrue(e.getMessage().contains("HMAC check failed"), e.getMessage());
    }

    @Test
    void everyFlippedByteIsRefused() {
        byte[] f = Frames.encode(task(), SECRET);
        for (int i = 0; i < f.length; i++) {
            byte[] g = f.clone();
            g[i] ^= 0x01;
            assertThrows(Frames.RefusedFrameException.class, () -> Frames.decodeTask(g, SECRET), "byte " + i);
        }
    }

    @Test
    void aChangedEvaluationIdIsRefused() throws Exception {
        Frames.Task t = task();
        byte[] f = Frames.encode(t, SECRET);
        Frames.Task other = new Frames.Task(t.session(), t.seq(), "e13", t.path(), t.termName(), t.parameters());
        byte[] g = Frames.encode(other, SECRET);
        // splice the other id into the first frame's tag: the tag covers the evaluation id
        byte[] spliced = g.clone();
        System.arraycopy(f, f.length - Frames.TAG_BYTES, spliced, g.length - Frames.TAG_BYTES, Frames.TAG_BYTES);
        assertThrows(Frames.RefusedFrameException.class, () -> Frames.decodeTask(spliced, SECRET));
    }

    @Test
    void objectsThatAreNotOurFramesAreRefused() {
        Frames.RefusedFrameException e =
                assertThrows(Frames.RefusedFrameException.class, () -> Frames.check("hello", SECRET));
        assertEquals("not a ChemFit frame: an object of type java.lang.String", e.getMessage());
        assertThrows(Frames.RefusedFrameException.class, () -> Frames.check(new byte[10], SECRET));
        byte[] ready = Frames.encode(new Frames.Ready("m", 1, 1), SECRET);
        Frames.RefusedFrameException k =
                assertThrows(Frames.RefusedFrameException.class, () -> Frames.decodeTask(ready, SECRET));
        assertEquals("expected a frame of kind 1, got kind 3", k.getMessage());
    }

    @Test
    void aRefusedReadyTokenStillNamesItsSender() {
        byte[] ready = Frames.encode(new Frames.Ready("0b5c6f2e-1111-2222-3333-444455556666", 1, 1), OTHER);
        assertEquals("0b5c6f2e-1111-2222-3333-444455556666", Frames.unverifiedReadyMember(ready));
    }

    @Test
    void everyKindOfFrameOfAnotherJobIsRefusedNamingBothFingerprints() throws Exception {
        String ours = "a".repeat(64);
        String theirs = "b".repeat(64);
        List<byte[]> frames = List.of(
                Frames.encode(task(), SECRET, theirs),
                Frames.encode(new Frames.Ready("m", 1, 1), SECRET, theirs),
                Frames.encode(new Frames.Cancel(1, 2), SECRET, theirs));
        String expected = "the sender runs job " + theirs + ", this member runs job " + ours;
        assertEquals(
                expected,
                assertThrows(Frames.JobMismatchException.class, () -> Frames.decodeTask(frames.get(0), SECRET, ours))
                        .getMessage());
        assertEquals(
                expected,
                assertThrows(Frames.JobMismatchException.class, () -> Frames.decodeReady(frames.get(1), SECRET, ours))
                        .getMessage());
        assertEquals(
                expected,
                assertThrows(Frames.JobMismatchException.class, () -> Frames.decodeCancel(frames.get(2), SECRET, ours))
                        .getMessage());
        // the same job passes, and the sender of a refused token is still named
        assertEquals(
                "trimer",
                Frames.decodeTask(Frames.encode(task(), SECRET, ours), SECRET, ours)
                        .termName());
        assertEquals("m", Frames.unverifiedReadyMember(frames.get(1)));
        // the fingerprint is under the tag: changing it in transit breaks the tag, not the job check
        byte[] f = Frames.encode(task(), SECRET, ours);
        byte[] g = f.clone();
        g[3 + 4] = 'b';
        Frames.RefusedFrameException e =
                assertThrows(Frames.RefusedFrameException.class, () -> Frames.decodeTask(g, SECRET, ours));
        assertTrue(e.getMessage().startsWith("HMAC check failed"), e.getMessage());
    }

    @Test
    void aWorkerWithADifferentObjectiveReportsAnError() {
        CombinedObjectiveFunction mine =
                new CombinedObjectiveFunction(List.of(p -> 1.0, p -> 2.0)).withTermNames(List.of("a", "b"));
        Frames.Result r = LeafRun.run(mine, task(), "m", "127.0.0.1:1");
        assertEquals(
                "this member built a different objective: path [2, 1] leaves the objective at level 0: index 2 but only 2 terms",
                r.error());
        Frames.Task t = new Frames.Task(1, 1, "e1", new int[] {1}, "c", Parameters.of(Map.of("x", 1.0)));
        assertEquals(
                "this member built a different objective: term 1 is 'b' here but 'c' on the driver",
                LeafRun.run(mine, t, "m", "127.0.0.1:1").error());
    }

    @Test
    void aLeafRunOnAWorkerGivesTheSerialValueBitForBit() throws Exception {
        CombinedObjectiveFunction root = new TestObjectives().create(Map.of());
        Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.37, -1.1});
        EvaluationContext serial = new EvaluationContext(p, "e1");
        root.evaluate(p, serial);
        Frames.Task t = new Frames.Task(1, 1, "e1", new int[] {2, 1}, "trimer", p);
        Frames.Result r = Frames.decodeResult(Frames.encode(LeafRun.run(root, t, "m", "a"), SECRET), SECRET);
        EvaluationContext expected = serial.child(2).child(1);
        assertEquals(Double.doubleToRawLongBits(expected.value()), Double.doubleToRawLongBits(r.value()));
        assertEquals(expected.quantities(), r.quantities());
        assertEquals(expected.metadata(), r.metadata());
    }

    /** The tag is HMAC-SHA256 under the right secret whichever thread signs, and whatever it signed before. */
    @Test
    void tagsAreTheHmacOfTheFrameOnEveryThreadAndForEverySecret() throws Exception {
        int threads = 4;
        int frames = 200;
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<List<byte[]>>> signed = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int tt = t;
                signed.add(pool.submit(() -> {
                    start.await();
                    List<byte[]> out = new java.util.ArrayList<>();
                    for (int i = 0; i < frames; i++) {
                        // the two secrets alternate on the same thread
                        Frames.Task t1 = new Frames.Task(
                                tt, i, "e" + i, new int[] {i % 3}, "term", Parameters.of(List.of("x"), new double[] {i
                                }));
                        out.add(Frames.encode(t1, i % 2 == 0 ? SECRET : OTHER));
                    }
                    return out;
                }));
            }
            start.countDown();
            for (java.util.concurrent.Future<List<byte[]>> f : signed) {
                List<byte[]> out = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(frames, out.size());
                for (int i = 0; i < frames; i++) {
                    byte[] frame = out.get(i);
                    String key = i % 2 == 0 ? "correct horse battery staple 42" : "a different secret of 32 bytes!!";
                    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
                    mac.init(new javax.crypto.spec.SecretKeySpec(
                            key.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
                    mac.update(frame, 0, frame.length - Frames.TAG_BYTES);
                    assertArrayEquals(
                            mac.doFinal(),
                            java.util.Arrays.copyOfRange(frame, frame.length - Frames.TAG_BYTES, frame.length),
                            "frame " + i);
                    assertEquals(
                            i,
                            Frames.decodeTask(frame, i % 2 == 0 ? SECRET : OTHER)
                                    .seq());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

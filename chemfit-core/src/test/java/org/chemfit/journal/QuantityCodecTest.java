package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.chemfit.Quantities;
import org.junit.jupiter.api.Test;

/** The binary form of quantities: exact doubles, order, labels, size, and damaged bytes refused. */
class QuantityCodecTest {

    private static long[] bits(double[] a) {
        return Arrays.stream(a).mapToLong(Double::doubleToRawLongBits).toArray();
    }

    @Test
    void everyDoubleComesBackBitForBitInTheOrderWritten() {
        double[] forces = {1.0 / 3, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.MIN_VALUE, -1e308};
        Quantities q = Quantities.builder()
                .put("energy", -0.1 - 0.2)
                .put("forces", forces)
                .label("tag", "r3.30 Å")
                .put("empty", new double[0])
                .put("nan", Double.NaN)
                .build();
        Quantities back = QuantityCodec.decode(QuantityCodec.encode(q));
        assertEquals(List.of("energy", "forces", "tag", "empty", "nan"), List.copyOf(back.names()));
        assertEquals(Double.doubleToRawLongBits(-0.1 - 0.2), Double.doubleToRawLongBits(back.get("energy")));
        assertArrayEquals(bits(forces), bits(back.array("forces")));
        assertEquals("r3.30 Å", back.label("tag"));
        assertEquals(0, back.array("empty").length);
        assertTrue(Double.isNaN(back.get("nan")));
        assertEquals(q, back);
    }

    @Test
    void anArrayTakesEightBytesPerDoubleAndIsReadableAsLittleEndianFloat64() {
        double[] forces = {0.5, -1.25, 3.0, 0.0, 7.0, -9.5};
        byte[] blob =
                QuantityCodec.encode(Quantities.builder().put("forces", forces).build());
        // magic 4, count 4, kind 1, name length 2 + 6, array length 4, 6 doubles
        assertEquals(4 + 4 + 1 + 2 + 6 + 4 + 6 * 8, blob.length);
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(6, b.getInt(4 + 4 + 1 + 2 + 6));
        assertEquals(-1.25, b.getDouble(4 + 4 + 1 + 2 + 6 + 4 + 8));
        assertEquals(8, QuantityCodec.encode(Quantities.empty()).length);
    }

    @Test
    void largeQuantitiesGrowTheThreadsBufferAndLaterSmallOnesAreNotMixedWithThem() {
        double[] big = new double[10_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = i / 7.0;
        }
        Quantities large = Quantities.builder()
                .put("forces", big)
                .label("tag", "x".repeat(5000))
                .build();
        byte[] blob = QuantityCodec.encode(large);
        assertEquals(4 + 4 + (1 + 2 + 6 + 4 + 8 * 10_000) + (1 + 2 + 3 + 4 + 5000), blob.length);
        assertEquals(large, QuantityCodec.decode(blob));
        Quantities small = Quantities.builder().put("e", 2.5).build();
        byte[] again = QuantityCodec.encode(small);
        assertEquals(4 + 4 + 1 + 2 + 1 + 8, again.length);
        assertEquals(small, QuantityCodec.decode(again));
    }

    @Test
    void damagedBytesAreRefusedWithTheReason() {
        byte[] blob = QuantityCodec.encode(
                Quantities.builder().put("forces", new double[] {1, 2, 3}).build());
        JournalException cut =
                assertThrows(JournalException.class, () -> QuantityCodec.decode(Arrays.copyOf(blob, blob.length - 3)));
        assertEquals(
                "the journal holds quantities of " + (blob.length - 3) + " bytes that cannot be read:"
                        + " it ends before its last quantity",
                cut.getMessage());
        byte[] other = blob.clone();
        other[0] = '{';
        JournalException magic = assertThrows(JournalException.class, () -> QuantityCodec.decode(other));
        assertTrue(magic.getMessage().endsWith("it does not start with CFQ and format 1"), magic.getMessage());
        byte[] longer = Arrays.copyOf(blob, blob.length + 2);
        JournalException tail = assertThrows(JournalException.class, () -> QuantityCodec.decode(longer));
        assertTrue(tail.getMessage().endsWith("2 bytes follow the last quantity"), tail.getMessage());
    }
}

package org.chemfit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BoundsTest {

    private final Parameters params = Parameters.of(Map.of("lj", Map.of("sigma", 3.4, "epsilon", 0.01)));

    @Test
    void eitherSideMayBeOpen() {
        Bounds b =
                Bounds.builder().lower("lj.epsilon", 0.0).upper("lj.sigma", 4.0).build();
        assertEquals(0.0, b.lower("lj.epsilon"));
        assertEquals(Double.POSITIVE_INFINITY, b.upper("lj.epsilon"));
        assertEquals(Double.NEGATIVE_INFINITY, b.lower("lj.sigma"));
        assertEquals(4.0, b.upper("lj.sigma"));
        assertEquals(Double.NEGATIVE_INFINITY, b.lower("unbounded"));
        b.validate(params);
        assertEquals(4.0, b.clip("lj.sigma", 5.0));
    }

    @Test
    void aSideBoundedTwiceIsRefusedByName() {
        Bounds.Builder b = Bounds.builder().between("x", 0, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.between("x", 2, 3));
        assertEquals("parameter 'x' is bounded twice: [0.0, 1.0], then [2.0, 3.0]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.lower("x", 0.5));
        assertEquals("the lower bound of 'x' is given twice: 0.0, then 0.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.upper("x", 0.5));
        assertEquals("the upper bound of 'x' is given twice: 1.0, then 0.5", e.getMessage());

        // lower and upper give one side each, once
        b.lower("y", -1).upper("y", 1);
        e = assertThrows(IllegalArgumentException.class, () -> b.upper("y", 2));
        assertEquals("the upper bound of 'y' is given twice: 1.0, then 2.0", e.getMessage());
        b.lower("z", 5);
        e = assertThrows(IllegalArgumentException.class, () -> b.between("z", 0, 1));
        assertEquals("parameter 'z' is bounded twice: [5.0, Infinity], then [0.0, 1.0]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.upper("z", 4));
        assertEquals("lower bound of 'z' must not exceed its upper bound, got [5.0, 4.0]", e.getMessage());
        b.upper("z", 6);

        // a refused call changed nothing
        Bounds built = b.build();
        assertEquals("Bounds{x=[0.0, 1.0], y=[-1.0, 1.0], z=[5.0, 6.0]}", built.toString());
    }

    @Test
    void lowerAboveUpperIsRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Bounds.builder().between("x", 2.0, 1.0));
        assertEquals("lower bound of 'x' must not exceed its upper bound, got [2.0, 1.0]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Bounds.builder().between("x", Double.NaN, 1.0));
        assertEquals("bounds of 'x' must not be NaN, got [NaN, 1.0]", e.getMessage());
    }

    @Test
    void unknownNamesAreRefusedWithASuggestion() {
        Bounds b = Bounds.builder().between("lj.sigam", 2.5, 4.0).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.validate(params));
        assertEquals(
                "bounds name unknown parameter 'lj.sigam' (did you mean 'lj.sigma'?); known parameters: lj.sigma, lj.epsilon",
                e.getMessage().replace("lj.epsilon, lj.sigma", "lj.sigma, lj.epsilon"));
    }

    @Test
    void initialValueOutsideItsBoundsIsRefused() {
        Bounds b = Bounds.builder().between("lj.sigma", 2.5, 3.0).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.validate(params));
        assertEquals("initial value of 'lj.sigma' must lie within its bounds [2.5, 3.0], got 3.4", e.getMessage());
    }

    @Test
    void boundsFromPairs() {
        Bounds b = Bounds.of(Map.of("lj.sigma", Arrays.asList(2.5, null), "lj.epsilon", new double[] {0.0, 1.0}));
        assertEquals(2.5, b.lower("lj.sigma"));
        assertEquals(Double.POSITIVE_INFINITY, b.upper("lj.sigma"));
        assertEquals(1.0, b.upper("lj.epsilon"));
        assertThrows(IllegalArgumentException.class, () -> Bounds.of(Map.of("x", 3.0)));
    }

    @Test
    void aPairOfOtherThanNumbersIsRefusedByName() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Bounds.of(Map.of("x", java.util.List.of("0", 1.0))));
        assertEquals("bounds of 'x' must be numbers or null (open), got lower '0' (a String)", e.getMessage());
    }
}

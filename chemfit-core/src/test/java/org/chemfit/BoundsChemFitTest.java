package org.chemfit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ChemFit's bounds check ({@code test_check_params} in {@code tests/test_utils.py} of
 * github.com/MSallermann/chemfit) with its parameters, bounds and tolerance, and nested bounds as
 * ChemFit's fitter tests give them.
 */
class BoundsChemFitTest {

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void checkParamsNearBounds() {
        Map<String, Object> params = map(
                "electrostatic", map("bla", map("a", 1.0, "b", 1.0, "c", 1.0), "foo", 1.0),
                "dispersion", -0.4,
                "params", map("a", 1.0, "b", 1.0));
        Map<String, Object> bounds =
                map("dispersion", List.of(0.2, 2.0), "electrostatic", map("bla", map("a", List.of(0.5, 1.001))));

        List<Bounds.NearBound> found = Bounds.checkParamsNearBounds(params, bounds, 1e-2);

        assertEquals(
                List.of(
                        new Bounds.NearBound("electrostatic.bla.a", 1.0, 0.5, 1.001),
                        new Bounds.NearBound("dispersion", -0.4, 0.2, 2.0)),
                found);
        assertTrue(
                found.get(1).describe().contains("lies outside its bounds [0.2, 2]"),
                found.get(1).describe());
        assertTrue(
                found.get(0).describe().contains("near its upper bound"),
                found.get(0).describe());
    }

    @Test
    void theToleranceIsRelativeToTheWidthAndMayBeZeroOrNegative() {
        Bounds b = Bounds.of(Map.of("x", List.of(0.0, 10.0)));
        assertEquals(1, b.nearBounds(Parameters.of(Map.of("x", 0.5)), 0.1).size());
        assertEquals(0, b.nearBounds(Parameters.of(Map.of("x", 1.5)), 0.1).size());
        assertEquals(0, b.nearBounds(Parameters.of(Map.of("x", 0.0)), 0.0).size(), "zero: only values outside");
        assertEquals(1, b.nearBounds(Parameters.of(Map.of("x", -0.5)), 0.0).size());
        assertEquals(
                0, b.nearBounds(Parameters.of(Map.of("x", -0.5)), -0.1).size(), "negative: looser than the bounds");
        assertThrows(IllegalArgumentException.class, () -> b.nearBounds(Parameters.of(Map.of("x", 1.0)), Double.NaN));
    }

    @Test
    void nestedBoundsAreGivenLikeNestedParameters() {
        Bounds b = Bounds.of(map("params", map("x", List.of(0.0, 1.5)), "lj.sigma", Arrays.asList(2.5, null)));
        assertEquals(0.0, b.lower("params.x"));
        assertEquals(1.5, b.upper("params.x"));
        assertEquals(2.5, b.lower("lj.sigma"));
        assertEquals(Double.POSITIVE_INFINITY, b.upper("lj.sigma"));
        b.validate(Parameters.of(map("params", map("x", 0.0), "lj", map("sigma", 3.0))));
    }

    @Test
    void aParameterBoundedTwiceIsRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Bounds.of(map("lj.sigma", List.of(0.0, 1.0), "lj", map("sigma", List.of(0.0, 2.0)))));
        assertEquals("parameter 'lj.sigma' is bounded twice (once nested, once by its dotted name)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Bounds.of(map("lj", map())));
        assertEquals("bounds of group 'lj' must not be empty", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Bounds.of(map("lj", map("sigma", 3.0))));
        assertTrue(
                e.getMessage().startsWith("bounds of 'lj.sigma' must be a pair [lower, upper] or a group of bounds"),
                e.getMessage());
    }
}

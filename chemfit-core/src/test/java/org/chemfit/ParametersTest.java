package org.chemfit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParametersTest {

    private static Map<String, Object> nested() {
        Map<String, Object> electrostatic = new LinkedHashMap<>();
        electrostatic.put("te", 1.5);
        electrostatic.put("scale", Map.of("inner", 0.25));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epsilon", 0.01);
        m.put("electrostatic", electrostatic);
        m.put("sigma", 3);
        return m;
    }

    @Test
    void nestedMapsFlattenToDottedNamesInOrder() {
        Parameters p = Parameters.of(nested());
        assertEquals(List.of("epsilon", "electrostatic.te", "electrostatic.scale.inner", "sigma"), p.names());
        assertEquals(1.5, p.get("electrostatic.te"));
        assertEquals(0.25, p.get("electrostatic.scale.inner"));
        assertEquals(3.0, p.get("sigma"));
        assertEquals(4, p.size());
    }

    @Test
    void theNamesOfAMapFromMapOfAreSortedAtEveryLevel() {
        // Map.of iterates from a slot and in a direction chosen at each start of the JVM: these
        // names lie in its table so that no start iterates them sorted (q between c and e), so
        // this fails without the sort in every run
        Parameters p = Parameters.of(Map.of(
                "h",
                8.0,
                "c",
                3.0,
                "f",
                6.0,
                "a",
                1.0,
                "g",
                7.0,
                "b",
                2.0,
                "e",
                5.0,
                "q",
                Map.of("a", 4.1, "b", 4.2, "d", 4.3, "q", 4.4)));
        assertEquals(List.of("a", "b", "c", "e", "f", "g", "h", "q.a", "q.b", "q.d", "q.q"), p.names());
        assertEquals(4.3, p.get("q.d"));
        Map<String, Double> given = new LinkedHashMap<>();
        List.of("h", "c", "f", "a", "g", "b", "e", "q").forEach(n -> given.put(n, 1.0));
        assertEquals(
                List.of("a", "b", "c", "e", "f", "g", "h", "q"),
                Parameters.of(Map.copyOf(given)).names());
        // a map with an order of its own keeps it
        assertEquals(
                List.of("h", "c", "f", "a", "g", "b", "e", "q"),
                Parameters.of(given).names());
        // names that withAll adds go at the end, those of a Map.of map sorted as well
        assertEquals(
                List.of("z", "a", "b", "c", "e", "f", "g", "h", "q"),
                Parameters.of(Map.of("z", 0.0)).withAll(Map.copyOf(given)).names());
        assertEquals(
                List.of("z", "h", "c", "f", "a", "g", "b", "e", "q"),
                Parameters.of(Map.of("z", 0.0)).withAll(given).names());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aMapFromMapOfWithNamesThatAreNotTextsIsRefusedByItsFirstName() {
        Map<String, ?> numbers = (Map<String, ?>) (Map<?, ?>) Map.of(3, 1.0, 1, 2.0, 2, 3.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parameters.of(numbers));
        assertEquals("parameter names must be strings, got 1", e.getMessage());
    }

    @Test
    void nestedMapViewRoundTrips() {
        Parameters p = Parameters.of(nested());
        Map<String, Object> view = p.asNestedMap();
        assertEquals(Map.of("te", 1.5, "scale", Map.of("inner", 0.25)), view.get("electrostatic"));
        assertEquals(p, Parameters.of(view));
        assertEquals(p, Parameters.of(p.asFlatMap()));
    }

    @Test
    void dottedKeysAndNestedKeysAreTheSameParameter() {
        Parameters a = Parameters.of(Map.of("lj", Map.of("sigma", 3.4)));
        Parameters b = Parameters.of(Map.of("lj.sigma", 3.4));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
    }

    @Test
    void withCopiesAndLeavesTheOriginalUnchanged() {
        Parameters p = Parameters.of(nested());
        Parameters q = p.with("electrostatic.te", 2.0);
        assertEquals(1.5, p.get("electrostatic.te"));
        assertEquals(2.0, q.get("electrostatic.te"));
        assertEquals(p.names(), q.names());
        Parameters r = p.with("extra.value", 7.0);
        assertEquals(5, r.size());
        assertEquals(7.0, r.get("extra.value"));
        assertFalse(p.contains("extra.value"));
    }

    @Test
    void unknownNameSuggestsTheClosest() {
        Parameters p = Parameters.of(nested());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.get("electrostatic.tee"));
        assertTrue(e.getMessage().contains("unknown parameter 'electrostatic.tee'"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'electrostatic.te'"), e.getMessage());
        assertEquals(-1.0, p.get("nothing", -1.0));
    }

    @Test
    void nonFiniteValuesAreRefusedWithNameAndValue() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Parameters.of(Map.of("x", Double.NaN)));
        assertEquals("parameter 'x' must be a finite number, got NaN", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Parameters.of(Map.of("x", 1.0)).with("x", Double.POSITIVE_INFINITY));
        assertEquals("parameter 'x' must be a finite number, got Infinity", e.getMessage());
    }

    @Test
    void badShapesAreRefused() {
        assertEquals(
                "parameter 'x' must be a number or a map of parameters, got String abc",
                assertThrows(IllegalArgumentException.class, () -> Parameters.of(Map.of("x", "abc")))
                        .getMessage());
        assertEquals(
                "parameter group 'g' is empty",
                assertThrows(IllegalArgumentException.class, () -> Parameters.of(Map.of("g", Map.of())))
                        .getMessage());
        Map<String, Object> clash = new LinkedHashMap<>();
        clash.put("a", 1.0);
        clash.put("a.b", 2.0);
        assertEquals(
                "parameter 'a' is both a value and the group of 'a.b'",
                assertThrows(IllegalArgumentException.class, () -> Parameters.of(clash))
                        .getMessage());
        Map<String, Object> twice = new LinkedHashMap<>();
        twice.put("a.b", 1.0);
        twice.put("a", Map.of("b", 2.0));
        assertEquals(
                "parameter 'a.b' is given twice",
                assertThrows(IllegalArgumentException.class, () -> Parameters.of(twice))
                        .getMessage());
        assertEquals(
                "parameter name 'a..b' has an empty part between dots",
                assertThrows(IllegalArgumentException.class, () -> Parameters.of(Map.of("a..b", 1.0)))
                        .getMessage());
    }

    @Test
    void arraysFollowTheGivenNames() {
        Parameters p = Parameters.of(nested());
        double[] v = p.toArray(List.of("sigma", "epsilon"));
        assertEquals(3.0, v[0]);
        assertEquals(0.01, v[1]);
        Parameters q = p.with(List.of("sigma", "epsilon"), new double[] {3.5, 0.02});
        assertEquals(3.5, q.get("sigma"));
        assertEquals(0.02, q.get("epsilon"));
    }

    @Test
    void aMissingValueInWithAllIsRefusedByName() {
        Map<String, Double> changes = new LinkedHashMap<>();
        changes.put("sigma", null);
        assertEquals(
                "parameter 'sigma' must be a finite number, got null",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Parameters.of(nested()).withAll(changes))
                        .getMessage());
    }
}

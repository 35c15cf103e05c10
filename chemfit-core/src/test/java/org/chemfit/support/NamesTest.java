package org.chemfit.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** "Did you mean": a near name is suggested, a name that shares little with the misspelt one is not. */
class NamesTest {

    @Test
    void aNearNameIsSuggested() {
        assertEquals("lj.sigma", Names.closest("lj.sigam", List.of("lj.sigma", "lj.epsilon")));
        assertEquals("epsilon", Names.closest("epsiln", List.of("sigma", "epsilon")));
        assertEquals("r", Names.closest("rr", List.of("r", "steps")));
        assertEquals("max_evaluations", Names.suggest("max_evals", List.of("method", "max_evaluations")));
    }

    @Test
    void aShortNameThatSharesOneLetterIsNotSuggested() {
        // 'bar' is two edits from 'r', but 'r' is a third of it
        assertNull(Names.closest("bar", List.of("r", "steps")));
        assertNull(Names.suggest("bar", List.of("r", "steps")));
        assertNull(Names.closest("xy", List.of("r")));
    }

    @Test
    void aNameWithoutItsGroupSuggestsTheOneParameterItEnds() {
        // 'sigma' is 3 edits from 'lj.sigma', too far to be near: it is the name's last segment
        assertNull(Names.closest("sigma", List.of("lj.epsilon", "lj.sigma")));
        assertEquals("lj.sigma", Names.suggest("sigma", List.of("lj.epsilon", "lj.sigma")));
        assertEquals("lj.sigma", Names.suggest("Sigma", List.of("lj.epsilon", "lj.sigma")));
        // two parameters end in it: neither is the one meant
        assertNull(Names.suggest("sigma", List.of("lj.sigma", "morse.sigma")));
        // a segment is the whole of what follows a dot: 'ma' is no parameter's
        assertNull(Names.suggest("ma", List.of("lj.epsilon", "lj.sigma")));
    }
}

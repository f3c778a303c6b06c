package org.kdharness.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ASHA's rung arithmetic and its promotion rule, on known cases. */
class SearchSpecTest {

    private static SearchSpec asha(int min, double eta) {
        return new SearchSpec("asha", min, eta, null);
    }

    @Test
    void rungsAreMinEpochsTimesPowersOfEtaBelowTheLastEpoch() {
        assertEquals(List.of(1, 3), asha(1, 3).rungs(9), "9 is the end, not a rung");
        assertEquals(List.of(1, 3, 9), asha(1, 3).rungs(10));
        assertEquals(List.of(2, 6), asha(2, 3).rungs(18));
        assertEquals(List.of(1, 2, 4, 8), asha(1, 2).rungs(9));
        // η = 1.5 from 2: 2, 3, 4.5 -> 5 (rounded), 6.75 -> 7, 10.1 -> 10 (not below 10)
        assertEquals(List.of(2, 3, 5, 7), asha(2, 1.5).rungs(10));
        // η = 1.2 from 1: 1, 1.2 -> 1 (repeated, dropped), 1.44 -> 1, 1.73 -> 2, ...
        assertEquals(List.of(1, 2, 3), asha(1, 1.2).rungs(4));
        assertEquals(List.of(), asha(5, 3).rungs(5), "no rung below the last epoch");
        assertEquals(List.of(), SearchSpec.grid().rungs(100), "a grid has no rungs");
    }

    @Test
    void aConfigurationContinuesWhenInTheTopOneOverEtaOfTheArrivalsSoFar() {
        SearchSpec s = asha(1, 3);
        assertTrue(s.promotes(1, 1), "the first arrival is the top third of one");
        assertFalse(s.promotes(2, 2));
        assertTrue(s.promotes(1, 3));
        assertFalse(s.promotes(2, 3), "ceil(3/3) = 1");
        assertTrue(s.promotes(2, 4), "ceil(4/3) = 2");
        assertTrue(s.promotes(3, 9));
        assertFalse(s.promotes(4, 9));
        SearchSpec halving = asha(1, 2);
        assertTrue(halving.promotes(2, 4));
        assertFalse(halving.promotes(3, 4));
        assertTrue(halving.promotes(3, 5), "ceil(5/2) = 3");
    }
}

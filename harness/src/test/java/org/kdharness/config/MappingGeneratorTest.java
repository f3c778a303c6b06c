package org.kdharness.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each generator's output on a known pair: a 4-hidden-layer teacher and a 2-hidden-layer student. */
class MappingGeneratorTest {

    private static List<String> names(String generator, int student, int teacher, int max) {
        return MappingGenerator.generate(generator, student, teacher, max, 1.0).stream().map(LayerMapping::name).toList();
    }

    private static List<String> drawn(int student, int teacher, int k, long seed) {
        return MappingGenerator.generate("random", student, teacher, 0, 1.0, k, seed).stream().map(LayerMapping::name).toList();
    }

    @Test
    void reverseMapsShallowOntoDeep() {
        // uniform is s1<-t2, s2<-t4; reversed: the student's first layer imitates the teacher's last
        assertEquals(List.of("s1<-t4,s2<-t2"), names("reverse", 2, 4, 0));
        assertEquals(List.of("s1<-t5,s2<-t3,s3<-t2"), names("reverse", 3, 5, 0));
        assertEquals(List.of("s1<-t4"), names("reverse", 1, 4, 0), "one student layer: the teacher's last, as uniform");
    }

    @Test
    void randomDrawsDistinctOrderPreservingMappingsBySeed() {
        List<String> all = names("all-one-to-one", 2, 4, 0);
        List<String> three = drawn(2, 4, 3, 7);
        assertEquals(3, three.size());
        assertEquals(3, three.stream().distinct().count(), "distinct draws");
        assertTrue(all.containsAll(three), "each an order-preserving one-to-one mapping: " + three);
        assertEquals(three, drawn(2, 4, 3, 7), "the same seed draws the same mappings");
        // over seeds the draws cover all six mappings, none preferred: every mapping first-drawn by some seed
        java.util.Set<String> firsts = new java.util.HashSet<>();
        for (long seed = 0; seed < 200; seed++) {
            firsts.add(drawn(2, 4, 1, seed).get(0));
        }
        assertEquals(new java.util.HashSet<>(all), firsts);
        assertEquals(6, drawn(2, 4, 50, 1).size(), "at most all C(4, 2) of them");
        assertThrows(IllegalArgumentException.class, () -> drawn(3, 2, 1, 1));
        // sampled, not enumerated: a deep teacher is no cost
        List<String> deep = drawn(10, 40, 5, 2);
        assertEquals(5, deep.stream().distinct().count());
        for (String m : deep) {
            int[] t = java.util.Arrays.stream(m.split(",")).mapToInt(p -> Integer.parseInt(p.substring(p.indexOf("<-t") + 3))).toArray();
            for (int i = 1; i < t.length; i++) {
                assertTrue(t[i] > t[i - 1], "order-preserving: " + m);
            }
        }
    }

    @Test
    void lastMapsLastHiddenLayers() {
        assertEquals(List.of("s2<-t4"), names("last", 2, 4, 0));
    }

    @Test
    void uniformKeepsRelativeDepth() {
        assertEquals(List.of("s1<-t2,s2<-t4"), names("uniform", 2, 4, 0));
        assertEquals(List.of("s1<-t2,s2<-t3,s3<-t5"), names("uniform", 3, 5, 0));
    }

    @Test
    void allOneToOneEnumeratesOrderPreservingInjections() {
        // C(4, 2) = 6, lexicographic
        assertEquals(List.of("s1<-t1,s2<-t2", "s1<-t1,s2<-t3", "s1<-t1,s2<-t4", "s1<-t2,s2<-t3", "s1<-t2,s2<-t4",
                "s1<-t3,s2<-t4"), names("all-one-to-one", 2, 4, 0));
        assertEquals(3, names("all-one-to-one", 2, 4, 3).size(), "capped by max");
        assertEquals(10, names("all-one-to-one", 3, 5, 0).size(), "C(5, 3)");
    }

    @Test
    void manyToOneSplitsTeacherIntoContiguousGroups() {
        // C(3, 1) = 3 ways to cut 4 layers into 2 contiguous groups
        assertEquals(List.of("s1<-t1,s2<-t2+t3+t4", "s1<-t1+t2,s2<-t3+t4", "s1<-t1+t2+t3,s2<-t4"),
                names("many-to-one", 2, 4, 0));
    }

    @Test
    void impossibleGeneratorsFailClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> names("all-one-to-one", 3, 2, 0));
        assertEquals("all-one-to-one needs at least as many teacher layers (2) as student layers (3)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> names("best-guess", 2, 4, 0));
    }

    @Test
    void namesParseBackToTheSameMapping() {
        for (String name : List.of("s2<-t4", "s1<-t1,s2<-t2+t3+t4", "s1<-t1+t2[concat]*0.5,s2<-t3")) {
            assertEquals(name, LayerMapping.parse(name).name());
        }
        assertEquals(List.of(2, 3), LayerMapping.parse("s1<-t1,s2<-t2+t3").pairs().get(1).teacher());
        assertThrows(IllegalArgumentException.class, () -> LayerMapping.parse("s1->t1"));
    }
}

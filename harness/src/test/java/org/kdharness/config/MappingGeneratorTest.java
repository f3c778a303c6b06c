package org.kdharness.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Each generator's output on a known pair: a 4-hidden-layer teacher and a 2-hidden-layer student. */
class MappingGeneratorTest {

    private static List<String> names(String generator, int student, int teacher, int max) {
        return MappingGenerator.generate(generator, student, teacher, max, 1.0).stream().map(LayerMapping::name).toList();
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

package org.kdharness.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The known families' class names in label order, however the family is spelt; numbers for anything else. */
class ClassNamesTest {

    @Test
    void knownFamiliesNameTheirClassesInLabelOrder() {
        assertEquals(10, ClassNames.known("fashion-mnist").size());
        assertEquals("T-shirt/top", ClassNames.of("fashion-mnist", 0));
        assertEquals("Shirt", ClassNames.of("Fashion_MNIST", 6));
        assertEquals("Ankle boot", ClassNames.of("fashion-mnist", 9));
        assertEquals("truck", ClassNames.of("cifar10", 9));
        assertEquals("cat", ClassNames.of("CIFAR-10", 3));
        assertEquals(100, ClassNames.known("cifar100").size());
        assertEquals("apple", ClassNames.of("cifar-100", 0));
        assertEquals("worm", ClassNames.of("cifar100", 99));
        // CIFAR-100's fine labels are its names sorted alphabetically
        assertEquals(ClassNames.known("cifar100").stream().sorted().toList(), ClassNames.known("cifar100"));
        assertEquals(20, ClassNames.known("cifar100-coarse").size());
        assertEquals("vehicles_2", ClassNames.of("cifar100_coarse", 19));
    }

    @Test
    void otherDatasetsAndLabelsOutOfRangeKeepTheirNumbers() {
        assertEquals("3", ClassNames.of("my-idx-set", 3));
        assertEquals("3", ClassNames.of(null, 3));
        assertEquals("10", ClassNames.of("fashion-mnist", 10));
        assertEquals(0, ClassNames.known("mnist").size());
    }
}

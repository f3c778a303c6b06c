package org.kdharness.config;

/**
 * Where the data comes from and how it is split.
 *
 * <p>Why: the dataset determines the teacher and every trial, so its spec is hashed into
 * both keys. Splits are seeded so every run of the same config sees the same examples.
 *
 * @param name               dataset family; {@code fashion-mnist} (any IDX image set works)
 * @param path               directory holding {@code train-images-idx3-ubyte[.gz]} and friends;
 *                           relative paths resolve against the working directory
 * @param validationFraction share of the training files held out for validation
 * @param trainLimit         use only the first N training examples (0 = all)
 * @param testLimit          use only the first N test examples (0 = all)
 * @param splitSeed          seed of the train/validation shuffle
 */
public record DatasetSpec(
        String name,
        String path,
        Double validationFraction,
        Integer trainLimit,
        Integer testLimit,
        Long splitSeed) {

    public DatasetSpec {
        name = name == null ? "fashion-mnist" : name;
        path = path == null ? "/usr/share/datasets/fashion-mnist" : path;
        validationFraction = validationFraction == null ? 0.1 : validationFraction;
        trainLimit = trainLimit == null ? 0 : trainLimit;
        testLimit = testLimit == null ? 0 : testLimit;
        splitSeed = splitSeed == null ? 42L : splitSeed;
    }
}

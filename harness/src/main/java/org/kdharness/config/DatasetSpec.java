package org.kdharness.config;

/**
 * Where the data comes from and how it is split.
 *
 * <p>Why: the dataset determines the teacher and every trial, so its spec is hashed into
 * both keys. Splits are seeded so every run of the same config sees the same examples.
 *
 * @param name               dataset family: {@code cifar10}, {@code cifar100} (fine labels) and
 *                           {@code cifar100-coarse} read the CIFAR binary files; any other name
 *                           (default {@code fashion-mnist}) reads an IDX image set
 * @param path               directory holding {@code train-images-idx3-ubyte[.gz]} and friends,
 *                           or CIFAR's {@code data_batch_1.bin}.. / {@code train.bin}..; relative
 *                           paths resolve against the working directory
 * @param validationFraction share of the training files held out for validation
 * @param trainLimit         use only the first N training examples (0 = all)
 * @param testLimit          use only the first N test examples (0 = all)
 * @param splitSeed          seed of the train/validation shuffle
 * @param normalize          {@code none} (pixels in [0, 1]) or {@code per_channel}: subtract each
 *                           channel's mean and divide by its standard deviation, both measured
 *                           on the training split, from every split
 * @param augment            {@code none} or {@code standard}: every training epoch sees each image randomly
 *                           shifted by up to 4 pixels (zero fill) and mirrored with probability 1/2, seeded by the
 *                           trial's seed and the epoch ({@code data.Augmentation}); teachers' outputs are then
 *                           computed on each epoch's images instead of cached
 */
public record DatasetSpec(
        String name,
        String path,
        Double validationFraction,
        Integer trainLimit,
        Integer testLimit,
        Long splitSeed,
        String normalize,
        String augment) {

    public boolean augmented() {
        return augment.equals(STANDARD);
    }

    /** {@code normalize} value for per-channel standardisation. */
    public static final String PER_CHANNEL = "per_channel";

    /** {@code augment} value for the standard crop-and-flip augmentation. */
    public static final String STANDARD = "standard";

    /** Without augmentation. */
    public DatasetSpec(String name, String path, Double validationFraction, Integer trainLimit, Integer testLimit, Long splitSeed,
                       String normalize) {
        this(name, path, validationFraction, trainLimit, testLimit, splitSeed, normalize, null);
    }

    /** Without normalisation (the earlier six settings). */
    public DatasetSpec(String name, String path, Double validationFraction, Integer trainLimit, Integer testLimit, Long splitSeed) {
        this(name, path, validationFraction, trainLimit, testLimit, splitSeed, null);
    }

    public DatasetSpec {
        name = name == null ? "fashion-mnist" : name;
        path = path == null ? "/usr/share/datasets/fashion-mnist" : path;
        validationFraction = validationFraction == null ? 0.1 : validationFraction;
        trainLimit = trainLimit == null ? 0 : trainLimit;
        testLimit = testLimit == null ? 0 : testLimit;
        splitSeed = splitSeed == null ? 42L : splitSeed;
        normalize = normalize == null ? "none" : normalize;
        augment = augment == null ? "none" : augment;
    }
}

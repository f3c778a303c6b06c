/**
 * Reading datasets (IDX, CIFAR binary), seeded train/validation/test splits, augmentation, class names, and bulk row
 * copies between ND4J arrays and Java.
 *
 * <p>Why one package: every trial and teacher sees the same examples in the same order for a seed; the data's
 * fingerprint enters the teacher's key.
 */
package org.kdharness.data;

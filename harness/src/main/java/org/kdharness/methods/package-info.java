/**
 * Every registered distillation method and layer distance, one class each with its graph loss and, where written,
 * its hand gradient, and the registry that names them.
 *
 * <p>Why one class per method: a method's score and gradient live together and are tested together against
 * SameDiff's autodiff.
 */
package org.kdharness.methods;

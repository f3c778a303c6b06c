package org.kdharness.distill;

/**
 * One weighted piece of a method's objective on the logits.
 *
 * @param weight the coefficient the term is multiplied by (0 keeps only its metric)
 * @param term   the registered term
 */
public record WeightedTerm(double weight, LogitTerm term) {
}

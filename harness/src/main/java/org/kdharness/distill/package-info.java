/**
 * What a distillation method is: the term interfaces ({@code DistillationMethod}, {@code LogitTerm}, {@code
 * LayerDistance}, {@code TapLoss}), a trial's spec, the objective built into a network's graph, feature losses with
 * their projections.
 *
 * <p>Why interfaces here and implementations in {@code methods}: the objective, the engine's step and the report
 * read a method only through them.
 */
package org.kdharness.distill;

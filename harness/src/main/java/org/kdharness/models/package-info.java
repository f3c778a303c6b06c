/**
 * Network builders: MLP, CNN, resnet, WRN and VGG as SameDiff graphs with tapped hidden layers, each with its
 * layer-engine twin sharing the same arrays.
 *
 * <p>Why both: the graph is the test oracle and the loss probe's model; the engine ({@code org.kdharness.engine})
 * trains and infers.
 */
package org.kdharness.models;

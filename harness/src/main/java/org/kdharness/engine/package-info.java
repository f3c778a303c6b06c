/**
 * The training engine: a network as a list of layers, each one class with its forward and its
 * backward pass on libnd4j ops (oneDNN's convolutions and BatchNorm on the CPU, cuDNN's on the GPU),
 * writing into buffers allocated once per batch shape.
 *
 * <p>Role: what a training step and an inference pass of every network the builders make run (MLPs,
 * plain CNNs, residual networks, WRNs, VGGs; {@link org.kdharness.engine.LayerNet} is the entry point). Why not SameDiff's graph: in
 * ND4J 1.0.0-M2.1 the graph interpreter allocates every op's output at every step and runs
 * BatchNorm as a dozen small ops; {@code harness/docs/engine.md} gives the measurements behind
 * the choice. The graph stays as the test oracle: every layer's backward is checked against
 * SameDiff's autodiff of the same formula.
 *
 * <p>Depends on ND4J only; {@code models} builds these layers and {@code train} steps them.
 */
package org.kdharness.engine;

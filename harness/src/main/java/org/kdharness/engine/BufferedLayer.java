package org.kdharness.engine;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * A layer with {@link Buffers}: its own arrays and, inside a network, the network's {@link ArrayPool}.
 *
 * <p>Why a base class: every such layer took the pool the same way; blocks add their own pool handling on top.
 */
abstract class BufferedLayer implements Layer {

    protected final Buffers buffers;

    protected BufferedLayer(DataType type) {
        this.buffers = new Buffers(type);
    }

    @Override
    public void share(ArrayPool pool) {
        buffers.share(pool);
    }
}

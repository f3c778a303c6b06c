package org.kdharness.teacher;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A frozen teacher exported from PyTorch to ONNX, run for inference with ONNX Runtime: its logits and
 * any of its named outputs (hint layers exported as extra outputs), for rows of images as the harness
 * loads them ({@code [n, c·h·w]}).
 *
 * <p>Why ONNX Runtime: a frozen teacher needs inference only, and ONNX Runtime runs whatever opset
 * PyTorch exports (convolutions, BatchNorm folded or not, any activation) at native speed; importing the
 * graph into SameDiff would need every op mapped. Inference is serialised by this class's lock, so
 * that trials side by side do not run the teacher at once on the machine's few cores.
 *
 * <p>A sweep's teacher named by {@code teacher.onnx} in a config is run through this class by {@link ImportedTeacher}.
 */
public final class OnnxTeacher implements AutoCloseable {

    /** Rows per inference batch. */
    static final int BATCH = 256;

    private final OrtEnvironment env;
    private final OrtSession session;
    private final String input;
    private final long inputWidth;
    private final int batch;
    private final Map<String, long[]> outputs = new LinkedHashMap<>();
    private final Path file;
    private long parameters = -1; // read when first asked for: a load for outputs or shapes need not parse the file again
    private boolean closed;

    /** @throws IllegalArgumentException naming the file when it cannot be loaded */
    public OnnxTeacher(Path model) {
        this(model, BATCH);
    }

    /** @param batch rows per inference batch */
    OnnxTeacher(Path model, int batch) {
        this.batch = batch;
        this.file = model;
        OrtSession opened = null;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            // no busy-waiting threads between calls: under augmentation the teacher runs on every batch, beside the trials
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            env = OrtEnvironment.getEnvironment();
            opened = env.createSession(model.toString(), options);
            input = opened.getInputNames().iterator().next();
            long[] in = ((TensorInfo) opened.getInputInfo().get(input).getInfo()).getShape();
            inputWidth = in.length == 2 ? in[1] : -1;
            for (Map.Entry<String, ai.onnxruntime.NodeInfo> e : opened.getOutputInfo().entrySet()) {
                // declared shapes; a dimension the model leaves open is -1 (the real one is read from each result)
                long[] shape = ((TensorInfo) e.getValue().getInfo()).getShape();
                outputs.put(e.getKey(), java.util.Arrays.copyOfRange(shape, 1, shape.length));
            }
            session = opened;
        } catch (OrtException | RuntimeException e) {
            if (opened != null) {
                try {
                    opened.close();
                } catch (OrtException ignored) {
                    // the load failure is what matters
                }
            }
            throw new IllegalArgumentException(model + ": not a loadable ONNX model (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The number of values in the model's initializers: its weights, and BatchNorm's running statistics where the
     * export kept BatchNorm apart (PyTorch counts those as buffers, not parameters). ONNX Runtime does not expose
     * initializers, so the file is read with the ONNX protobuf classes of Tribuo's {@code tribuo-util-onnx}.
     */
    private static long parameters(Path model) throws java.io.IOException {
        ai.onnx.proto.OnnxMl.ModelProto proto = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(java.nio.file.Files.readAllBytes(model));
        long n = 0;
        for (ai.onnx.proto.OnnxMl.TensorProto t : proto.getGraph().getInitializerList()) {
            long size = 1;
            for (long d : t.getDimsList()) {
                size *= d;
            }
            n += size;
        }
        return n;
    }

    /** See {@link #parameters(Path)}. */
    public synchronized long parameterCount() {
        if (parameters < 0) {
            try {
                parameters = parameters(file);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(file + ": cannot read its initializers: " + e.getMessage(), e);
            }
        }
        return parameters;
    }

    /** Output {@code name}'s per-example shape as the model gives it for the first row of {@code x} (open dimensions resolved). */
    public synchronized long[] exampleShape(INDArray x, String name) {
        check(x, name);
        float[] row = x.getRow(0, true).castTo(DataType.FLOAT).data().asFloat();
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(row), new long[]{1, row.length});
             OrtSession.Result result = session.run(Map.of(input, tensor), java.util.Set.of(name))) {
            long[] shape = ((OnnxTensor) result.get(0)).getInfo().getShape();
            return java.util.Arrays.copyOfRange(shape, 1, shape.length);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on output '" + name + "': " + e.getMessage(), e);
        }
    }

    private void check(INDArray x, String name) {
        if (!outputs.containsKey(name)) {
            throw new IllegalArgumentException("the ONNX model has no output '" + name + "' (outputs: " + outputs.keySet() + ")");
        }
        if (inputWidth > 0 && x.size(1) != inputWidth) {
            throw new IllegalArgumentException("the ONNX model takes rows of " + inputWidth + " values, the data has " + x.size(1));
        }
    }

    /** The model's outputs by name, each with its declared per-example shape (e.g. {@code logits: [10]}, {@code stage3: [64, 7, 7]}). */
    public Map<String, long[]> outputs() {
        Map<String, long[]> copy = new LinkedHashMap<>();
        outputs.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    /** Output {@code name} for every row of {@code x}, flattened per example ({@code [n, prod(shape)]}). */
    public synchronized INDArray output(INDArray x, String name) {
        check(x, name);
        long n = x.size(0), width = x.size(1), per = -1;
        float[] rows = x.castTo(DataType.FLOAT).data().asFloat();
        List<float[]> parts = new ArrayList<>();
        try {
            for (long from = 0; from < n; from += batch) {
                long m = Math.min(batch, n - from);
                FloatBuffer rowsOfBatch = FloatBuffer.wrap(rows, (int) (from * width), (int) (m * width)).slice();
                try (OnnxTensor tensor = OnnxTensor.createTensor(env, rowsOfBatch, new long[]{m, width});
                     OrtSession.Result result = session.run(Map.of(input, tensor), java.util.Set.of(name))) {
                    OnnxTensor out = (OnnxTensor) result.get(0);
                    long[] shape = out.getInfo().getShape(); // the real shape, open dimensions resolved
                    if (shape[0] != m) {
                        throw new IllegalStateException("output '" + name + "' has " + shape[0] + " rows for a batch of " + m);
                    }
                    long size = 1;
                    for (int d = 1; d < shape.length; d++) {
                        size *= shape[d];
                    }
                    if (per >= 0 && size != per) {
                        throw new IllegalStateException("output '" + name + "' changes its width between batches: " + per + ", " + size);
                    }
                    per = size;
                    float[] values = new float[(int) (m * per)];
                    out.getFloatBuffer().get(values);
                    parts.add(values);
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on output '" + name + "': " + e.getMessage(), e);
        }
        per = Math.max(per, 0);
        float[] all = new float[(int) (n * per)];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return Nd4j.create(all, new long[]{n, per}, DataType.FLOAT);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the ONNX session: " + e.getMessage(), e);
        }
    }
}

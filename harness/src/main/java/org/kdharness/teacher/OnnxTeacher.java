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
 * graph into SameDiff would need every op mapped. The session is not shared between threads without
 * this class's lock (ONNX Runtime's {@code run} is thread-safe, but the output buffers are copied here).
 *
 * <p>Not yet wired into sweeps: this is the importer and its equality test against PyTorch; a teacher
 * named by {@code teacher: {onnx: ...}} in a config is the next step.
 */
public final class OnnxTeacher implements AutoCloseable {

    /** Rows per inference batch. */
    static final int BATCH = 256;

    private final OrtEnvironment env;
    private final OrtSession session;
    private final String input;
    private final Map<String, long[]> outputs = new LinkedHashMap<>();

    /** @throws IllegalArgumentException naming the file when it cannot be loaded */
    public OnnxTeacher(Path model) {
        try {
            env = OrtEnvironment.getEnvironment();
            session = env.createSession(model.toString(), new OrtSession.SessionOptions());
            input = session.getInputNames().iterator().next();
            for (Map.Entry<String, ai.onnxruntime.NodeInfo> e : session.getOutputInfo().entrySet()) {
                long[] shape = ((TensorInfo) e.getValue().getInfo()).getShape();
                outputs.put(e.getKey(), java.util.Arrays.copyOfRange(shape, 1, shape.length));
            }
        } catch (OrtException | RuntimeException e) {
            throw new IllegalArgumentException(model + ": not a loadable ONNX model (" + e.getMessage() + ")", e);
        }
    }

    /** The model's outputs by name, each with its per-example shape (e.g. {@code logits: [10]}, {@code stage3: [64, 7, 7]}). */
    public Map<String, long[]> outputs() {
        return java.util.Collections.unmodifiableMap(outputs);
    }

    /** Output {@code name} for every row of {@code x}, flattened per example ({@code [n, prod(shape)]}). */
    public synchronized INDArray output(INDArray x, String name) {
        if (!outputs.containsKey(name)) {
            throw new IllegalArgumentException("the ONNX model has no output '" + name + "' (outputs: " + outputs.keySet() + ")");
        }
        long n = x.size(0), width = x.size(1), per = 1;
        for (long d : outputs.get(name)) {
            per *= d;
        }
        float[] rows = x.castTo(DataType.FLOAT).dup().data().asFloat();
        List<float[]> parts = new ArrayList<>();
        try {
            for (long from = 0; from < n; from += BATCH) {
                long m = Math.min(BATCH, n - from);
                FloatBuffer batch = FloatBuffer.wrap(rows, (int) (from * width), (int) (m * width)).slice();
                try (OnnxTensor tensor = OnnxTensor.createTensor(env, batch, new long[]{m, width});
                     OrtSession.Result result = session.run(Map.of(input, tensor), java.util.Set.of(name))) {
                    FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
                    float[] values = new float[(int) (m * per)];
                    out.get(values);
                    parts.add(values);
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on output '" + name + "': " + e.getMessage(), e);
        }
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
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the ONNX session: " + e.getMessage(), e);
        }
    }
}

package org.kdharness.teacher;

import org.kdharness.config.OnnxSpec;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A teacher trained elsewhere and exported to ONNX ({@code teacher.onnx} in a config): the named logits output and tap
 * outputs of its file, run by {@link OnnxTeacher}.
 */
public final class ImportedTeacher implements FrozenTeacher {

    private final OnnxTeacher model;
    private final OnnxSpec spec;
    private final List<long[]> tapShapes;

    /**
     * @param example rows of the sweep's images (one is enough): the taps' shapes are read from a real run, as a model
     *                may leave dimensions open
     * @param classes the dataset's classes, which the logits must give one value each
     * @throws IllegalArgumentException naming the file and what does not fit when the model cannot serve these rows
     */
    public ImportedTeacher(OnnxSpec spec, INDArray example, int classes) {
        this.spec = spec;
        this.model = new OnnxTeacher(Path.of(spec.file()));
        try {
            INDArray one = example.getRow(0, true);
            long width = model.output(one, spec.logits()).size(1);
            if (width != classes) {
                throw new IllegalArgumentException("output '" + spec.logits() + "' gives " + width + " values per image; the dataset has "
                        + classes + " classes");
            }
            List<long[]> shapes = new ArrayList<>();
            for (String tap : spec.taps()) {
                shapes.add(model.exampleShape(one, tap));
            }
            this.tapShapes = List.copyOf(shapes);
        } catch (RuntimeException e) {
            // a model that takes other inputs than the harness's rows, or gives other than float outputs, fails in ONNX
            // Runtime or in reading its results: say which file
            model.close();
            throw new IllegalArgumentException(spec.file() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        model.close();
    }

    public OnnxSpec spec() {
        return spec;
    }

    @Override
    public INDArray logits(INDArray x) {
        return model.output(x, spec.logits());
    }

    @Override
    public INDArray tap(INDArray x, int layer) {
        return model.output(x, spec.taps().get(layer - 1));
    }

    @Override
    public List<long[]> tapShapes() {
        return tapShapes.stream().map(long[]::clone).toList();
    }

    @Override
    public long paramCount() {
        return model.parameterCount();
    }
}

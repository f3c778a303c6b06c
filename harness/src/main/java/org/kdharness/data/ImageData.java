package org.kdharness.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A set of labelled images as one dense feature matrix plus integer labels.
 *
 * <p>Why: networks consume {@code [n, channels*height*width]} floats scaled to [0, 1]; a
 * CNN reshapes that inside its graph, so one layout serves both model families.
 *
 * @param features   {@code [n, channels*height*width]} float32 in [0, 1]
 * @param labels     class index per example
 * @param channels   image channels
 * @param height     image height
 * @param width      image width
 * @param numClasses number of classes
 */
public record ImageData(INDArray features, int[] labels, int channels, int height, int width, int numClasses) {

    public int size() {
        return labels.length;
    }

    /** One-hot label matrix {@code [n, numClasses]}. */
    public INDArray oneHot() {
        INDArray y = Nd4j.zeros(DataType.FLOAT, labels.length, numClasses);
        for (int i = 0; i < labels.length; i++) {
            y.putScalar(i, labels[i], 1f);
        }
        return y;
    }

    /** The examples at {@code rows}, in that order. */
    public ImageData subset(int[] rows) {
        int[] l = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            l[i] = labels[rows[i]];
        }
        INDArray f = Nd4j.pullRows(features, 1, rows);
        return new ImageData(f, l, channels, height, width, numClasses);
    }
}

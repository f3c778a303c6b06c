package org.kdharness.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

import java.util.Map;

/**
 * ND4J's {@link Adam} configuration whose updaters, on the CPU backend, are
 * {@link DirectAdam} Java loops instead of the native op.
 *
 * <p>Why a configuration subclass: both the SameDiff training session and the layer
 * engine's step instantiate updaters from the training config, so this one class makes every
 * Adam step in the harness (teachers and students on either path) take the fast loop, and
 * other backends keep ND4J's own updater.
 */
public final class HostAdam extends Adam {

    public HostAdam(double learningRate) {
        super(learningRate);
    }

    private static boolean host() {
        return Nd4j.getEnvironment().isCPU();
    }

    @Override
    public long stateSize(long numParams) {
        // the loop keeps its moments on the Java heap: no native state view needed
        return host() ? 0 : super.stateSize(numParams);
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        return host() ? new DirectAdam(this) : super.instantiate(viewArray, initializeViewArray);
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        if (!host()) {
            return super.instantiate(updaterState, initializeStateArrays);
        }
        DirectAdam u = new DirectAdam(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public HostAdam clone() {
        HostAdam copy = new HostAdam(getLearningRate());
        copy.setBeta1(getBeta1());
        copy.setBeta2(getBeta2());
        copy.setEpsilon(getEpsilon());
        copy.setLearningRateSchedule(getLearningRateSchedule());
        return copy;
    }
}

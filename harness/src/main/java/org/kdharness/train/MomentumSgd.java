package org.kdharness.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.Map;

/**
 * SGD with classical momentum, as PyTorch's {@code torch.optim.SGD(momentum=mu)}:
 * {@code v = mu v + g}, then {@code p -= lr v} (no dampening, not Nesterov).
 *
 * <p>Why: the CIFAR recipes KD papers use (CRD: SGD 0.05, momentum 0.9, weight decay 5e-4)
 * are PyTorch's SGD; ND4J has plain SGD and Nesterov's momentum ({@code Nesterovs}), which
 * takes a different step, so a recipe copied from a paper would not train the same way.
 */
public final class MomentumSgd extends Sgd {

    private final double momentum;

    public MomentumSgd(double learningRate, ISchedule schedule, double momentum) {
        super(learningRate);
        setLearningRateSchedule(schedule);
        this.momentum = momentum;
    }

    public double momentum() {
        return momentum;
    }

    @Override
    public long stateSize(long numParams) {
        return numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        Updater u = new Updater(this);
        u.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        Updater u = new Updater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public MomentumSgd clone() {
        return new MomentumSgd(getLearningRate(), getLearningRateSchedule(), momentum);
    }

    /** The velocity {@code v}, one per parameter; {@link #applyUpdater} turns the gradient into the step {@code lr v}. */
    static final class Updater implements GradientUpdater<MomentumSgd> {

        private static final String VELOCITY = "V";
        private final MomentumSgd config;
        private INDArray velocity;

        Updater(MomentumSgd config) {
            this.config = config;
        }

        @Override
        public MomentumSgd getConfig() {
            return config;
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
            if (initialize) {
                viewArray.assign(0);
            }
            velocity = viewArray.reshape(gradientOrder, gradientShape);
        }

        @Override
        public Map<String, INDArray> getState() {
            return Map.of(VELOCITY, velocity);
        }

        @Override
        public void setState(Map<String, INDArray> stateMap, boolean initialize) {
            velocity = stateMap.get(VELOCITY);
            if (initialize) {
                velocity.assign(0);
            }
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            velocity.muli(config.momentum).addi(gradient);
            gradient.assign(velocity).muli(config.getLearningRate(iteration, epoch));
        }
    }
}

package org.kdharness.config;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * How the learning rate changes over epochs: the recipes KD papers train with.
 *
 * <p>Why per epoch, with 0-based epochs: that is how the CIFAR recipes are written and run
 * (CRD/RepDistiller: SGD 0.05, x0.1 at epochs 150, 180 and 210 of 240, i.e. from the
 * 151st epoch on; cosine annealing over the run as in PyTorch's {@code CosineAnnealingLR}).
 *
 * @param type         {@code constant} (default), {@code step} or {@code cosine}
 * @param milestones   {@code step}: epochs (counted from 1, as papers write them) after which the rate is multiplied by {@code gamma}
 * @param gamma        {@code step}: the factor, default 0.1
 * @param warmupEpochs epochs over which the rate rises linearly to the schedule's value (0 = none)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LrSchedule(String type, List<Integer> milestones, Double gamma, Integer warmupEpochs) {

    public LrSchedule {
        type = type == null ? "constant" : type.toLowerCase(java.util.Locale.ROOT);
        milestones = milestones == null ? null : List.copyOf(milestones);
        // the default written out is the default left out: the same schedule, the same ids
        gamma = gamma != null && gamma == 0.1 ? null : gamma;
        warmupEpochs = warmupEpochs != null && warmupEpochs == 0 ? null : warmupEpochs;
    }

    /** A constant rate without warm-up: the same as no schedule. */
    public boolean isConstant() {
        return type.equals("constant") && warmupEpochs == null;
    }

    /** The factor {@code gamma}, 0.1 unless set. */
    public double effectiveGamma() {
        return gamma == null ? 0.1 : gamma;
    }

    /** Warm-up epochs, 0 unless set. */
    public int effectiveWarmup() {
        return warmupEpochs == null ? 0 : warmupEpochs;
    }

    /**
     * The multiple of the base rate in 0-based epoch {@code epoch} of a run of {@code epochs}:
     * step: {@code gamma^k} with k the milestones already passed; cosine:
     * {@code (1 + cos(pi epoch / epochs)) / 2}; times {@code (epoch + 1) / warmup} during warm-up.
     */
    public double factor(int epoch, int epochs) {
        double f = switch (type) {
            case "step" -> Math.pow(effectiveGamma(), milestones == null ? 0 : milestones.stream().filter(m -> epoch >= m).count());
            case "cosine" -> 0.5 * (1 + Math.cos(Math.PI * epoch / Math.max(epochs, 1)));
            default -> 1.0;
        };
        int warmup = effectiveWarmup();
        return epoch < warmup ? f * (epoch + 1) / warmup : f;
    }
}

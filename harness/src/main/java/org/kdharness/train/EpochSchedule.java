package org.kdharness.train;

import org.kdharness.config.LrSchedule;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * An {@link LrSchedule} as ND4J's learning-rate schedule: the base rate times the
 * schedule's factor for the epoch. ND4J counts epochs from 0, and so does the layer
 * engine's step, so both training paths read the same rate in the same epoch.
 *
 * <p>Why not ND4J's own schedules: {@code MapSchedule} covers step decay and
 * {@code RampSchedule} a warm-up, but 1.0.0-M2.1 has no cosine schedule, and composing two
 * of its classes per recipe would spread one formula over three; one small class computes
 * all of it from the config's own record ({@link LrSchedule#factor}, tested by itself).
 */
public final class EpochSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final double base;
    private final LrSchedule schedule;
    private final int epochs;

    public EpochSchedule(double base, LrSchedule schedule, int epochs) {
        this.base = base;
        this.schedule = schedule;
        this.epochs = epochs;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return base * schedule.factor(epoch, epochs);
    }

    @Override
    public ISchedule clone() {
        return new EpochSchedule(base, schedule, epochs);
    }
}

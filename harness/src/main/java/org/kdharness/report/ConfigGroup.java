package org.kdharness.report;

import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.kdharness.store.TrialRow;

import java.util.List;

/**
 * The finished seeds of one configuration (same settings, different seeds).
 *
 * <p>Why: a configuration is judged by its mean over seeds, with the spread beside it;
 * one lucky seed is not a result.
 *
 * @param key    settings shared by the seeds
 * @param trials the finished trials, one per seed
 */
public record ConfigGroup(String key, List<TrialRow> trials) {

    public TrialRow first() {
        return trials.get(0);
    }

    public String method() {
        return first().method();
    }

    /** What the report compares this configuration as (see {@link TrialRow#variant()}). */
    public String variant() {
        return first().variant();
    }

    public int seeds() {
        return trials.size();
    }

    public DescriptiveStatistics stats(String metric) {
        DescriptiveStatistics s = new DescriptiveStatistics();
        trials.forEach(t -> {
            double v = t.metric(metric);
            if (!Double.isNaN(v)) {
                s.addValue(v);
            }
        });
        return s;
    }

    public double mean(String metric) {
        return stats(metric).getMean();
    }

    /** Sample standard deviation; NaN with a single seed. */
    public double std(String metric) {
        DescriptiveStatistics s = stats(metric);
        return s.getN() < 2 ? Double.NaN : s.getStandardDeviation();
    }
}

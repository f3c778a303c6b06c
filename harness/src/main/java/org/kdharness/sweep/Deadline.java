package org.kdharness.sweep;

import java.time.Duration;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code kd run --deadline}: a clock time ({@code 08:00}, the next one to come) or a duration
 * ({@code 10h}, {@code 90m}, {@code 1h30m}), and what to do when the estimate does not fit.
 *
 * <p>Why advice and not a refusal: the estimate is an estimate; the researcher decides. The
 * advice names the levers that change the cost most: ASHA (which prunes most of a large grid)
 * and fewer seeds (cost is linear in them).
 */
public final class Deadline {

    private static final Pattern DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

    private Deadline() {
    }

    /** Time left until {@code text} from {@code now}. @throws IllegalArgumentException naming the accepted forms */
    public static Duration parse(String text, ZonedDateTime now) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.matches("\\d{1,2}:\\d{2}")) {
            LocalTime at;
            try {
                at = LocalTime.parse(t.length() == 4 ? "0" + t : t);
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("--deadline: no such clock time '" + text + "' (00:00 to 23:59)");
            }
            ZonedDateTime next = now.with(at).withSecond(0).withNano(0);
            return Duration.between(now, next.isAfter(now) ? next : next.plusDays(1));
        }
        Matcher m = DURATION.matcher(t);
        if (!t.isEmpty() && m.matches()) {
            long s = (m.group(1) == null ? 0 : Long.parseLong(m.group(1)) * 3600) + (m.group(2) == null ? 0 : Long.parseLong(m.group(2)) * 60)
                    + (m.group(3) == null ? 0 : Long.parseLong(m.group(3)));
            if (s > 0) {
                return Duration.ofSeconds(s);
            }
        }
        throw new IllegalArgumentException("--deadline must be a clock time (08:00) or a duration (10h, 90m, 1h30m), got '" + text + "'");
    }

    /**
     * Lines for the console: nothing when {@code estimate} fits in {@code left}, else a warning and
     * what would fit.
     *
     * @param asha  the same sweep's estimate under ASHA, or null when it already uses ASHA (or has no rung)
     * @param seeds the sweep's seeds
     */
    public static List<String> advice(WallTimeEstimate estimate, WallTimeEstimate asha, int seeds, Duration left) {
        List<String> out = new ArrayList<>();
        double budget = left.toSeconds();
        double wall = estimate.wallSeconds();
        if (wall <= budget) {
            return out;
        }
        out.add(String.format(Locale.ROOT, "warning: the sweep will not finish by the deadline: estimated %s, %s left",
                WallTimeEstimate.duration(wall), WallTimeEstimate.duration(budget)));
        if (asha != null) {
            out.add(String.format(Locale.ROOT, "  with sweep.search: {strategy: asha} (min_epochs 1, reduction_factor 3): about %s%s",
                    WallTimeEstimate.duration(asha.wallSeconds()), asha.wallSeconds() <= budget ? " (fits)" : ""));
        }
        double fixed = estimate.teacherSeconds() + estimate.setupSeconds();
        double trials = wall - fixed;
        for (int k = seeds - 1; k >= 1; k--) {
            double w = fixed + trials * k / seeds;
            if (w <= budget) {
                out.add(String.format(Locale.ROOT, "  with %d seed%s instead of %d: about %s (fits)", k, k == 1 ? "" : "s", seeds,
                        WallTimeEstimate.duration(w)));
                break;
            }
            if (k == 1) {
                out.add("  fewer seeds alone would not fit: one seed takes about " + WallTimeEstimate.duration(w));
            }
        }
        return out;
    }
}

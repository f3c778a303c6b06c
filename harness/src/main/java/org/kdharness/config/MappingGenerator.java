package org.kdharness.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Candidate layer mappings generated from the teacher's and student's depths.
 *
 * <p>Why: choosing a mapping needs an expert; enumerating principled candidates lets the
 * sweep measure which works. Layers are 1-based hidden layers; every generator is
 * order-preserving (deeper student layers imitate deeper teacher layers).
 * <ul>
 * <li>{@code last}: last student hidden layer &larr; last teacher hidden layer.</li>
 * <li>{@code uniform}: student layer i &larr; teacher layer at the same relative depth,
 *     {@code round(i * T / S)}.</li>
 * <li>{@code all-one-to-one}: every strictly increasing choice of one teacher layer per
 *     student layer ({@code C(T, S)} mappings).</li>
 * <li>{@code many-to-one}: the teacher's layers split into S contiguous non-empty groups,
 *     group i onto student layer i ({@code C(T-1, S-1)} mappings).</li>
 * <li>{@code random} (a control): {@code k} distinct draws, uniformly among the
 *     {@code all-one-to-one} mappings, seeded by {@code seed}: what a mapping chosen without
 *     any knowledge achieves.</li>
 * <li>{@code reverse} (a control): student layer i &larr; the teacher layer {@code uniform}
 *     gives student layer {@code S + 1 - i}: shallow onto deep and deep onto shallow (with a
 *     one-layer student it is {@code uniform}, and controls nothing). Yu,
 *     Wen &amp; Mou (2025, arXiv 2502.04499) report that even reversed mappings distil about as
 *     well, so a verdict on mapping choice is not credible without these two rows.</li>
 * </ul>
 * Enumerating generators stop at {@code max} mappings, in lexicographic order.
 */
public final class MappingGenerator {

    public static final List<String> NAMES = List.of("last", "uniform", "all-one-to-one", "many-to-one", "random", "reverse");

    private MappingGenerator() {
    }

    /**
     * @param name     generator name
     * @param student  student hidden layer count S
     * @param teacher  teacher hidden layer count T
     * @param max      cap on enumerated mappings (0 = no cap)
     * @param distanceWeight pair weight {@code w_m} for every generated pair
     */
    public static List<LayerMapping> generate(String name, int student, int teacher, int max, double distanceWeight) {
        return generate(name, student, teacher, max, distanceWeight, 3, 0L);
    }

    /**
     * @param draws {@code random}: how many distinct mappings to draw (at most all of them)
     * @param seed  {@code random}: the draws' seed
     */
    public static List<LayerMapping> generate(String name, int student, int teacher, int max, double distanceWeight, int draws,
                                              long seed) {
        List<List<List<Integer>>> groupsPerMapping = new ArrayList<>();
        switch (name) {
            case "last" -> groupsPerMapping.add(lastOnly(student, teacher));
            case "uniform" -> {
                List<List<Integer>> g = new ArrayList<>();
                for (int i = 1; i <= student; i++) {
                    g.add(List.of(Math.max(1, (int) Math.round((double) i * teacher / student))));
                }
                groupsPerMapping.add(g);
            }
            case "all-one-to-one" -> {
                if (student > teacher) {
                    throw new IllegalArgumentException("all-one-to-one needs at least as many teacher layers (" + teacher
                            + ") as student layers (" + student + ")");
                }
                choose(1, teacher, student, new ArrayList<>(), groupsPerMapping, max);
            }
            case "many-to-one" -> {
                if (student > teacher) {
                    throw new IllegalArgumentException("many-to-one needs at least as many teacher layers (" + teacher
                            + ") as student layers (" + student + ")");
                }
                split(1, teacher, student, new ArrayList<>(), groupsPerMapping, max);
            }
            case "reverse" -> {
                List<List<Integer>> g = new ArrayList<>();
                for (int i = 1; i <= student; i++) {
                    g.add(List.of(Math.max(1, (int) Math.round((double) (student + 1 - i) * teacher / student))));
                }
                groupsPerMapping.add(g);
            }
            case "random" -> {
                if (student > teacher) {
                    throw new IllegalArgumentException("random draws order-preserving one-to-one mappings: it needs at least as many"
                            + " teacher layers (" + teacher + ") as student layers (" + student + ")");
                }
                groupsPerMapping.addAll(draw(student, teacher, draws, seed));
            }
            default -> throw new IllegalArgumentException("unknown mapping generator '" + name + "' (known: "
                    + String.join(", ", NAMES) + ")");
        }
        List<LayerMapping> out = new ArrayList<>();
        for (List<List<Integer>> groups : groupsPerMapping) {
            List<LayerMapping.Pair> pairs = new ArrayList<>();
            for (int s = 0; s < groups.size(); s++) {
                if (groups.get(s) != null) {
                    pairs.add(new LayerMapping.Pair(s + 1, groups.get(s), distanceWeight, "mean"));
                }
            }
            out.add(new LayerMapping(pairs));
        }
        return out;
    }

    /**
     * {@code draws} distinct order-preserving one-to-one mappings (at most all C(T, S) of them),
     * each uniform among them: S distinct teacher layers by a seeded partial shuffle, sorted.
     * Sampled, not enumerated, so deep networks (C(40, 10) is 8.5e8) cost nothing.
     */
    private static List<List<List<Integer>>> draw(int student, int teacher, int draws, long seed) {
        long total = 1;
        for (int i = 1; i <= student && total < Integer.MAX_VALUE; i++) {
            total = total * (teacher - student + i) / i;
        }
        int want = (int) Math.min(draws, total);
        // SplittableRandom mixes its seed: java.util.Random's first draws for seeds 0, 1, 2, ... are nearly alike
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        java.util.LinkedHashMap<String, List<List<Integer>>> chosen = new java.util.LinkedHashMap<>();
        int[] layers = new int[teacher];
        while (chosen.size() < want) {
            for (int i = 0; i < teacher; i++) {
                layers[i] = i + 1;
            }
            for (int i = 0; i < student; i++) {
                int j = i + r.nextInt(teacher - i);
                int t = layers[i];
                layers[i] = layers[j];
                layers[j] = t;
            }
            int[] pick = java.util.Arrays.copyOf(layers, student);
            java.util.Arrays.sort(pick);
            List<List<Integer>> groups = new ArrayList<>();
            for (int t : pick) {
                groups.add(List.of(t));
            }
            chosen.putIfAbsent(java.util.Arrays.toString(pick), groups);
        }
        return new ArrayList<>(chosen.values());
    }

    private static List<List<Integer>> lastOnly(int student, int teacher) {
        List<List<Integer>> g = new ArrayList<>();
        for (int i = 1; i < student; i++) {
            g.add(null);
        }
        g.add(List.of(teacher));
        return g;
    }

    /** Strictly increasing teacher layers, one per student layer. */
    private static void choose(int from, int teacher, int left, List<List<Integer>> cur, List<List<List<Integer>>> out, int max) {
        if (max > 0 && out.size() >= max) {
            return;
        }
        if (left == 0) {
            out.add(List.copyOf(cur));
            return;
        }
        for (int t = from; t <= teacher - left + 1; t++) {
            cur.add(List.of(t));
            choose(t + 1, teacher, left - 1, cur, out, max);
            cur.remove(cur.size() - 1);
        }
    }

    /** Teacher layers from..teacher split into {@code left} contiguous non-empty groups. */
    private static void split(int from, int teacher, int left, List<List<Integer>> cur, List<List<List<Integer>>> out, int max) {
        if (max > 0 && out.size() >= max) {
            return;
        }
        if (left == 1) {
            List<Integer> last = new ArrayList<>();
            for (int t = from; t <= teacher; t++) {
                last.add(t);
            }
            List<List<Integer>> done = new ArrayList<>(cur);
            done.add(last);
            out.add(done);
            return;
        }
        for (int end = from; end <= teacher - left + 1; end++) {
            List<Integer> group = new ArrayList<>();
            for (int t = from; t <= end; t++) {
                group.add(t);
            }
            cur.add(group);
            split(end + 1, teacher, left - 1, cur, out, max);
            cur.remove(cur.size() - 1);
        }
    }
}

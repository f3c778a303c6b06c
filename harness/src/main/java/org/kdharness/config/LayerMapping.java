package org.kdharness.config;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which student hidden layers imitate which teacher hidden layers (FitNets hints).
 *
 * <p>Why: mappings are the hard part of feature distillation and a first-class sweep axis,
 * so each has a readable, stable name ({@code s1<-t1,s2<-t2+t3}) used in trial ids, the
 * store, the report and the CSV export. Layers are numbered from 1.
 *
 * @param pairs the mapped pairs, in student-layer order as written
 */
public record LayerMapping(List<Pair> pairs) {

    public LayerMapping {
        pairs = List.copyOf(pairs);
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("a layer mapping needs at least one pair");
        }
    }

    /** Stable human-readable name, e.g. {@code s2<-t3+t4*0.5}. */
    public String name() {
        return pairs.stream().map(Pair::name).collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
        return name();
    }

    /**
     * The mapping a {@link #name()} stands for (the store and exports keep only names).
     *
     * @throws IllegalArgumentException when {@code name} is not of that form
     */
    public static LayerMapping parse(String name) {
        java.util.regex.Pattern pair = java.util.regex.Pattern.compile("s(\\d+)<-(t\\d+(?:\\+t\\d+)*)(?:\\[(\\w+)])?(?:\\*([0-9.eE+-]+))?");
        List<Pair> pairs = new java.util.ArrayList<>();
        for (String part : name.split(",")) {
            java.util.regex.Matcher m = pair.matcher(part);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a layer mapping name: '" + name + "'");
            }
            List<Integer> teacher = java.util.Arrays.stream(m.group(2).split("\\+")).map(t -> Integer.parseInt(t.substring(1))).toList();
            pairs.add(new Pair(Integer.parseInt(m.group(1)), teacher, m.group(4) == null ? 1.0 : Double.parseDouble(m.group(4)),
                    m.group(3) == null ? "mean" : m.group(3)));
        }
        return new LayerMapping(pairs);
    }

    /**
     * One student layer and the teacher layer(s) it imitates.
     *
     * @param student   1-based student hidden layer
     * @param teacher   1-based teacher hidden layers (several = many-to-one)
     * @param weight    {@code w_m}, this pair's weight in Loss1
     * @param aggregate {@code mean} or {@code concat} for many-to-one targets
     */
    public record Pair(int student, List<Integer> teacher, double weight, String aggregate) {
        public Pair {
            teacher = List.copyOf(teacher);
            aggregate = aggregate == null ? "mean" : aggregate;
        }

        /** Readable name of this pair, e.g. {@code s2<-t3+t4}. */
        public String name() {
            String t = teacher.stream().map(i -> "t" + i).collect(Collectors.joining("+"));
            String s = "s" + student + "<-" + t;
            if (teacher.size() > 1 && !"mean".equals(aggregate)) {
                s += "[" + aggregate + "]";
            }
            if (weight != 1.0) {
                s += "*" + String.format(Locale.ROOT, "%s", weight);
            }
            return s;
        }
    }
}

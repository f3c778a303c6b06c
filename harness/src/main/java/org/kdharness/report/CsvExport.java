package org.kdharness.report;

import org.kdharness.store.TrialRow;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * One CSV row per trial.
 *
 * <p>Why fixed columns: the columns below are a public contract that scripts rely on;
 * new columns are appended at the end, none is ever renamed or dropped. Values a method
 * does not use are empty; the student settings are always the effective ones.
 */
public final class CsvExport {

    /** The contract: existing names and order never change. */
    public static final List<String> COLUMNS = List.of("sweep", "trial_id", "method", "temperature", "alpha",
            "w_feature", "w_response", "mapping", "seed", "status", "test_accuracy", "teacher_agreement", "epochs",
            "seconds", "distance", "val_accuracy", "test_macro_f1", "test_kl_to_teacher", "test_ece",
            "student_params", "compression_ratio", "samples_per_second", "reason", "student", "learning_rate", "labelled_fraction", "optimiser",
            "dense_path", "params", "engine", "run_id");

    private CsvExport() {
    }

    /**
     * The config's student settings, written where a trial does not override them, so that
     * every row carries its effective student, learning rate, optimiser and labelled fraction.
     */
    public record Defaults(String student, Double learningRate, String optimiser) {
    }

    public static void write(List<TrialRow> trials, Defaults defaults, PrintStream out) {
        out.println(String.join(",", COLUMNS));
        for (TrialRow t : trials) {
            out.println(String.join(",", List.of(
                    text(t.sweep()), text(t.trialId()), text(t.method()), num(t.temperature()), num(t.alpha()),
                    num(t.wFeature()), num(t.wResponse()), text(t.mapping()), Long.toString(t.seed()), text(t.status()),
                    metric(t, "test_accuracy"), metric(t, "test_teacher_agreement"),
                    t.epochs() == null ? "" : t.epochs().toString(), num(t.seconds()), text(t.distance()),
                    metric(t, "val_accuracy"), metric(t, "test_macro_f1"), metric(t, "test_kl_to_teacher"),
                    metric(t, "test_ece"), metric(t, "student_params"), metric(t, "compression_ratio"),
                    metric(t, "samples_per_second"), text(t.reason()),
                    text(t.student() != null ? t.student() : defaults.student()),
                    num(t.learningRate() != null ? t.learningRate() : defaults.learningRate()),
                    num(t.labelledFraction() != null ? t.labelledFraction() : 1.0),
                    text(t.optimiser() != null ? t.optimiser() : defaults.optimiser()), densePath(t), text(t.params()),
                    text(t.provenance().engine()), text(t.provenance().runId()))));
        }
    }

    /** 1 = hand-written gradients (the layer engine, or the dense path of older stores), 0 = graph: from the engine column (the metric of older stores otherwise). */
    private static String densePath(TrialRow t) {
        String engine = t.provenance().engine();
        return engine == null ? metric(t, "dense_path") : engine.equals("graph") ? "0" : "1";
    }

    private static String metric(TrialRow t, String name) {
        return num(t.metrics().get(name));
    }

    static String num(Double v) {
        if (v == null || v.isNaN()) {
            return "";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString(v.longValue());
        }
        return String.format(Locale.ROOT, "%.6g", v).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
    }

    /** RFC 4180 quoting when needed (mappings contain commas). */
    static String text(String s) {
        if (s == null) {
            return "";
        }
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}

package org.kdharness.cli;

import org.kdharness.advise.MappingAdvisor;
import org.kdharness.sweep.ConfigLoader;
import org.kdharness.config.MappingCandidates;
import org.kdharness.config.LayerMapping;
import org.kdharness.config.ModelSpec;
import org.kdharness.config.SweepConfig;
import org.kdharness.data.DataSplits;
import org.kdharness.data.DatasetLoader;
import org.kdharness.report.Charts;
import org.kdharness.sweep.Backend;
import org.kdharness.sweep.Workspace;
import org.kdharness.teacher.Teacher;
import org.kdharness.teacher.TeacherCache;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code kd suggest-mappings CONFIG}: CKA between teacher and student layers, and ranked candidate mappings. */
@Command(name = "suggest-mappings", mixinStandardHelpOptions = true,
        description = "Rank candidate layer mappings by linear CKA between teacher layers and a briefly warmed-up student.")
final class SuggestMappingsCommand implements Callable<Integer> {

    @Mixin
    SweepArgs args;

    @Option(names = "--top", defaultValue = "10", description = "mappings to list (default: ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--warmup-epochs", defaultValue = "1", description = "student epochs on hard labels first (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--sample", defaultValue = "1000", description = "held-out examples for CKA (default: ${DEFAULT-VALUE})")
    int sample;

    @Override
    public Integer call() throws Exception {
        ConfigLoader.Loaded loaded = args.load();
        SweepConfig c = loaded.config();
        Workspace ws = args.workspace(loaded);
        DataSplits data = new DatasetLoader().load(c.dataset());
        Backend.configure(c.runtime().threadsPerTrial());
        Teacher teacher = new TeacherCache(ws.teacherRoot(), System.out::println).obtain(c.dataset(), c.teacher(), data);
        Files.createDirectories(ws.reports());
        // a preview: nothing goes to the store, whose matrices are those the sweep ranked its trials by
        int fewest = Integer.MAX_VALUE;
        {
            for (ModelSpec student : MappingCandidates.students(c)) {
                MappingAdvisor.Similarity sim = MappingAdvisor.measure(student, c.student(), data, teacher, warmup, sample,
                        c.sweep().seeds().get(0));
                fewest = Math.min(fewest, print(student, sim));
                Path svg = ws.reports().resolve("cka-" + student.shortName().replaceAll("[^A-Za-z0-9]+", "-")
                        .replaceAll("^-|-$", "") + ".svg");
                Files.writeString(svg, heatmap(student, sim));
                System.out.println("heatmap: " + svg);
            }
        }
        // never more than the candidates: a k above their number would only repeat the ranking
        System.out.println("use them in a sweep with: mappings: [{generator: cka-top-k, k: " + Math.max(1, Math.min(3, fewest)) + "}]");
        return 0;
    }

    /** Prints the CKA matrix and the ranked candidates; returns how many candidates there are. */
    private int print(ModelSpec student, MappingAdvisor.Similarity sim) {
        System.out.printf(Locale.ROOT, "linear CKA, student %s (after %d warm-up epochs) vs teacher, on %d held-out examples%n",
                student.shortName(), sim.warmupEpochs(), sim.sample());
        StringBuilder h = new StringBuilder("      ");
        for (int t = 1; t <= sim.teacherLayers(); t++) {
            h.append(String.format(Locale.ROOT, "%7s", "t" + t));
        }
        System.out.println(h);
        for (int s = 0; s < sim.studentLayers(); s++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%6s", "s" + (s + 1)));
            for (double v : sim.cka()[s]) {
                row.append(String.format(Locale.ROOT, "%7.3f", v));
            }
            System.out.println(row);
        }
        List<Map.Entry<LayerMapping, Double>> ranked = MappingAdvisor.rank(sim.cka());
        System.out.printf(Locale.ROOT, "%d candidate mapping%s (every student layer mapped, order kept: one-to-one and many-to-one;"
                + " a partial mapping such as s%d<-t%d alone is not ranked: its pairs' CKA is in the matrix above)%n", ranked.size(),
                ranked.size() == 1 ? "" : "s", sim.studentLayers(), sim.teacherLayers());
        System.out.println("rank  score  mapping");
        for (int i = 0; i < Math.min(top, ranked.size()); i++) {
            System.out.printf(Locale.ROOT, "%4d  %.3f  %s%n", i + 1, ranked.get(i).getValue(), ranked.get(i).getKey().name());
        }
        return ranked.size();
    }

    private static String heatmap(ModelSpec student, MappingAdvisor.Similarity sim) {
        List<String> tl = new ArrayList<>(), sl = new ArrayList<>();
        for (int t = 1; t <= sim.teacherLayers(); t++) {
            tl.add("t" + t);
        }
        for (int s = 1; s <= sim.studentLayers(); s++) {
            sl.add("s" + s);
        }
        return Charts.heatmap("Linear CKA, student " + student.shortName() + " vs teacher", "teacher layer", tl, "student layer", sl,
                sim.cka(), "CKA", "%.2f");
    }
}

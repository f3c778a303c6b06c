package org.kdharness.advise;

import com.fasterxml.jackson.databind.JsonNode;
import org.kdharness.config.MappingCandidates;
import org.kdharness.distill.LayerDistance;
import org.kdharness.methods.DistillationRegistry;
import org.kdharness.config.LayerMapping;
import org.kdharness.config.ModelSpec;
import org.kdharness.config.SweepConfig;
import org.kdharness.data.DataSplits;
import org.kdharness.teacher.Teacher;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Resolves a sweep's {@code cka-top-k} generator: measures CKA for each student
 * architecture the sweep compares and ranks the candidate mappings.
 *
 * @param rankings     per architecture, candidate mappings best first
 * @param similarities per architecture, the measured CKA matrix
 */
public record CkaRankings(Map<ModelSpec, List<LayerMapping>> rankings, Map<ModelSpec, MappingAdvisor.Similarity> similarities) {

    public static CkaRankings none() {
        return new CkaRankings(Map.of(), Map.of());
    }

    /**
     * As {@link #compute}, but a matrix already stored for the sweep and student, measured against this teacher and of
     * this student's and teacher's tap counts, is reused, so every run and every worker of a sweep ranks mappings
     * identically (and trial ids stay stable); new measurements are stored. A matrix of another teacher (retrained,
     * re-exported) or another tap layout ({@code taps: blocks}, other exported taps) is measured again: its rows and
     * columns would name other layers.
     */
    public static CkaRankings reuseOrCompute(SweepConfig c, DataSplits data, Teacher teacher,
                                             org.kdharness.store.MetricsStore store, Consumer<String> log) {
        int teacherTaps = teacher.model().tapShapes().size();
        Map<String, double[][]> stored = new java.util.HashMap<>(store.cka(c.name(), teacher.key()));
        for (ModelSpec student : MappingCandidates.students(c)) {
            double[][] m = stored.get(student.shortName());
            if (m != null && (m.length != student.hiddenLayerCount() || m.length > 0 && m[0].length != teacherTaps)) {
                stored.remove(student.shortName());
            }
        }
        CkaRankings fresh = compute(c, data, teacher, s -> { }, stored);
        Map<String, double[][]> kept = new java.util.HashMap<>(stored);
        fresh.similarities().forEach((student, sim) -> {
            if (!stored.containsKey(student.shortName())) {
                kept.put(student.shortName(), store.keepCka(c.name(), student.shortName(), teacher.key(), sim.cka()));
            }
        });
        // ranked from what the store kept: another worker measuring at the same moment may have stored first
        return compute(c, data, teacher, log, kept);
    }

    public static CkaRankings compute(SweepConfig c, DataSplits data, Teacher teacher, Consumer<String> log) {
        return compute(c, data, teacher, log, Map.of());
    }

    /**
     * Measures when the config has a {@code cka-top-k} generator, or compares three or more
     * mappings by feature distillation (so the report can judge CKA against the measured
     * ranking); otherwise returns {@link #none()}.
     */
    private static CkaRankings compute(SweepConfig c, DataSplits data, Teacher teacher, Consumer<String> log,
                                       Map<String, double[][]> known) {
        JsonNode gen = MappingCandidates.ckaGenerator(c).orElse(null);
        // CKA ranks hint mappings: worth measuring when a method with hints compares several
        boolean compares = c.sweep().methods().stream()
                .anyMatch(m -> DistillationRegistry.standard().method(m).family() == LayerDistance.Family.HINT)
                && MappingCandidates.students(c).stream().anyMatch(s -> MappingCandidates.mappings(c, s).size() >= 3);
        if (gen == null && !compares) {
            return none();
        }
        if (gen == null) {
            gen = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        Map<ModelSpec, List<LayerMapping>> rankings = new LinkedHashMap<>();
        Map<ModelSpec, MappingAdvisor.Similarity> sims = new LinkedHashMap<>();
        for (ModelSpec student : MappingCandidates.students(c)) {
            double[][] stored = known.get(student.shortName());
            MappingAdvisor.Similarity sim = stored != null
                    ? new MappingAdvisor.Similarity(stored, gen.path("sample").asInt(1000), gen.path("warmup_epochs").asInt(1))
                    : MappingAdvisor.measure(student, c.student(), data, teacher,
                    gen.path("warmup_epochs").asInt(1), gen.path("sample").asInt(1000), c.sweep().seeds().get(0));
            List<Map.Entry<LayerMapping, Double>> ranked = MappingAdvisor.rank(sim.cka());
            rankings.put(student, ranked.stream().map(Map.Entry::getKey).toList());
            sims.put(student, sim);
            int k = gen.path("k").asInt(3);
            log.accept("CKA-ranked mappings for student " + student.shortName() + ": " + ranked.stream().limit(k)
                    .map(e -> e.getKey().name() + String.format(Locale.ROOT, " (%.3f)", e.getValue())).toList());
        }
        return new CkaRankings(rankings, sims);
    }
}

package org.kdharness.advise;

import org.kdharness.train.Inference;
import org.kdharness.config.LayerMapping;
import org.kdharness.config.MappingGenerator;
import org.kdharness.config.ModelSpec;
import org.kdharness.config.NetworkSpec;
import org.kdharness.config.TrainingSpec;
import org.kdharness.data.DataSplits;
import org.kdharness.data.ImageData;
import org.kdharness.distill.DistillationObjective;
import org.kdharness.distill.TrialSpec;
import org.kdharness.methods.DistillationRegistry;
import org.kdharness.models.Network;
import org.kdharness.models.NetworkBuilder;
import org.kdharness.teacher.Teacher;
import org.kdharness.train.Trainer;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Suggests layer mappings without an expert: measures linear CKA between every teacher
 * layer and every layer of a briefly warmed-up student on held-out examples, then ranks
 * candidate mappings (every order-preserving one-to-one and contiguous many-to-one
 * mapping) by their average pair similarity.
 *
 * <p>Why a warm-up: an untrained student's layers are random projections of the input;
 * one epoch on hard labels gives them the structure a mapping should be judged by, at a
 * fraction of a trial's cost. A pair's similarity is the mean CKA of the student layer with
 * its teacher layers; a mapping's score is the mean over its pairs.
 */
public final class MappingAdvisor {

    /** Cap on candidates enumerated per generator. */
    static final int MAX_CANDIDATES = 500;

    private MappingAdvisor() {
    }

    /**
     * CKA between student and teacher layers.
     *
     * @param cka {@code cka[s-1][t-1]} for student layer s and teacher layer t
     * @param sample held-out examples used
     * @param warmupEpochs student epochs on hard labels before measuring
     */
    public record Similarity(double[][] cka, int sample, int warmupEpochs) {
        public int studentLayers() {
            return cka.length;
        }

        public int teacherLayers() {
            return cka[0].length;
        }
    }

    /** Warms up a student of architecture {@code student} and measures CKA on the validation split. */
    public static Similarity measure(ModelSpec student, NetworkSpec studentTraining, DataSplits data, Teacher teacher,
                                     int warmupEpochs, int sample, long seed) {
        ImageData train = data.train();
        NetworkBuilder.InputShape shape = new NetworkBuilder.InputShape(train.channels(), train.height(), train.width());
        Network net = NetworkBuilder.build(SameDiff.create(), "", student, shape, train.numClasses(), seed);
        if (warmupEpochs > 0) {
            TrainingSpec t = studentTraining.training();
            TrainingSpec warm = new TrainingSpec(warmupEpochs, t.batchSize(), t.learningRate(), t.optimiser(), t.weightDecay(), t.seed(), 0,
                    t.momentum(), null, t.batchNorm());
            TrialSpec hard = TrialSpec.of(DistillationRegistry.standard().method("baseline"), seed).build();
            DistillationObjective obj = DistillationObjective.build(net, hard, train.numClasses(), List.of());
            new Trainer().fit(net, warm, seed, train, obj, List.of(train.oneHot()), data.validation(), null);
        }
        int n = (int) Math.min(sample, data.validation().size());
        INDArray x = data.validation().features().get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
        List<INDArray> teacherLayers = new ArrayList<>();
        for (int j = 1; j <= teacher.model().tapShapes().size(); j++) {
            teacherLayers.add(teacher.model().tap(x, j));
        }
        double[][] cka = new double[net.hidden().size()][teacherLayers.size()];
        for (int i = 0; i < net.hidden().size(); i++) {
            INDArray hs = Inference.output(net, x, net.hidden().get(i).name());
            for (int j = 0; j < teacherLayers.size(); j++) {
                cka[i][j] = Cka.linear(hs, teacherLayers.get(j));
            }
        }
        return new Similarity(cka, n, warmupEpochs);
    }

    /** Average pair similarity of a mapping: mean over pairs of the mean CKA with its teacher layers. */
    public static double score(LayerMapping m, double[][] cka) {
        double sum = 0;
        for (LayerMapping.Pair p : m.pairs()) {
            double pair = 0;
            for (int t : p.teacher()) {
                pair += cka[p.student() - 1][t - 1];
            }
            sum += pair / p.teacher().size();
        }
        return sum / m.pairs().size();
    }

    /** Candidate mappings (one-to-one and many-to-one) ranked by score, best first, ties in generation order. */
    public static List<Map.Entry<LayerMapping, Double>> rank(double[][] cka) {
        int s = cka.length, t = cka[0].length;
        Map<String, LayerMapping> candidates = new LinkedHashMap<>();
        if (s <= t) {
            for (String g : List.of("all-one-to-one", "many-to-one")) {
                MappingGenerator.generate(g, s, t, MAX_CANDIDATES, 1.0).forEach(m -> candidates.putIfAbsent(m.name(), m));
            }
        } else {
            // deeper student: each student layer to one teacher layer, order kept, repeats allowed
            MappingGenerator.generate("uniform", s, t, 0, 1.0).forEach(m -> candidates.putIfAbsent(m.name(), m));
        }
        List<Map.Entry<LayerMapping, Double>> ranked = new ArrayList<>();
        candidates.values().forEach(m -> ranked.add(Map.entry(m, score(m, cka))));
        ranked.sort(Comparator.comparingDouble((Map.Entry<LayerMapping, Double> e) -> e.getValue()).reversed());
        return ranked;
    }
}

package org.kdharness.sweep;

import org.kdharness.train.Trainer;

import org.kdharness.config.ConfigException;
import org.kdharness.config.SweepConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import org.kdharness.TinySweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad configs fail before anything runs, naming file, line and field. */
class ConfigLoaderTest {

    private static ConfigException error(String sweepSection) {
        return assertThrows(ConfigException.class,
                () -> new ConfigLoader().parse(TinySweep.yaml("bad", sweepSection), "bad.yaml"));
    }

    private static int lineOf(String yaml, String needle) {
        String[] lines = yaml.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(needle)) {
                return i + 1;
            }
        }
        throw new AssertionError(needle);
    }

    @Test
    void everyShippedExperimentIsAValidConfig() throws Exception {
        try (var files = java.nio.file.Files.list(org.kdharness.data.TestPaths.repo().resolve("experiments"))) {
            List<java.nio.file.Path> yamls = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
            assertTrue(yamls.size() >= 6, yamls.toString());
            for (java.nio.file.Path y : yamls) {
                SweepConfig c = new ConfigLoader().load(y).config(); // throws, naming file, line and field, when not
                assertEquals(y.getFileName().toString().replace(".yaml", ""), c.name(), "a sweep is named as its file");
            }
        }
    }

    @Test
    void quickstartLoads() {
        SweepConfig c = new ConfigLoader().load(org.kdharness.data.TestPaths.repo().resolve("experiments/quickstart.yaml")).config();
        assertEquals("quickstart", c.name());
        assertEquals(2, c.sweep().mappings().size());
        assertEquals(0.9, c.sweep().alpha().get(1));
    }

    @Test
    void unknownKeyNamesLineAndKnownKeys() {
        String section = "sweep:\n  methods: [baseline]\n  temperatur: [2]\n";
        ConfigException e = error(section);
        assertEquals(lineOf(TinySweep.yaml("bad", section), "temperatur:"), e.line());
        assertTrue(e.getMessage().contains("unknown key 'temperatur'"), e.getMessage());
        assertTrue(e.getMessage().contains("temperature"), "lists the known keys: " + e.getMessage());
    }

    @Test
    void anUnknownBatchNormSettingNamesFieldAndLine() {
        String yaml = TinySweep.yaml("bad", "sweep:\n  methods: [baseline]\n").replace("training: {epochs: 1, batch_size: 64}",
                "training: {epochs: 1, batch_size: 64, batch_norm: presise}");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().parse(yaml, "bad.yaml"));
        assertEquals("student.training.batch_norm", e.field(), e.getMessage());
        assertEquals(lineOf(yaml, "presise"), e.line());
        assertTrue(e.getMessage().contains("unknown batch_norm 'presise' (known: precise, running)"), e.getMessage());
        new ConfigLoader().parse(yaml.replace("presise", "precise"), "good.yaml");
    }

    /**
     * A misspelt data directory fails at the config's line, before anything runs, and points at the directory one
     * typo away instead of advising to install data that is there; a path like nothing that exists gets the advice.
     */
    @Test
    void aMisspeltDatasetPathNamesLineAndTheDirectoryMeant() {
        String good = TinySweep.yaml("bad", "sweep:\n  methods: [baseline]\n");
        String typo = good.replace("fashion-mnist-small", "fashion-mnsit-small");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().requireData(new ConfigLoader().parse(typo, "bad.yaml")));
        assertEquals("dataset.path", e.field(), e.getMessage());
        assertEquals(lineOf(typo, "fashion-mnsit-small"), e.line());
        assertTrue(e.getMessage().contains("did you mean " + org.kdharness.data.TestPaths.repo().resolve("datasets/fashion-mnist-small")),
                e.getMessage());
        assertTrue(!e.getMessage().contains("datasets/fetch"), "no install advice for data that is there: " + e.getMessage());
        String unlike = good.replace("fashion-mnist-small", "no-such-data-anywhere");
        ConfigException other = assertThrows(ConfigException.class, () -> new ConfigLoader().requireData(new ConfigLoader().parse(unlike, "bad.yaml")));
        assertTrue(other.getMessage().contains("datasets/fetch") && !other.getMessage().contains("did you mean"), other.getMessage());
        new ConfigLoader().requireData(new ConfigLoader().parse(good, "good.yaml"));
    }

    @Test
    void nonPositiveTemperatureNamesFieldAndLine() {
        String section = "sweep:\n  methods: [response]\n  temperature: [2,\n    -1]\n";
        ConfigException e = error(section);
        assertEquals("sweep.temperature[1]", e.field());
        assertEquals(lineOf(TinySweep.yaml("bad", section), "-1]"), e.line());
        assertTrue(e.getMessage().startsWith("bad.yaml:"), e.getMessage());
    }

    @Test
    void ashaSettingsAreCheckedWithTheirLine() {
        // TinySweep's students train 1 epoch: no rung below it
        String section = "sweep:\n  methods: [response]\n  search: {strategy: asha,\n    min_epochs: 1}\n";
        ConfigException e = error(section);
        assertEquals("sweep.search.min_epochs", e.field());
        assertEquals(lineOf(TinySweep.yaml("bad", section), "min_epochs: 1}"), e.line());
        assertTrue(e.getMessage().contains("no rung"), e.getMessage());
        assertEquals("sweep.search.strategy", error("sweep:\n  methods: [response]\n  search: {strategy: hyperband}\n").field());
        assertEquals("sweep.search.reduction_factor", error("sweep:\n  methods: [response]\n  search: {strategy: grid, reduction_factor: 1}\n").field());
        assertEquals("sweep.search.metric", error("sweep:\n  methods: [response]\n  search: {metric: test_accuracy}\n").field());
        assertTrue(error("sweep:\n  methods: [response]\n  search: {strategy: asha, eta: 3}\n").getMessage().contains("unknown key 'eta'"));
        ConfigException patience = assertThrows(ConfigException.class, () -> new ConfigLoader().parse(TinySweep.yaml("bad",
                        "sweep:\n  methods: [response]\n  search: {strategy: asha}\n")
                .replace("training: {epochs: 1, batch_size: 64}", "training: {epochs: 9, batch_size: 64, patience: 2}"), "bad.yaml"));
        assertTrue(patience.getMessage().contains("patience must be 0"), patience.getMessage());
    }

    @Test
    void resnetSettingsAreChecked() {
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().parse(TinySweep.yaml("bad", "sweep:\n  methods: [baseline]\n")
                .replace("model: {type: mlp, hidden: [16, 8]}", "model: {type: resnet, depth: 9}"), "bad.yaml"));
        assertEquals("student.model.depth", e.field());
        assertTrue(e.getMessage().contains("6n+2"), e.getMessage());
        ConfigException tap = assertThrows(ConfigException.class, () -> new ConfigLoader().parse(TinySweep.yaml("bad", """
                sweep:
                  methods: [feature]
                  mappings:
                    - [{student: stage4, teacher: pool}]
                """).replace("model: {type: mlp, hidden: [16, 8]}", "model: {type: resnet, depth: 8}"), "bad.yaml"));
        assertTrue(tap.getMessage().contains("unknown student layer 'stage4'") && tap.getMessage().contains("stage1, stage2, stage3, pool"),
                tap.getMessage());
        // attention transfer compares maps: a resnet's stages are maps, its pooled features are not
        String at = """
                sweep:
                  methods: [feature]
                  distance: [attention]
                  mappings:
                    - [{student: stage3, teacher: stage2}]
                """;
        new ConfigLoader().parse(TinySweep.yaml("ok", at).replace("model: {type: mlp, hidden: [16, 8]}", "model: {type: resnet, depth: 8}")
                .replace("model: {type: mlp, hidden: [48, 32]}", "model: {type: resnet, depth: 14}"), "ok.yaml");
        ConfigException pool = assertThrows(ConfigException.class, () -> new ConfigLoader().parse(TinySweep.yaml("bad",
                        at.replace("teacher: stage2", "teacher: pool"))
                .replace("model: {type: mlp, hidden: [16, 8]}", "model: {type: resnet, depth: 8}")
                .replace("model: {type: mlp, hidden: [48, 32]}", "model: {type: resnet, depth: 14}"), "bad.yaml"));
        assertTrue(pool.getMessage().contains("(maps: student taps 1-3, teacher taps 1-3)"), pool.getMessage());
        for (String model : new String[]{"{type: vgg}", "{type: vgg, depth: 12}", "{type: wrn, depth: 14}"}) {
            ConfigException e2 = assertThrows(ConfigException.class, () -> new ConfigLoader().parse(TinySweep.yaml("bad",
                    "sweep:\n  methods: [baseline]\n").replace("model: {type: mlp, hidden: [16, 8]}", "model: " + model), "bad.yaml"));
            assertEquals("student.model.depth", e2.field(), model + ": " + e2.getMessage());
        }
        assertEquals("student.model.dropout", assertThrows(ConfigException.class, () -> new ConfigLoader().parse(TinySweep.yaml("bad",
                "sweep:\n  methods: [baseline]\n").replace("model: {type: mlp, hidden: [16, 8]}",
                "model: {type: resnet, depth: 8, dropout: 0.5}"), "bad.yaml")).field());
    }

    @Test
    void blockTapsAreNamedAndGeneratorsEnumerateThem() {
        String sweep = """
                sweep:
                  methods: [feature]
                  mappings:
                    - [{student: stage3, teacher: stage3.block2}]
                    - [{student: stage3, teacher: [stage3.block1, stage3]}]
                    - {generator: many-to-one}
                """;
        var c = new ConfigLoader().parse(TinySweep.yaml("blocks", sweep).replace("model: {type: mlp, hidden: [16, 8]}",
                "model: {type: resnet, depth: 8}").replace("model: {type: mlp, hidden: [48, 32]}",
                "model: {type: resnet, depth: 14, taps: blocks}"), "blocks.yaml").config();
        List<String> names = SweepPlan.expand(c).trials().stream().map(t -> t.spec().mapping().name()).distinct().toList();
        // resnet14 with block taps: stage1.block1, stage1.block2, ..., stage3.block2 (6), pool (7)
        assertEquals("s3<-t6", names.get(0));
        assertEquals("s3<-t5+t6", names.get(1), "stage3 is stage 3's last block");
        assertTrue(names.stream().anyMatch(n -> n.matches("s1<-t1(\\+t2)*,s2<-.*,s3<-.*,s4<-.*t7")) && names.size() > 3,
                "many-to-one groups the teacher's 7 block taps onto the student's 4: " + names);
        // the same mapping by number, teacher taps by block or by stage: the same cached weights, but t3 is another layer
        String numbered = "sweep:\n  methods: [feature]\n  mappings:\n    - [{student: 3, teacher: 3}]\n";
        java.util.function.Function<String, SweepConfig> teacher = t -> new ConfigLoader().parse(TinySweep.yaml("blocks", numbered)
                .replace("model: {type: mlp, hidden: [16, 8]}", "model: {type: resnet, depth: 8}")
                .replace("model: {type: mlp, hidden: [48, 32]}", t), "blocks.yaml").config();
        SweepConfig byBlock = teacher.apply("model: {type: resnet, depth: 14, taps: blocks}");
        SweepConfig byStage = teacher.apply("model: {type: resnet, depth: 14}");
        assertEquals(org.kdharness.teacher.TeacherCache.key(byBlock.dataset(), byBlock.teacher()),
                org.kdharness.teacher.TeacherCache.key(byStage.dataset(), byStage.teacher()), "taps: blocks reuses the trained teacher");
        assertEquals("s3<-t3", SweepPlan.expand(byBlock).trials().get(0).spec().mapping().name());
        assertTrue(!SweepPlan.expand(byBlock).trials().get(0).id().equals(SweepPlan.expand(byStage).trials().get(0).id()),
                "s3<-t3 onto stage1.block3 and onto stage3 are other trials");
        ConfigException stageLevel = assertThrows(ConfigException.class, () -> new ConfigLoader().parse(TinySweep.yaml("blocks", sweep)
                .replace("model: {type: mlp, hidden: [16, 8]}", "model: {type: resnet, depth: 8}")
                .replace("model: {type: mlp, hidden: [48, 32]}", "model: {type: resnet, depth: 14}"), "blocks.yaml"));
        assertTrue(stageLevel.getMessage().contains("unknown teacher layer 'stage3.block2'")
                && stageLevel.getMessage().contains("taps: blocks in the teacher's model"), stageLevel.getMessage());
        for (String model : new String[]{"{type: vgg, depth: 8, taps: blocks}", "{type: resnet, depth: 8, taps: layers}"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().parse(TinySweep.yaml("bad",
                    "sweep:\n  methods: [baseline]\n").replace("model: {type: mlp, hidden: [16, 8]}", "model: " + model), "bad.yaml"));
            assertEquals("student.model.taps", e.field(), model + ": " + e.getMessage());
        }
    }

    @Test
    void alphaOutsideUnitInterval() {
        ConfigException e = error("sweep:\n  methods: [response]\n  alpha: [1.5]\n");
        assertEquals("sweep.alpha[0]", e.field());
    }

    @Test
    void unknownNormalisationNamesFieldAndLine() {
        String yaml = TinySweep.yaml("bad", "sweep:\n  methods: [baseline]\n").replace("  validation_fraction: 0.2\n",
                "  validation_fraction: 0.2\n  normalize: per_pixel\n");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().parse(yaml, "bad.yaml"));
        assertTrue(e.getMessage().contains("dataset.normalize") || e.getMessage().contains("/dataset/normalize"), e.getMessage());
        assertTrue(e.getMessage().contains("'none' or 'per_channel'"), e.getMessage());
        assertEquals(lineOf(yaml, "normalize:"), e.line());
        SweepConfig ok = new ConfigLoader().parse(yaml.replace("per_pixel", "per_channel"), "ok.yaml").config();
        assertEquals("per_channel", ok.dataset().normalize());
    }

    @Test
    void theCifarRecipeLoadsAndItsMistakesAreNamed() {
        String recipe = "training: {epochs: 240, batch_size: 64, optimiser: sgd, learning_rate: 0.05, momentum: 0.9, weight_decay: 5.0e-4,\n"
                + "    schedule: {type: step, milestones: [150, 180, 210], gamma: 0.1}}";
        String yaml = TinySweep.yaml("ok", "sweep:\n  methods: [baseline]\n").replace("training: {epochs: 1, batch_size: 64}", recipe);
        SweepConfig c = new ConfigLoader().parse(yaml, "ok.yaml").config();
        assertEquals(0.9, c.student().training().momentum());
        assertEquals(List.of(150, 180, 210), c.student().training().schedule().milestones());
        assertEquals(0.005, org.kdharness.train.EpochScheduleProbe.rate(c.student().training(), 150), 1e-12);

        ConfigException late = assertThrows(ConfigException.class, () -> new ConfigLoader().parse(yaml.replace("210]", "240]"), "bad.yaml"));
        assertTrue(late.getMessage().contains("schedule/milestones") || late.getMessage().contains("schedule.milestones"), late.getMessage());
        assertEquals(lineOf(yaml, "schedule:"), late.line());
        ConfigException adam = assertThrows(ConfigException.class, () -> new ConfigLoader().parse(yaml.replace("optimiser: sgd", "optimiser: adam"), "bad.yaml"));
        assertTrue(adam.getMessage().contains("momentum") && adam.getMessage().contains("adam has its own moments"), adam.getMessage());
        ConfigException axis = assertThrows(ConfigException.class, () -> new ConfigLoader().parse(
                yaml.replace("methods: [baseline]", "methods: [baseline]\n  optimiser: [sgd, adam]"), "bad.yaml"));
        assertTrue(axis.getMessage().contains("sweep.optimiser[1]") || axis.getMessage().contains("/sweep/optimiser/1"), axis.getMessage());
        assertTrue(axis.getMessage().contains("sets momentum"), axis.getMessage());
        ConfigException type = assertThrows(ConfigException.class, () -> new ConfigLoader().parse(yaml.replace("type: step", "type: linear"), "bad.yaml"));
        assertTrue(type.getMessage().contains("constant, step or cosine"), type.getMessage());
    }

    @Test
    void unknownEngineNamesField() {
        ConfigException e = error("sweep:\n  methods: [baseline]\nruntime:\n  engine: fast\n");
        assertTrue(e.getMessage().contains("runtime.engine") || e.getMessage().contains("/runtime/engine"), e.getMessage());
        assertTrue(e.getMessage().contains("'auto', 'graph' or 'layers'"), e.getMessage());
        SweepConfig graph = new ConfigLoader().parse(TinySweep.yaml("ok", "sweep:\n  methods: [baseline]\nruntime:\n  engine: graph\n"), "ok.yaml").config();
        assertEquals("graph", graph.runtime().engine());
        SweepConfig layers = new ConfigLoader().parse(TinySweep.yaml("ok", "sweep:\n  methods: [baseline]\nruntime:\n  engine: layers\n"), "ok.yaml").config();
        assertEquals(Trainer.Engine.LAYERS, Trainer.Engine.named(layers.runtime().engine()));
    }

    @Test
    void wrongTypeNamesField() {
        ConfigException e = error("sweep:\n  seeds: [one]\n");
        assertTrue(e.getMessage().contains("seeds"), e.getMessage());
        assertTrue(e.line() > 0);
    }

    @Test
    void impossibleMappingNamesMapping() {
        ConfigException e = error("sweep:\n  methods: [feature]\n  mappings:\n    - [{student: 1, teacher: 1}]\n    - [{student: 3, teacher: 1}]\n");
        assertEquals("sweep.mappings[1]", e.field());
        assertTrue(e.getMessage().contains("student layer 3 is out of range"), e.getMessage());
        ConfigException named = error("sweep:\n  methods: [feature]\n  mappings:\n    - [{student: h1, teacher: [h1, x2]}]\n");
        assertTrue(named.getMessage().contains("unknown teacher layer 'x2'"), named.getMessage());
    }

    @Test
    void featureWithoutMappingIsRejected() {
        ConfigException e = error("sweep:\n  methods: [feature]\n");
        assertEquals("sweep.mappings", e.field());
    }

    @Test
    void misspeltKeyWithABlockValueIsReportedOnItsOwnLine() {
        String yaml = TinySweep.yaml("bad", "sweep:\n  methods: [baseline]\n").replace("teacher:\n", "teachr:\n");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().parse(yaml, "bad.yaml"));
        assertEquals(lineOf(yaml, "teachr:"), e.line(), e.getMessage());
        assertEquals("teachr", e.field());
        assertTrue(e.getMessage().contains("unknown key 'teachr'"), e.getMessage());
    }

    @Test
    void aTabIsReportedWhereItIs() {
        // a tab in a comment is legal; the one indenting "seeds" is the error
        String section = "sweep:\n  # methods:\tthe usual three\n  methods: [baseline, response]\n\tseeds: [1]\n";
        ConfigException e = error(section);
        assertEquals(lineOf(TinySweep.yaml("bad", section), "\tseeds"), e.line(), e.getMessage());
        assertTrue(e.getMessage().contains("a tab character: YAML indents with spaces"), e.getMessage());
        assertEquals(null, e.field(), "no field that does not exist: " + e.getMessage());
    }

    @Test
    void anExplicitTrialWithAttentionOnDenseLayersIsRejected() {
        ConfigException e = error("sweep:\n  methods: [baseline]\n  trials:\n"
                + "    - {method: feature, distance: attention, mapping: [{student: 1, teacher: 1}]}\n");
        assertEquals("sweep.trials[0].distance", e.field(), e.getMessage());
        assertTrue(e.getMessage().contains("compares conv feature maps"), e.getMessage());
    }

    @Test
    void aWordWhereANumberBelongsSaysSo() {
        String section = "sweep:\n  methods: [response]\n  alpha: [\"high\"]\n";
        ConfigException e = error(section);
        assertEquals("sweep.alpha[0]", e.field(), e.getMessage());
        assertEquals(lineOf(TinySweep.yaml("bad", section), "alpha:"), e.line());
        assertTrue(e.getMessage().endsWith("expected a number, got 'high'"), e.getMessage());
    }

    @Test
    void aDirectoryIsNotAConfig() throws Exception {
        java.nio.file.Path d = java.nio.file.Files.createTempDirectory("kd-dir-config");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().load(d));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
        org.kdharness.CliRun.Result r = org.kdharness.CliRun.run("plan", d.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("is a directory") && !r.err().contains("not found"), r.err());
    }
}

package org.kdharness.sweep;

import org.junit.jupiter.api.Test;
import org.kdharness.data.TestPaths;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every YAML example in {@code harness/docs/guide.md} loads as {@code kd run} would load it (keys, values, mappings,
 * an imported teacher's file), and plans into trials where its data is here: the guide cannot teach a config the loader
 * rejects.
 */
class GuideExamplesTest {

    @Test
    void everyExampleLoadsAndPlans() throws Exception {
        String guide = Files.readString(TestPaths.repo().resolve("harness/docs/guide.md"));
        Matcher m = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(guide);
        List<String> names = new ArrayList<>();
        while (m.find()) {
            ConfigLoader.Loaded loaded = new ConfigLoader().parse(m.group(1), "harness/docs/guide.md");
            names.add(loaded.config().name());
            // generated CKA mappings are chosen once a teacher exists, and trial ids hash the data's files: the rest
            // expand now where their data is here (the CIFAR example's is the reader's own)
            boolean data = !loaded.config().dataset().path().startsWith("/data/");
            if (data && org.kdharness.config.MappingCandidates.ckaGenerator(loaded.config()).isEmpty()) {
                assertTrue(SweepPlan.expand(loaded.config()).trials().size() > 0, loaded.config().name());
            }
        }
        assertEquals(List.of("mlp-guide", "cnn-guide", "resnet-guide", "mapping-guide", "onnx-guide", "cifar-guide"), names);
    }
}

package org.kdharness.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.kdharness.data.TestPaths;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code harness/docs/config.md} documents exactly the keys the config loader binds: every property of every config
 * record reachable from {@link SweepConfig} (as Jackson sees it, snake_case, {@code @JsonIgnore} left out) has a row,
 * and every row names such a property. A key added to a record without a row fails here.
 */
class ConfigReferenceTest {

    /** Where each record's keys are documented: the prefix its rows carry. A new record type needs a section. */
    private static final Map<Class<?>, String> SECTIONS = Map.ofEntries(
            Map.entry(SweepConfig.class, ""),
            Map.entry(DatasetSpec.class, "dataset."),
            Map.entry(NetworkSpec.class, "teacher."),
            Map.entry(ModelSpec.class, "model."),
            Map.entry(ModelSpec.ConvBlock.class, "model.conv[]."),
            Map.entry(TrainingSpec.class, "training."),
            Map.entry(LrSchedule.class, "training.schedule."),
            Map.entry(OnnxSpec.class, "teacher.onnx."),
            Map.entry(SweepSpec.class, "sweep."),
            Map.entry(SweepSpec.TrialOverride.class, "sweep.trials[]."),
            Map.entry(SearchSpec.class, "sweep.search."),
            Map.entry(StoreSpec.class, "store."),
            Map.entry(RuntimeSpec.class, "runtime."));

    /** The loader's binding (ConfigLoader's naming strategy). */
    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory()).setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private static void walk(Class<?> type, Set<String> keys, Set<Class<?>> seen, List<String> problems) {
        if (!seen.add(type)) {
            return;
        }
        String prefix = SECTIONS.get(type);
        if (prefix == null) {
            problems.add("config record " + type.getName() + " has no section in docs/config.md (add one, and its prefix here)");
            return;
        }
        JavaType javaType = MAPPER.constructType(type);
        BeanDescription d = MAPPER.getDeserializationConfig().introspect(javaType);
        for (BeanPropertyDefinition p : d.findProperties()) {
            if (!p.couldDeserialize() || ignored(type, p.getInternalName())) {
                continue;
            }
            keys.add(prefix + p.getName());
            JavaType t = p.getPrimaryType();
            Class<?> inner = (t.isCollectionLikeType() ? t.getContentType() : t).getRawClass();
            if (inner.isRecord() && inner.getName().startsWith("org.kdharness.config")) {
                walk(inner, keys, seen, problems);
            }
        }
    }

    /** Whether the record component {@code name} of {@code type} is {@code @JsonIgnore}d (derived, never written). */
    private static boolean ignored(Class<?> type, String name) {
        for (var c : type.getRecordComponents()) {
            if (c.getName().equals(name)) {
                return c.isAnnotationPresent(JsonIgnore.class) || c.getAccessor().isAnnotationPresent(JsonIgnore.class);
            }
        }
        return false;
    }

    @Test
    void everyKeyHasARowAndEveryRowAKey() throws Exception {
        Set<String> keys = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        walk(SweepConfig.class, keys, new java.util.HashSet<>(), problems);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(keys.size() > 60, "the walk found the records' keys: " + keys);
        String doc = Files.readString(TestPaths.repo().resolve("harness/docs/config.md"));
        Set<String> rows = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\| `([a-z0-9_.\\[\\]]+)` \\|").matcher(doc);
        while (m.find()) {
            rows.add(m.group(1));
        }
        Set<String> undocumented = new TreeSet<>(keys);
        undocumented.removeAll(rows);
        Set<String> stale = new TreeSet<>(rows);
        stale.removeAll(keys);
        assertEquals(Set.of(), undocumented, "keys without a row in harness/docs/config.md");
        assertEquals(Set.of(), stale, "rows in harness/docs/config.md naming no key");
    }
}

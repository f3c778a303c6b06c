package org.kdharness.sweep;

import org.kdharness.config.ConfigException;
import org.kdharness.config.SweepConfig;
import org.kdharness.data.DataLocation;
import org.kdharness.data.DatasetLoader;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads a sweep YAML into a {@link SweepConfig}, then validates it.
 *
 * <p>Why Jackson: it binds YAML straight onto records, rejects unknown keys, and reports
 * the line of a type error; for semantic errors found later we re-read token locations so
 * every message names file, line and field.
 */
public final class ConfigLoader {

    private final ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);

    /** A parsed, validated config together with its source text. */
    public record Loaded(SweepConfig config, String yaml, Path file) {
    }

    /** Loads and validates; throws {@link ConfigException} naming file, line and field. */
    public Loaded load(Path file) {
        if (Files.isDirectory(file)) {
            throw new ConfigException(file.toString(), 0, null, "is a directory, not a config file");
        }
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), 0, null, "config file not found");
        } catch (IOException e) {
            throw new ConfigException(file.toString(), 0, null, "cannot read: " + e.getMessage());
        }
        return parse(yaml, file.toString());
    }

    /** Parses YAML text; {@code source} names it in errors. */
    public Loaded parse(String yaml, String source) {
        return parse(yaml, source, false);
    }

    /**
     * Parses the YAML a store kept for a sweep that has run: as {@link #parse}, except that an imported teacher whose file
     * is no longer where the config said (moved, deleted, another machine) is taken as the config names it, without its
     * file: status, reports and exports read the store, not the teacher ({@link ImportedTeacherConfig#detached}).
     */
    public Loaded parseStored(String yaml, String source) {
        return parse(yaml, source, true);
    }

    private Loaded parse(String yaml, String source, boolean stored) {
        SweepConfig config;
        try {
            config = mapper.readValue(yaml, SweepConfig.class);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new ConfigException(source, line(yaml, e), path(e),
                    "unknown key '" + e.getPropertyName() + "'" + (known.isEmpty() ? "" : " (known: " + known + ")"));
        } catch (InvalidFormatException e) {
            throw new ConfigException(source, line(yaml, e), path(e), "expected " + expected(e.getTargetType())
                    + ", got '" + e.getValue() + "'");
        } catch (JsonProcessingException e) {
            int tab = tabLine(yaml);
            if (tab > 0 && String.valueOf(e.getOriginalMessage()).contains("(TAB)")) {
                // the scanner stops at the token before the tab, inside whatever that token belonged to;
                // the tab is what to fix
                throw new ConfigException(source, tab, null, "a tab character: YAML indents with spaces");
            }
            if (e instanceof JsonMappingException m) {
                throw new ConfigException(source, line(yaml, m), path(m), e.getOriginalMessage());
            }
            throw new ConfigException(source, line(e.getLocation()), null, "not valid YAML: " + e.getOriginalMessage());
        }
        if (config == null) {
            throw new ConfigException(source, 0, null, "config is empty");
        }
        ConfigValidator validator = new ConfigValidator(source, lineIndex(yaml));
        config = stored && ImportedTeacherConfig.fileMissing(config) ? ImportedTeacherConfig.detached(config)
                : ImportedTeacherConfig.resolve(config, validator);
        validator.validate(config);
        return new Loaded(config, yaml, Path.of(source));
    }

    /**
     * Fails at the config's {@code dataset.path} line when its data directory does not exist ("did you mean" the
     * directory one typo away, else how to get the data): for the commands about to read the data (run, plan, worker),
     * before anything runs; a config read for its results (status, report) needs no data, and a shipped config names
     * data a machine may not have.
     */
    public void requireData(Loaded loaded) {
        Path data = DataLocation.resolve(loaded.config().dataset().path());
        new ConfigValidator(loaded.file().toString(), lineIndex(loaded.yaml())).check(Files.isDirectory(data), "/dataset/path",
                DataLocation.notFound(data, DatasetLoader.hint(loaded.config().dataset())));
    }

    /** What a config value of {@code type} must look like, for a one-line error. */
    private static String expected(Class<?> type) {
        if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class)) {
            return "a number";
        }
        return type == Boolean.class || type == boolean.class ? "true or false" : "a " + type.getSimpleName();
    }

    /**
     * The first line (1-based) indented with a tab (what YAML's scanner rejects), else the
     * first holding a tab outside a comment, or 0.
     */
    private static int tabLine(String yaml) {
        String[] lines = yaml.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String indent = lines[i].substring(0, lines[i].length() - lines[i].stripLeading().length());
            if (indent.indexOf('\t') >= 0) {
                return i + 1;
            }
        }
        for (int i = 0; i < lines.length; i++) {
            int comment = lines[i].indexOf('#');
            int tab = lines[i].indexOf('\t');
            if (tab >= 0 && (comment < 0 || tab < comment)) {
                return i + 1;
            }
        }
        return 0;
    }

    private static int line(JsonLocation loc) {
        return loc == null ? 0 : loc.getLineNr();
    }

    /**
     * The line of the value at the exception's path; Jackson's own location points past
     * the whole object when it binds records through their constructors.
     */
    private int line(String yaml, JsonMappingException e) {
        StringBuilder pointer = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            pointer.append('/').append(r.getIndex() >= 0 ? String.valueOf(r.getIndex()) : r.getFieldName());
        }
        Integer l = lineIndex(yaml).get(pointer.toString());
        return l != null ? l : line(e.getLocation());
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            } else {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            }
        }
        return sb.toString();
    }

    /** Maps each value's JSON pointer (e.g. {@code /sweep/temperature/1}) to its line. */
    private Map<String, Integer> lineIndex(String yaml) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = mapper.getFactory().createParser(yaml)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME) {
                    // a key's own line: for a block value the value's first token is a line later
                    lines.putIfAbsent(p.getParsingContext().pathAsPointer().toString(), p.getTokenLocation().getLineNr());
                    continue;
                }
                lines.putIfAbsent(p.getParsingContext().pathAsPointer().toString(),
                        p.getTokenLocation().getLineNr());
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    // pointer of the container itself is its parent's entry
                    lines.putIfAbsent(p.getParsingContext().getParent() == null ? ""
                            : p.getParsingContext().getParent().pathAsPointer().toString(), p.getTokenLocation().getLineNr());
                }
            }
        } catch (IOException e) {
            // already parsed once; locations are a convenience
        }
        return lines;
    }
}

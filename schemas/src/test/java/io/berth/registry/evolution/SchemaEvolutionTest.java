package io.berth.registry.evolution;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Guards Berth's event schemas: every {@code .avsc} under {@code src/main/avro} must stay
 * FULL-compatible (backward and forward) with its committed baseline under
 * {@code src/test/resources/schema-baseline}, because records written with the old version stay
 * on compacted topics, and old services must read records written by new ones during a rolling
 * upgrade. To accept a compatible change, copy the changed file over its baseline (see
 * schemas/README.md, "Changing a schema").
 */
class SchemaEvolutionTest {
    private static final Path CURRENT = Path.of("src/main/avro");
    private static final Path BASELINE = Path.of("src/test/resources/schema-baseline");

    @Test
    void shouldKeepEverySchemaFullCompatibleWithItsBaseline() {
        assertTrue(Files.isDirectory(CURRENT) && Files.isDirectory(BASELINE), "run from the schemas module directory");
        Map<String, Schema> baseline = SchemaEvolutionCheck.parseTree(BASELINE);
        Map<String, Schema> current = SchemaEvolutionCheck.parseTree(CURRENT);
        assertFalse(baseline.isEmpty(), "no baseline schemas under " + BASELINE);
        List<String> problems = SchemaEvolutionCheck.problems(baseline, current);
        assertTrue(problems.isEmpty(), "schemas are not FULL-compatible with their baseline:\n  " + String.join("\n  ", problems)
                + "\nMake the change compatible (add fields only with a default; never change a field's type or remove a field without a default)."
                + "\nIf a change is compatible and intended, copy the file over its baseline in schemas/" + BASELINE + ".");
    }

    @Test
    void shouldNameTheFieldAddedWithoutADefault() {
        List<String> problems = SchemaEvolutionCheck.fullCompatibility("records/LogLine.avsc", logLine(""),
                logLine(",{\"name\":\"severity\",\"type\":\"string\"}"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("READER_FIELD_MISSING_DEFAULT_VALUE"), problems.get(0));
        assertTrue(problems.get(0).contains("severity"), problems.get(0));
        assertTrue(problems.get(0).startsWith("records/LogLine.avsc"), problems.get(0));
    }

    @Test
    void shouldNameTheFieldWhoseTypeChanged() {
        Schema old = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"},"
                + "{\"name\":\"port\",\"type\":\"int\"}]}");
        Schema now = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"},"
                + "{\"name\":\"port\",\"type\":\"string\"}]}");
        List<String> problems = SchemaEvolutionCheck.fullCompatibility("R.avsc", old, now);
        assertFalse(problems.isEmpty());
        assertTrue(problems.stream().allMatch(p -> p.contains("field 'port'")), problems.toString());
        assertTrue(problems.get(0).contains("TYPE_MISMATCH"), problems.get(0));
    }

    @Test
    void shouldAcceptAFieldAddedWithADefault() {
        assertEquals(List.of(), SchemaEvolutionCheck.fullCompatibility("records/LogLine.avsc", logLine(""),
                logLine(",{\"name\":\"severity\",\"type\":\"string\",\"default\":\"INFO\"}")));
    }

    @Test
    void shouldCatchAnIncompatibleChangeToARealBerthSchemaAndItsUsers() {
        Map<String, String> texts = SchemaEvolutionCheck.readTree(CURRENT);
        Map<String, Schema> baseline = SchemaEvolutionCheck.parseAll(texts);
        String resources = texts.get("common/Resources.avsc");
        assertNotNull(resources, "common/Resources.avsc exists");
        // long -> double: old data still reads (promotion), but old readers cannot read the new doubles
        String changed = resources.replaceFirst("(\"name\"\\s*:\\s*\"cpuMillis\"\\s*,\\s*\"type\"\\s*:\\s*)\"long\"", "$1\"double\"");
        assertNotEquals(resources, changed, "the test edits the type of cpuMillis");
        texts.put("common/Resources.avsc", changed);
        List<String> problems = SchemaEvolutionCheck.problems(baseline, SchemaEvolutionCheck.parseAll(texts));
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("common/Resources.avsc") && p.contains("(FORWARD)") && p.contains("field 'cpuMillis'")),
                String.join("\n", problems));
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("common/ContainerSpec.avsc") && p.contains("field 'requests.cpuMillis'")),
                "schemas that embed Resources are reported too:\n" + String.join("\n", problems));
    }

    private static Schema logLine(String extraFields) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"LogLine\",\"namespace\":\"io.berth.schemas.avro\",\"fields\":["
                + "{\"name\":\"taskId\",\"type\":\"string\"},{\"name\":\"line\",\"type\":\"string\"}" + extraFields + "]}");
    }
}

package io.berth.registry.core;

import io.berth.registry.TestSchemas;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The registry's semantics without Kafka or HTTP: a writer that applies records straight to the state. */
class RegistryTest {
    private RegistryState state;
    private Registry registry;

    /** Applies each record at once, as the store's reader would after the write. */
    static final class DirectWriter implements RecordWriter {
        private final RegistryState state;

        DirectWriter(RegistryState state) {
            this.state = state;
        }

        @Override public void putSchema(SchemaEntry entry) { state.putSchema(entry); }
        @Override public void tombstoneSchema(String subject, int version) { state.removeSchema(subject, version); }
        @Override public void deleteSubject(String subject, int upToVersion) { state.deleteSubject(subject, upToVersion); }
        @Override public void putConfig(String subject, CompatibilityLevel level) { state.putConfig(subject, level); }
        @Override public void putMode(String subject, Mode mode) { state.putMode(subject, mode); }
    }

    @BeforeEach
    void setUp() {
        state = new RegistryState();
        registry = new Registry(state, new DirectWriter(state), CompatibilityLevel.BACKWARD);
    }

    @Test
    void shouldReturnAnOlderLiveVersionWithoutACompatibilityCheck() {
        registry.setConfig(null, CompatibilityLevel.NONE);
        List<String> s = TestSchemas.distinct(2);
        SchemaEntry v1 = registry.register("x", RegisterRequest.of(s.get(0)));
        registry.register("x", RegisterRequest.of(s.get(1)));
        registry.setConfig(null, CompatibilityLevel.FULL);
        SchemaEntry again = registry.register("x", RegisterRequest.of(s.get(0)));
        assertEquals(v1, again, "an existing live version is returned even if it is not the latest");
    }

    @Test
    void shouldReuseTheIdOfASoftDeletedSchemaForItsNewVersion() {
        String s = TestSchemas.distinct(1).get(0);
        SchemaEntry v1 = registry.register("x", RegisterRequest.of(s));
        registry.deleteVersion("x", "1", false);
        SchemaEntry v2 = registry.register("x", RegisterRequest.of(s));
        assertEquals(v1.id(), v2.id());
        assertEquals(2, v2.version());
    }

    @Test
    void shouldRefuseAnIncompatibleChangeNamingTheVersionAndLevel() {
        registry.register("x", RegisterRequest.of(TestSchemas.record("r", "{\"type\":\"string\",\"name\":\"a\"}")));
        RegistryError e = assertThrows(RegistryError.class, () -> registry.register("x",
                RegisterRequest.of(TestSchemas.record("r", "{\"type\":\"string\",\"name\":\"a\"}", "{\"type\":\"long\",\"name\":\"added\"}"))));
        assertEquals(409, e.errorCode());
        assertEquals(409, e.httpStatus());
        assertTrue(e.getMessage().contains("READER_FIELD_MISSING_DEFAULT_VALUE"), e.getMessage());
        assertTrue(e.getMessage().contains("added"), e.getMessage());
        assertTrue(e.getMessage().contains("{oldSchemaVersion: 1}"), e.getMessage());
        assertTrue(e.getMessage().contains("{compatibility: 'BACKWARD'}"), e.getMessage());
    }

    @Test
    void shouldRefuseNonAvroSchemaTypesWithAReason() {
        RegistryError e = assertThrows(RegistryError.class, () -> registry.register("x",
                new RegisterRequest("{\"type\":\"object\"}", "JSON", null, null, null)));
        assertEquals(42201, e.errorCode());
        assertTrue(e.getMessage().contains("AVRO"), e.getMessage());
    }

    @Test
    void shouldIgnoreARecordThatGivesAKnownIdADifferentSchema() {
        state.putSchema(new SchemaEntry("a", 1, 5, null, null, "\"string\"", false));
        state.putSchema(new SchemaEntry("b", 1, 5, null, null, "\"int\"", false));
        assertTrue(state.versions("b", LookupFilter.INCLUDE_DELETED).isEmpty());
        assertEquals("\"string\"", registry.schemaById(5).schema());
    }

    @Test
    void shouldParseVersionIds() {
        assertTrue(VersionId.parse("latest").isLatest());
        assertTrue(VersionId.parse("LATEST").isLatest());
        assertEquals(2147483647, VersionId.parse("2147483647").value());
        for (String bad : List.of("0", "-2", "2147483648", "earliest", "1.5", "")) {
            assertEquals(42202, assertThrows(RegistryError.class, () -> VersionId.parse(bad)).errorCode(), bad);
        }
    }

    @Test
    void shouldParseLevelsAndModesCaseInsensitively() {
        assertEquals(CompatibilityLevel.FULL_TRANSITIVE, CompatibilityLevel.parse("full_transitive"));
        assertEquals(Mode.READONLY, Mode.parse("readonly"));
        assertEquals(42203, assertThrows(RegistryError.class, () -> CompatibilityLevel.parse("sideways")).errorCode());
        assertEquals(42204, assertThrows(RegistryError.class, () -> Mode.parse(null)).errorCode());
    }
}

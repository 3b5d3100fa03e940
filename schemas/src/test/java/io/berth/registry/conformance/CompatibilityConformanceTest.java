package io.berth.registry.conformance;

import io.berth.registry.Rest;
import io.berth.registry.TestSchemas;
import org.junit.jupiter.api.Test;

import static io.berth.registry.Rest.assertJson;
import static org.junit.jupiter.api.Assertions.*;

/** Compatibility checks and configuration (cases 15–18). */
class CompatibilityConformanceTest extends ConformanceTestBase {
    private static final String F1 = TestSchemas.record("myrecord", "{\"type\":\"string\",\"name\":\"f1\"}");
    private static final String F1_DEFAULT_F2 = TestSchemas.record("myrecord",
            "{\"type\":\"string\",\"name\":\"f1\",\"default\":\"x\"}", "{\"type\":\"string\",\"name\":\"f2\"}");
    private static final String F2 = TestSchemas.record("myrecord", "{\"type\":\"string\",\"name\":\"f2\"}");

    @Test
    void shouldAnswerCompatibleForAMissingSubjectAndRefuseBadVersions() { // case 15
        assertJson("{\"is_compatible\":true}", rest.post("/compatibility/subjects/none/versions/latest", Rest.schemaBody(F1)).ok().json());
        rest.registerOk("s", F1);
        rest.post("/compatibility/subjects/s/versions/100", Rest.schemaBody(F1)).error(404, 40402);
        rest.post("/compatibility/subjects/s/versions/earliest", Rest.schemaBody(F1)).error(422, 42202);
    }

    @Test
    void shouldCheckEveryVersionUnderATransitiveLevel() { // case 16
        rest.setCompatibility("s", "FORWARD_TRANSITIVE");
        rest.registerOk("s", F1);
        rest.registerOk("s", F1_DEFAULT_F2);
        assertTrue(rest.post("/compatibility/subjects/s/versions/latest", Rest.schemaBody(F2)).ok().json().get("is_compatible").asBoolean(),
                "F2 is forward compatible with the latest version");
        assertFalse(rest.post("/compatibility/subjects/s/versions", Rest.schemaBody(F2)).ok().json().get("is_compatible").asBoolean(),
                "F2 is not forward compatible with version 1");
        Rest.Response r = rest.register("s", F2).error(409, 409);
        assertTrue(r.message().contains("oldSchemaVersion:"), r.message());
        assertTrue(r.message().contains("oldSchema:"), r.message());
        assertTrue(r.message().contains("compatibility:"), r.message());
        assertTrue(r.message().contains("FORWARD_TRANSITIVE"), r.message());
        assertTrue(r.message().contains("f1"), "names the field: " + r.message());
        Rest.Response verbose = rest.post("/compatibility/subjects/s/versions?verbose=true", Rest.schemaBody(F2)).ok();
        assertTrue(verbose.json().get("messages").size() > 0, verbose.body());
    }

    @Test
    void shouldIgnoreSoftDeletedVersionsInChecks() { // case 17
        String intField = TestSchemas.record("myrecord", "{\"type\":\"int\",\"name\":\"f1\"}");
        rest.registerOk("s", F1);
        rest.registerOk("s", intField);
        rest.setCompatibility("s", "BACKWARD");
        String withDefault = TestSchemas.record("myrecord", "{\"type\":\"string\",\"name\":\"f1\"}", "{\"type\":\"string\",\"name\":\"f3\",\"default\":\"d\"}");
        rest.register("s", withDefault).error(409, 409);
        rest.delete("/subjects/s/versions/2").ok();
        int id = rest.registerOk("s", withDefault);
        assertEquals(3, rest.lookup("s", withDefault).ok().json().get("version").asInt());
        assertEquals(3, id);
    }

    @Test
    void shouldApplySubjectAndGlobalConfig() { // case 18
        assertJson("{\"compatibilityLevel\":\"NONE\"}", rest.get("/config").ok().json());
        rest.get("/config/s").error(404, 40408);
        assertJson("{\"compatibilityLevel\":\"NONE\"}", rest.get("/config/s?defaultToGlobal=true").ok().json());
        assertJson("{\"compatibility\":\"FORWARD\"}", rest.put("/config/s", "{\"compatibility\":\"FORWARD\"}").ok().json());
        assertJson("{\"compatibilityLevel\":\"FORWARD\"}", rest.get("/config/s").ok().json());
        assertJson("{\"compatibilityLevel\":\"NONE\"}", rest.get("/config").ok().json());
        rest.put("/config", "{\"compatibility\":\"FULL\"}").ok();
        assertJson("{\"compatibilityLevel\":\"FULL\"}", rest.get("/config").ok().json());
        assertJson("{\"compatibilityLevel\":\"FORWARD\"}", rest.delete("/config/s").ok().json());
        rest.get("/config/s").error(404, 40408);
        assertJson("{\"compatibilityLevel\":\"FULL\"}", rest.get("/config/s?defaultToGlobal=true").ok().json());
        rest.put("/config", "{\"compatibility\":\"SIDEWAYS\"}").error(422, 42203);
        rest.delete("/config/never-seen").error(404, 40401);
    }

    @Test
    void shouldEnforceEachOfTheSevenLevels() {
        // reader/writer pairs: adding a field without default breaks BACKWARD, removing one without default breaks FORWARD
        String base = TestSchemas.record("r", "{\"type\":\"string\",\"name\":\"a\"}");
        String addedNoDefault = TestSchemas.record("r", "{\"type\":\"string\",\"name\":\"a\"}", "{\"type\":\"string\",\"name\":\"b\"}");
        String addedWithDefault = TestSchemas.record("r", "{\"type\":\"string\",\"name\":\"a\"}", "{\"type\":\"string\",\"name\":\"b\",\"default\":\"\"}");
        assertLevel("NONE", base, addedNoDefault, true);
        assertLevel("BACKWARD", base, addedNoDefault, false);
        assertLevel("BACKWARD_TRANSITIVE", base, addedWithDefault, true);
        assertLevel("FORWARD", base, addedNoDefault, true);
        assertLevel("FORWARD_TRANSITIVE", addedNoDefault, base, false);
        assertLevel("FULL", base, addedNoDefault, false);
        assertLevel("FULL_TRANSITIVE", base, addedWithDefault, true);
    }

    private void assertLevel(String level, String first, String second, boolean compatible) {
        String subject = "level-" + level;
        rest.setCompatibility(subject, level);
        rest.registerOk(subject, first);
        Rest.Response r = rest.register(subject, second);
        if (compatible) r.ok();
        else r.error(409, 409);
    }

    @Test
    void shouldDefaultToBackwardWhenNothingIsConfigured() throws Exception {
        try (var fresh = new io.berth.registry.RegistryFixture()) {
            Rest other = new Rest(fresh.startInstance().url());
            assertJson("{\"compatibilityLevel\":\"BACKWARD\"}", other.get("/config").ok().json());
            other.registerOk("s", TestSchemas.record("r", "{\"type\":\"string\",\"name\":\"a\"}"));
            other.register("s", TestSchemas.record("r", "{\"type\":\"string\",\"name\":\"a\"}", "{\"type\":\"int\",\"name\":\"b\"}")).error(409, 409);
        }
    }
}

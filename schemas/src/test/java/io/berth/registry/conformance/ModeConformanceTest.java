package io.berth.registry.conformance;

import io.berth.registry.Rest;
import io.berth.registry.TestSchemas;
import org.junit.jupiter.api.Test;

import static io.berth.registry.Rest.assertJson;
import static org.junit.jupiter.api.Assertions.*;

/** Global and subject modes (case 23) and IMPORT. */
class ModeConformanceTest extends ConformanceTestBase {

    @Test
    void shouldRefuseWritesInReadOnlyModes() { // case 23
        assertJson("{\"mode\":\"READWRITE\"}", rest.get("/mode").ok().json());
        rest.get("/mode/s").error(404, 40409);
        assertJson("{\"mode\":\"READWRITE\"}", rest.get("/mode/s?defaultToGlobal=true").ok().json());
        assertJson("{\"mode\":\"READONLY_OVERRIDE\"}", rest.put("/mode", "{\"mode\":\"READONLY_OVERRIDE\"}").ok().json());
        Rest.Response r = rest.register("s", TestSchemas.distinct(1).get(0)).error(422, 42205);
        assertTrue(r.message().contains("read-only"), r.message());
        rest.put("/mode", "{\"mode\":\"READWRITE\"}").ok();
        rest.registerOk("s", TestSchemas.distinct(1).get(0));
        rest.put("/mode/s", "{\"mode\":\"READONLY\"}").ok();
        rest.register("s", TestSchemas.distinct(2).get(1)).error(422, 42205);
        rest.delete("/subjects/s").error(422, 42205);
        assertJson("{\"mode\":\"READONLY\"}", rest.delete("/mode/s").ok().json());
        rest.registerOk("s", TestSchemas.distinct(2).get(1));
        rest.put("/mode", "{\"mode\":\"SOMETIMES\"}").error(422, 42204);
    }

    @Test
    void shouldImportSchemasWithTheirOwnIdsOnlyWhenAllowed() {
        String schema = TestSchemas.distinct(1).get(0);
        rest.registerOk("existing", schema);
        rest.put("/mode", "{\"mode\":\"IMPORT\"}").error(422, 42205);
        rest.put("/mode?force=True", "{\"mode\":\"IMPORT\"}").ok();
        String body = "{\"schema\":" + Rest.JSON.valueToTree(TestSchemas.distinct(2).get(1)) + ",\"id\":42,\"version\":7}";
        assertEquals(42, rest.post("/subjects/imported/versions", body).id());
        assertEquals(42, rest.get("/subjects/imported/versions/7").ok().json().get("id").asInt());
        String clash = "{\"schema\":" + Rest.JSON.valueToTree(TestSchemas.distinct(3).get(2)) + ",\"id\":42}";
        rest.post("/subjects/other/versions", clash).error(422, 42207);
        rest.put("/mode", "{\"mode\":\"READWRITE\"}").ok();
        assertEquals(43, rest.registerOk("after", TestSchemas.distinct(3).get(2)), "new ids continue after the highest imported one");
    }
}

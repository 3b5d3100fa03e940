package io.berth.registry.conformance;

import io.berth.registry.Rest;
import io.berth.registry.TestSchemas;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.berth.registry.Rest.assertJson;
import static org.junit.jupiter.api.Assertions.*;

/** Reading schemas, versions and ids (cases 8–10, 12–14), plus the API's content types and flags. */
class ReadConformanceTest extends ConformanceTestBase {

    @Test
    void shouldAnswer40403ForAnUnknownSchemaId() { // case 8
        Rest.Response r = rest.get("/schemas/ids/100").error(404, 40403);
        assertTrue(r.message().contains("100"), r.message());
    }

    @Test
    void shouldAnswer40401ForAnUnknownSubjectAnd40402ForAnUnknownVersion() { // case 9
        rest.get("/subjects/non-existing/versions/1").error(404, 40401);
        rest.registerOk("s", TestSchemas.distinct(1).get(0));
        rest.get("/subjects/s/versions/200").error(404, 40402);
    }

    @Test
    void shouldAnswer42202ForAnInvalidVersion() { // case 10
        rest.registerOk("s", TestSchemas.distinct(1).get(0));
        rest.get("/subjects/s/versions/0").error(422, 42202);
        rest.get("/subjects/s/versions/earliest").error(422, 42202);
        rest.get("/subjects/s/versions/-2").error(422, 42202);
    }

    @Test
    void shouldServeLatestAndRawSchemas() { // case 12
        List<String> schemas = TestSchemas.distinct(2);
        int id1 = rest.registerOk("s", schemas.get(0));
        int id2 = rest.registerOk("s", schemas.get(1));
        Rest.Response latest = rest.get("/subjects/s/versions/latest").ok();
        assertEquals(2, latest.json().get("version").asInt());
        assertEquals(id2, latest.json().get("id").asInt());
        assertEquals("s", latest.json().get("subject").asText());
        assertEquals(schemas.get(1), latest.json().get("schema").asText());
        assertFalse(latest.json().has("schemaType"), "AVRO is left out, as SR 7.x does");
        assertEquals(schemas.get(1), rest.get("/subjects/s/versions/latest/schema").ok().body());
        assertEquals(schemas.get(0), rest.get("/subjects/s/versions/1/schema").ok().body());
        assertEquals(id1, rest.get("/subjects/s/versions/1").ok().json().get("id").asInt());
        assertJson("{\"schema\":" + Rest.JSON.valueToTree(schemas.get(0)) + "}", rest.get("/schemas/ids/" + id1).ok().json());
        assertEquals(Rest.CONTENT_TYPE, latest.contentType());
    }

    @Test
    void shouldAnswer40401And40403ForLookups() { // case 13
        String schema = TestSchemas.distinct(2).get(0);
        rest.lookup("non-existent", schema).error(404, 40401);
        rest.registerOk("s", schema);
        rest.lookup("s", TestSchemas.distinct(2).get(1)).error(404, 40403);
        Rest.Response found = rest.lookup("s", schema).ok();
        assertEquals(1, found.json().get("version").asInt());
        assertEquals(schema, found.json().get("schema").asText());
    }

    @Test
    void shouldListTheVersionsOfASchemaIdHonouringSoftDeletes() { // case 14
        String schema = TestSchemas.distinct(1).get(0);
        int id = rest.registerOk("subject1", schema);
        rest.registerOk("subject2", schema);
        assertJson("[{\"subject\":\"subject1\",\"version\":1},{\"subject\":\"subject2\",\"version\":1}]",
                rest.get("/schemas/ids/" + id + "/versions").ok().json());
        assertJson("[\"subject1\",\"subject2\"]", rest.get("/schemas/ids/" + id + "/subjects").ok().json());
        assertEquals("1", rest.delete("/subjects/subject2/versions/1").ok().body());
        assertJson("[{\"subject\":\"subject1\",\"version\":1}]", rest.get("/schemas/ids/" + id + "/versions").ok().json());
        assertJson("[{\"subject\":\"subject1\",\"version\":1},{\"subject\":\"subject2\",\"version\":1}]",
                rest.get("/schemas/ids/" + id + "/versions?deleted=true").ok().json());
    }

    @Test
    void shouldParseBooleanQueryParametersCaseInsensitively() {
        String schema = TestSchemas.distinct(1).get(0);
        int id = rest.registerOk("s", schema);
        rest.delete("/subjects/s/versions/1").ok();
        rest.get("/subjects/s/versions/1?deleted=False").error(404, 40401);
        assertEquals(id, rest.get("/subjects/s/versions/1?deleted=TRUE").ok().json().get("id").asInt());
        assertEquals(id, rest.post("/subjects/s?normalize=False&deleted=True", Rest.schemaBody(schema)).ok().json().get("id").asInt());
    }

    @Test
    void shouldAnswerTheCallsConfluentsPythonClientMakes() {
        String schema = TestSchemas.distinct(1).get(0);
        String body = "{\"schema\":" + Rest.JSON.valueToTree(schema) + ",\"schemaType\":\"AVRO\",\"references\":[]}";
        int id = rest.post("/subjects/topic-value/versions?normalize=False", body).id();
        assertEquals(id, rest.post("/subjects/topic-value?normalize=False&deleted=False", body).ok().json().get("id").asInt());
        assertEquals(schema, rest.get("/schemas/ids/" + id + "?subject=topic-value").ok().json().get("schema").asText());
        assertEquals(schema, rest.get("/schemas/ids/" + id + "?subject=another-subject").ok().json().get("schema").asText());
        assertEquals(id, rest.get("/schemas/ids/" + id + "?fetchMaxId=true").ok().json().get("maxId").asInt());
        assertJson("[\"AVRO\"]", rest.get("/schemas/types").ok().json());
        rest.get("/no/such/path").error(404, 404);
    }

    @Test
    void shouldFilterSubjectsByPrefix() {
        String schema = TestSchemas.distinct(1).get(0);
        rest.registerOk("alpha-value", schema);
        rest.registerOk("beta-value", schema);
        assertJson("[\"beta-value\"]", rest.get("/subjects?subjectPrefix=beta").ok().json());
    }
}

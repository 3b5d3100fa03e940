package io.berth.registry.conformance;

import io.berth.registry.Rest;
import io.berth.registry.TestSchemas;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.berth.registry.Rest.assertJson;
import static org.junit.jupiter.api.Assertions.*;

/** Registration: ids, versions, dedup, canonicalization and the schemas refused (cases 1–7, 11). */
class RegistrationConformanceTest extends ConformanceTestBase {

    @Test
    void shouldGiveTheSameIdToTheSameSchemaUnderTwoSubjects() { // case 1
        String schema = TestSchemas.distinct(1).get(0);
        int id1 = rest.registerOk("subject1", schema);
        int id2 = rest.registerOk("subject2", schema);
        assertEquals(id1, id2, "same schema under two subjects must share its id");
        assertJson("[1]", rest.get("/subjects/subject2/versions").ok().json());
    }

    @Test
    void shouldReturnTheExistingIdWhenReRegisteringAndListVersionsAndSubjects() { // case 2
        assertEquals(40401, rest.get("/subjects/testTopic1/versions").error(404, 40401).json().get("error_code").asInt());
        assertJson("[]", rest.get("/subjects").ok().json());
        List<String> schemas1 = TestSchemas.distinct(10);
        List<Integer> ids = new ArrayList<>();
        for (String s : schemas1) ids.add(rest.registerOk("testTopic1", s));
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), ids);
        for (int i = 0; i < schemas1.size(); i++) {
            assertEquals(ids.get(i), rest.registerOk("testTopic1", schemas1.get(i)), "re-registering returns the existing id");
        }
        List<String> schemas2 = new ArrayList<>();
        for (int i = 0; i < 5; i++) schemas2.add(TestSchemas.record("other", "{\"type\":\"int\",\"name\":\"g" + i + "\"}"));
        for (String s : schemas2) rest.registerOk("testTopic2", s);
        assertJson("[1,2,3,4,5,6,7,8,9,10]", rest.get("/subjects/testTopic1/versions").ok().json());
        assertJson("[1,2,3,4,5]", rest.get("/subjects/testTopic2/versions").ok().json());
        assertJson("[\"testTopic1\",\"testTopic2\"]", rest.get("/subjects").ok().json());
        rest.get("/subjects/non-existing-subject/versions").error(404, 40401);
    }

    @Test
    void shouldKeepIdsGlobalAndVersionsPerSubject() { // case 3
        String schema1 = TestSchemas.record("myrecord", "{\"type\":\"string\",\"name\":\"f\"}");
        String schema2 = TestSchemas.record("myrecord", "{\"type\":\"int\",\"name\":\"foo\"}");
        assertEquals(1, rest.registerOk("subject1", schema1));
        assertEquals(2, rest.registerOk("subject1", schema2));
        assertEquals(2, rest.registerOk("subject2", schema2));
        assertEquals(2, rest.lookup("subject1", schema2).ok().json().get("version").asInt());
        assertEquals(1, rest.lookup("subject2", schema2).ok().json().get("version").asInt());
    }

    @Test
    void shouldCanonicalizeBeforeDeduplicating() { // case 4
        String messy = "{   \"type\":   \"string\"}";
        int id1 = rest.registerOk("canon", messy);
        int id2 = rest.registerOk("canon", messy);
        int id3 = rest.registerOk("canon", "\"string\"");
        assertEquals(id1, id2);
        assertEquals(id1, id3);
        Rest.Response found = rest.lookup("canon", messy).ok();
        assertEquals(id1, found.json().get("id").asInt());
        assertEquals("\"string\"", found.json().get("schema").asText(), "the canonical string is stored");
        assertJson("[1]", rest.get("/subjects/canon/versions").ok().json());
    }

    @Test
    void shouldRefuseABadFieldTypeWithAvrosParseError() { // case 5
        String bad = "{\"type\":\"record\",\"name\":\"myrecord\",\"fields\":[{\"type\":\"str\",\"name\":\"field1\"}]}";
        Rest.Response r = rest.register("badType", bad).error(422, 42201);
        assertTrue(r.message().matches("(?s).*(Undefined schema: str|\"str\" is not a defined name).*"), "the message carries Avro's parse error: " + r.message());
    }

    @Test
    void shouldRefuseABadDefaultOnRegisterAndOnCompatibilityCheck() { // case 6
        String bad = "{\"type\":\"record\",\"name\":\"myrecord\",\"fields\":[{\"type\":\"string\",\"name\":\"f\",\"default\":null}]}";
        Rest.Response r = rest.register("badDefault", bad).error(422, 42201);
        assertTrue(r.message().toLowerCase().contains("default"), r.message());
        rest.post("/compatibility/subjects/badDefault/versions/latest", Rest.schemaBody(bad)).error(422, 42201);
    }

    @Test
    void shouldRefuseABadTypeAndABadReferenceAndKeepNoSubject() { // case 7
        rest.register("bad", "{\"type\":\"bad-record\"}").error(422, 42201);
        String body = Rest.schemaBodyWithReference(TestSchemas.distinct(1).get(0), "bad", "bad", 100);
        Rest.Response r = rest.post("/subjects/bad/versions", body).error(422, 42201);
        assertTrue(r.message().contains("bad"), r.message());
        assertJson("[]", rest.get("/subjects").ok().json());
    }

    @Test
    void shouldRefuseASubjectWithControlCharacters() { // case 11
        Rest.Response r = rest.register("\rbad\nsubject\t", TestSchemas.distinct(1).get(0)).error(422, 42208);
        assertTrue(r.message().contains("control character"), r.message());
    }

    @Test
    void shouldRefuseMalformedJsonBodiesWithConfluentsErrorBody() {
        Rest.Response r = rest.post("/subjects/s/versions", "{not json").error(422, 42201);
        assertTrue(r.message().contains("not valid JSON"), r.message());
        rest.post("/subjects/s/versions", "{\"schema\":\"{not a schema\"}").error(422, 42201);
        rest.post("/subjects/s/versions", "{}").error(422, 42201);
        assertEquals(Rest.CONTENT_TYPE, r.contentType());
    }

    @Test
    void shouldResolveReferencedNamedTypes() {
        String address = TestSchemas.record("Address", "{\"type\":\"string\",\"name\":\"street\"}");
        rest.registerOk("address", address);
        String person = "{\"type\":\"record\",\"name\":\"Person\",\"fields\":[{\"name\":\"home\",\"type\":\"Address\"}]}";
        Rest.Response r = rest.post("/subjects/person/versions", Rest.schemaBodyWithReference(person, "Address", "address", 1));
        int id = r.id();
        Rest.Response got = rest.get("/schemas/ids/" + id).ok();
        assertEquals("address", got.json().path("references").get(0).path("subject").asText());
        assertJson("[" + id + "]", rest.get("/subjects/address/versions/1/referencedby").ok().json());
        rest.delete("/subjects/address/versions/1").error(422, 42206);
    }
}

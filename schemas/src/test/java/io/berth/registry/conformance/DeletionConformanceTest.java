package io.berth.registry.conformance;

import io.berth.registry.Rest;
import io.berth.registry.TestSchemas;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.berth.registry.Rest.assertJson;
import static org.junit.jupiter.api.Assertions.*;

/** Soft and permanent deletes of versions and subjects (cases 19–22). */
class DeletionConformanceTest extends ConformanceTestBase {
    private final List<String> schemas = TestSchemas.distinct(4);

    @Test
    void shouldSoftDeleteVersionsAndKeepNumbering() { // case 19
        rest.registerOk("test", schemas.get(0));
        int id2 = rest.registerOk("test", schemas.get(1));
        assertEquals("2", rest.delete("/subjects/test/versions/2").ok().body());
        assertJson("[1]", rest.get("/subjects/test/versions").ok().json());
        rest.get("/subjects/test/versions/2").error(404, 40402);
        assertEquals(id2, rest.get("/subjects/test/versions/2?deleted=true").ok().json().get("id").asInt());
        assertEquals(schemas.get(1), rest.get("/schemas/ids/" + id2).ok().json().get("schema").asText(), "a soft-deleted id stays readable");
        rest.lookup("test", schemas.get(1)).error(404, 40403);
        assertEquals("1", rest.delete("/subjects/test/versions/latest").ok().body());
        rest.get("/subjects/test/versions").error(404, 40401);
        rest.registerOk("test", schemas.get(2));
        assertJson("[3]", rest.get("/subjects/test/versions").ok().json());
    }

    @Test
    void shouldPermanentlyDeleteOnlyAfterASoftDelete() { // case 20
        rest.registerOk("test", schemas.get(0));
        rest.registerOk("test", schemas.get(1));
        rest.delete("/subjects/test/versions/2?permanent=true").error(404, 40407);
        rest.delete("/subjects/test/versions/2").ok();
        rest.delete("/subjects/test/versions/2").error(404, 40406);
        assertEquals("2", rest.delete("/subjects/test/versions/2?permanent=true").ok().body());
        rest.get("/subjects/test/versions/2?deleted=true").error(404, 40402);
        rest.registerOk("test", schemas.get(2));
        assertJson("[1,2]", rest.get("/subjects/test/versions").ok().json());
        assertEquals(schemas.get(2), rest.get("/subjects/test/versions/2").ok().json().get("schema").asText());
    }

    @Test
    void shouldDeleteSubjectsSoftThenPermanently() { // case 21
        rest.delete("/subjects/test").error(404, 40401);
        rest.registerOk("test", schemas.get(0));
        rest.registerOk("test", schemas.get(1));
        rest.delete("/subjects/test?permanent=true").error(404, 40405);
        assertJson("[1,2]", rest.delete("/subjects/test").ok().json());
        rest.delete("/subjects/test").error(404, 40404);
        rest.get("/subjects/test/versions").error(404, 40401);
        assertJson("[1,2]", rest.delete("/subjects/test?permanent=true").ok().json());
        rest.get("/subjects/test/versions?deleted=true").error(404, 40401);
    }

    @Test
    void shouldContinueVersionsAfterASubjectSoftDelete() { // case 21 (AndRegister)
        rest.registerOk("test", schemas.get(0));
        rest.registerOk("test", schemas.get(1));
        rest.delete("/subjects/test").ok();
        rest.registerOk("test", schemas.get(0));
        rest.registerOk("test", schemas.get(1));
        assertJson("[3,4]", rest.get("/subjects/test/versions").ok().json());
        assertJson("[1,2,3,4]", rest.get("/subjects/test/versions?deleted=true").ok().json());
    }

    @Test
    void shouldListSoftDeletedSubjectsAndVersions() { // case 22
        rest.registerOk("test1", schemas.get(0));
        rest.registerOk("test1", schemas.get(1));
        rest.registerOk("test2", schemas.get(2));
        rest.delete("/subjects/test1/versions/1").ok();
        rest.delete("/subjects/test2").ok();
        assertJson("[\"test1\"]", rest.get("/subjects").ok().json());
        assertJson("[\"test1\",\"test2\"]", rest.get("/subjects?deleted=true").ok().json());
        assertJson("[\"test2\"]", rest.get("/subjects?deletedOnly=true").ok().json());
        assertJson("[2]", rest.get("/subjects/test1/versions").ok().json());
        assertJson("[1,2]", rest.get("/subjects/test1/versions?deleted=true").ok().json());
        assertJson("[1]", rest.get("/subjects/test1/versions?deletedOnly=true").ok().json());
    }
}

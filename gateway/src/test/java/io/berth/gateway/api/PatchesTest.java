package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three patch types, with the bodies kubectl sends. */
class PatchesTest {
    private static final ObjectMapper M = new ObjectMapper();

    private static ObjectNode deployment() throws Exception {
        return (ObjectNode) M.readTree("""
                {"metadata":{"name":"web","labels":{"app":"web"}},
                 "spec":{"replicas":3,"template":{"spec":{"containers":[
                   {"name":"app","image":"busybox:1","command":["sleep","3600"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},
                   {"name":"side","image":"busybox:1"}]}}}}""");
    }

    private static JsonNode apply(ObjectNode target, String type, String patch) throws Exception {
        return Patches.apply(target, type, M.readTree(patch));
    }

    @Test
    void setImageMergesTheContainerByNameAndKeepsItsOtherFields() throws Exception {
        // what kubectl set image sends
        JsonNode out = apply(deployment(), "application/strategic-merge-patch+json", """
                {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"},{"name":"side"}],
                 "containers":[{"image":"busybox:2","name":"app"}]}}}}""");
        JsonNode app = out.at("/spec/template/spec/containers/0");
        assertEquals("busybox:2", app.path("image").asText());
        assertEquals("[\"sleep\",\"3600\"]", app.path("command").toString(), "a merge patch would have dropped the command");
        assertEquals(2, out.at("/spec/template/spec/containers").size());
        assertTrue(out.at("/spec/template/spec").has("containers") && !out.at("/spec/template/spec").has("$setElementOrder/containers"));
    }

    @Test
    void strategicDirectivesDeleteReplaceOrderAndNull() throws Exception {
        JsonNode out = apply(deployment(), "application/strategic-merge-patch+json", """
                {"metadata":{"labels":{"app":null,"tier":"web"}},
                 "spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"side"},{"name":"app"}],
                  "containers":[{"name":"app","env":[{"name":"A","$patch":"delete"},{"name":"C","value":"3"}]}]}}}}""");
        assertEquals("{\"tier\":\"web\"}", out.at("/metadata/labels").toString());
        assertEquals("side", out.at("/spec/template/spec/containers/0/name").asText(), "$setElementOrder reorders");
        assertEquals("[{\"name\":\"B\",\"value\":\"2\"},{\"name\":\"C\",\"value\":\"3\"}]", out.at("/spec/template/spec/containers/1/env").toString());
        JsonNode replaced = apply(deployment(), "application/strategic-merge-patch+json", """
                {"spec":{"template":{"spec":{"containers":[{"$patch":"replace"},{"name":"only","image":"x"}]}}}}""");
        assertEquals("[{\"name\":\"only\",\"image\":\"x\"}]", replaced.at("/spec/template/spec/containers").toString());
        ApiException missingKey = assertThrows(ApiException.class, () -> apply(deployment(), "application/strategic-merge-patch+json",
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}}}"));
        assertTrue(missingKey.getMessage().contains("merge key: name"), missingKey.getMessage());
    }

    @Test
    void mergePatchReplacesListsWhole() throws Exception {
        JsonNode out = apply(deployment(), "application/merge-patch+json", "{\"spec\":{\"replicas\":5,\"template\":{\"spec\":{\"containers\":[{\"name\":\"x\",\"image\":\"y\"}]}}}}");
        assertEquals(5, out.at("/spec/replicas").asInt());
        assertEquals(1, out.at("/spec/template/spec/containers").size());
    }

    @Test
    void jsonPatchOperationsAndTheirFailures() throws Exception {
        JsonNode out = apply(deployment(), "application/json-patch+json", """
                [{"op":"replace","path":"/spec/replicas","value":1},
                 {"op":"add","path":"/metadata/labels/tier","value":"web"},
                 {"op":"add","path":"/spec/template/spec/containers/0/env/-","value":{"name":"Z","value":"9"}},
                 {"op":"remove","path":"/spec/template/spec/containers/1"},
                 {"op":"copy","from":"/metadata/labels/app","path":"/metadata/labels/copy"},
                 {"op":"move","from":"/metadata/labels/copy","path":"/metadata/labels/moved"},
                 {"op":"test","path":"/spec/replicas","value":1}]""");
        assertEquals(1, out.at("/spec/replicas").asInt());
        assertEquals("{\"app\":\"web\",\"tier\":\"web\",\"moved\":\"web\"}", out.at("/metadata/labels").toString());
        assertEquals("Z", out.at("/spec/template/spec/containers/0/env/2/name").asText());
        assertEquals(1, out.at("/spec/template/spec/containers").size());
        for (String bad : new String[]{"[{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":9}]", "[{\"op\":\"remove\",\"path\":\"/nope\"}]",
                "[{\"op\":\"replace\",\"path\":\"/nope/x\",\"value\":1}]", "[{\"op\":\"frobnicate\",\"path\":\"/a\"}]", "{\"op\":\"add\"}",
                "[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/7\",\"value\":1}]"}) {
            ApiException e = assertThrows(ApiException.class, () -> apply(deployment(), "application/json-patch+json", bad), bad);
            assertEquals(422, e.status().path("code").asInt(), bad);
        }
    }
}

package io.berth.ops.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SpecDiffTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    private static List<String> lines(List<SpecDiff.Change> changes) {
        return changes.stream().map(SpecDiff.Change::line).toList();
    }

    @Test
    void shouldShowAChangedLeafWithBothValues() throws Exception {
        assertEquals(List.of("spec.replicas: 3 -> 5"),
                lines(SpecDiff.diff("spec", json("{'replicas':3,'paused':false}"), json("{'replicas':5,'paused':false}"))));
    }

    @Test
    void shouldShowAddedAndRemovedFieldsAndArrayElementsWhole() throws Exception {
        JsonNode before = json("{'template':{'spec':{'containers':[{'name':'web','image':'nginx:1'}]}},'minReadySeconds':5}");
        JsonNode after = json("{'template':{'spec':{'containers':[{'name':'web','image':'nginx:2'},{'name':'log','image':'busybox'}],"
                + "'nodeSelector':{'disk':'ssd'}}}}");
        assertEquals(List.of(
                "spec.template.spec.containers[0].image: nginx:1 -> nginx:2",
                "+ spec.template.spec.containers[1]: {\"name\":\"log\",\"image\":\"busybox\"}",
                "+ spec.template.spec.nodeSelector: {\"disk\":\"ssd\"}",
                "- spec.minReadySeconds: 5"), lines(SpecDiff.diff("spec", before, after)));
    }

    @Test
    void shouldFindNothingBetweenEqualTreesAndTreatNullAsAbsent() throws Exception {
        assertTrue(SpecDiff.diff("spec", json("{'a':{'b':[1,2]},'c':null}"), json("{'a':{'b':[1,2]}}")).isEmpty());
    }

    @Test
    void shouldIgnoreWhatTheServerAssignedOnlyWhenTheManifestSaysNothing() throws Exception {
        JsonNode served = json("{'clusterIP':'10.96.0.7','ports':[{'port':80,'nodePort':30080}]}");
        assertTrue(SpecDiff.diff("spec", served, json("{'ports':[{'port':80}]}"), p -> p.endsWith("clusterIP") || p.endsWith("nodePort")).isEmpty());
        assertEquals(List.of("spec.ports[0].nodePort: 30080 -> 30081"), lines(SpecDiff.diff("spec", served,
                json("{'clusterIP':'10.96.0.7','ports':[{'port':80,'nodePort':30081}]}"), p -> p.endsWith("nodePort"))));
    }

    @Test
    void shouldTellWhetherAChangeTouchesAPath() throws Exception {
        List<SpecDiff.Change> d = SpecDiff.diff("spec", json("{'template':{'x':1},'replicas':1}"), json("{'template':{'x':2},'replicas':1}"));
        assertTrue(SpecDiff.touches(d, "spec.template"));
        assertFalse(SpecDiff.touches(d, "spec.replicas"));
        assertFalse(SpecDiff.touches(d, "spec.temp"));
    }
}

package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.view.HpaV1;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A {@link Resource} at one of the API versions it is served at, as kube-apiserver serves one stored object under
 * several versions: its own ({@link Resource#apiVersion}, objects as the cache renders them) or another whose objects
 * are converted on the way out ({@code autoscaling/v1} HorizontalPodAutoscalers, {@link HpaV1}). Writes at another
 * version are parsed as they come (the manifest parser reads every served version); reads, watches and the objects
 * writes answer with go through {@link #out}. The read and write handlers take a Served, so one handler serves
 * every version.
 */
public record Served(Resource resource, String apiVersion, Function<JsonNode, ObjectNode> converter) {
    /** The versions {@code r} is served at, its own first (the preferred one in discovery). */
    public static List<Served> of(Resource r) {
        List<Served> out = new ArrayList<>(List.of(new Served(r, r.apiVersion, null)));
        if (r == Resource.HORIZONTALPODAUTOSCALERS) out.add(new Served(r, "autoscaling/v1", HpaV1::toV1));
        return out;
    }

    /** True at a version other than the one the cache renders. */
    public boolean converted() {
        return converter != null;
    }

    /** A rendered object as this version shows it. */
    public JsonNode out(JsonNode stored) {
        return converter == null || stored == null ? stored : converter.apply(stored);
    }

    /** {@code /apis/autoscaling/v1}: where this version's paths start. */
    public String prefix() {
        return apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion;
    }
}

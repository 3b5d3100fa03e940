package io.berth.gateway.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Splits a multi-document apply body into the documents one API family serves itself (RBAC objects,
 * Secrets and ConfigMaps: they never become intents) and the rest, as text for the manifest parser.
 * A body that does not parse, or holds none of them, comes back whole as the rest, so the parser
 * reports its problems in its own words.
 */
public final class ManifestSplit {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ManifestSplit() {}

    /** {@code picked}: the documents {@code belongs} accepts, in order; {@code rest}: the others as one text. */
    public record Split(List<JsonNode> picked, String rest) {}

    public static Split split(String text, Predicate<JsonNode> belongs) {
        List<JsonNode> docs;
        try {
            docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(text == null ? "" : text).readAll();
        } catch (Exception e) {
            return new Split(List.of(), text); // the manifest parser reports it
        }
        List<JsonNode> picked = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (JsonNode d : docs) {
            if (d == null || d.isNull() || d.isMissingNode()) continue;
            if (belongs.test(d)) picked.add(d);
            else rest.add(d.toString());
        }
        return picked.isEmpty() ? new Split(List.of(), text) : new Split(picked, String.join("\n---\n", rest));
    }
}

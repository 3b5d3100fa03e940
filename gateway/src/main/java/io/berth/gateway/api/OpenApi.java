package io.berth.gateway.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * OpenAPI v3 as kube-apiserver serves it ({@code /openapi/v3}: the index of group versions, then one
 * document per group version at {@code /openapi/v3/api/v1}, {@code /openapi/v3/apis/GROUP/VERSION}),
 * made from {@link Discovery#GROUPS}. What clients need from it:
 * <ul>
 *   <li>kubectl's validation asks whether the PATCH operation of a kind takes the {@code fieldValidation}
 *   query parameter; it does here (every write route refuses unknown fields itself), so kubectl
 *   validates on the server instead of downloading the protobuf OpenAPI v2 document;</li>
 *   <li>{@code kubectl explain} finds each kind's schema by {@code x-kubernetes-group-version-kind}. The
 *   schemas here name the top-level fields only ({@code apiVersion}, {@code kind}, {@code metadata},
 *   {@code spec}, {@code status}); the fields Berth accepts are in the manifest reference of the README.</li>
 * </ul>
 */
public final class OpenApi {
    public void mount(Router router) {
        router.get("/openapi/v3").handler(this::index);
        for (Discovery.GroupVersion gv : Discovery.GROUPS) {
            String path = "/openapi/v3" + gv.path();
            router.get(path).handler(ctx -> document(ctx, gv));
        }
    }

    private void index(RoutingContext ctx) {
        JsonObject paths = new JsonObject();
        for (Discovery.GroupVersion gv : Discovery.GROUPS) {
            String rel = gv.path().substring(1);
            paths.put(rel, new JsonObject().put("serverRelativeURL", "/openapi/v3" + gv.path() + "?hash=" + hash(document(gv).encode())));
        }
        ctx.response().putHeader("content-type", "application/json").end(new JsonObject().put("paths", paths).encode());
    }

    private void document(RoutingContext ctx, Discovery.GroupVersion gv) {
        // the hash in the URL names this content: clients may cache it (kube-apiserver answers the same way)
        ctx.response().putHeader("content-type", "application/json").putHeader("Cache-Control", "no-cache, private")
                .end(document(gv).encode());
    }

    /** The OpenAPI v3 document of one group version: a path per resource, a schema per kind. */
    static JsonObject document(Discovery.GroupVersion gv) {
        JsonObject paths = new JsonObject(), schemas = new JsonObject();
        for (Discovery.ApiResource r : gv.resources()) {
            JsonObject gvk = new JsonObject().put("group", gv.group()).put("version", gv.version()).put("kind", r.kind());
            String schemaName = schemaName(gv, r.kind());
            schemas.put(schemaName, schema(gv, r, gvk));
            String collection = gv.path() + (r.namespaced() ? "/namespaces/{namespace}/" : "/") + r.name();
            JsonObject item = new JsonObject(), list = new JsonObject();
            JsonArray itemParams = new JsonArray().add(pathParam("name"));
            if (r.namespaced()) itemParams.add(pathParam("namespace"));
            item.put("parameters", itemParams);
            if (r.namespaced()) list.put("parameters", new JsonArray().add(pathParam("namespace")));
            String ref = "#/components/schemas/" + schemaName;
            for (String verb : r.verbs()) {
                switch (verb) {
                    case "get" -> item.put("get", operation("read" + r.kind(), "get", gvk, ref, false));
                    case "list" -> list.put("get", operation("list" + r.kind(), "list", gvk, ref, false));
                    case "create" -> list.put("post", operation("create" + r.kind(), "post", gvk, ref, true));
                    case "update" -> item.put("put", operation("replace" + r.kind(), "put", gvk, ref, true));
                    case "patch" -> item.put("patch", operation("patch" + r.kind(), "patch", gvk, ref, true));
                    case "delete" -> item.put("delete", operation("delete" + r.kind(), "delete", gvk, ref, false));
                    default -> { }
                }
            }
            if (list.size() > (r.namespaced() ? 1 : 0)) paths.put(collection, list);
            if (item.size() > 1) paths.put(collection + "/{name}", item);
        }
        return new JsonObject().put("openapi", "3.0.0")
                .put("info", new JsonObject().put("title", "Berth").put("version", gv.groupVersion()))
                .put("paths", paths)
                .put("components", new JsonObject().put("schemas", schemas));
    }

    /** kube-apiserver's schema names: {@code io.k8s.api.apps.v1.Deployment}, {@code io.k8s.api.core.v1.Pod}. */
    static String schemaName(Discovery.GroupVersion gv, String kind) {
        String group = gv.group().isEmpty() ? "core" : gv.group().replace(".k8s.io", "").replace(".authorization", "");
        return "io.k8s.api." + group + "." + gv.version() + "." + kind;
    }

    private static JsonObject schema(Discovery.GroupVersion gv, Discovery.ApiResource r, JsonObject gvk) {
        JsonObject props = new JsonObject()
                .put("apiVersion", new JsonObject().put("type", "string").put("description",
                        "APIVersion defines the versioned schema of this representation of an object."))
                .put("kind", new JsonObject().put("type", "string").put("description",
                        "Kind is a string value representing the REST resource this object represents."))
                .put("metadata", new JsonObject().put("type", "object").put("description",
                        "Standard object's metadata: name, namespace, labels, annotations."))
                .put("spec", new JsonObject().put("type", "object").put("description",
                        "The desired state of the " + r.kind() + " (Berth accepts the fields its README's manifest reference lists)."))
                .put("status", new JsonObject().put("type", "object").put("description",
                        "The most recently observed status of the " + r.kind() + ". Read-only."));
        return new JsonObject().put("type", "object").put("description", r.kind() + " (" + gv.groupVersion() + "), served by Berth.")
                .put("properties", props)
                .put("x-kubernetes-group-version-kind", new JsonArray().add(gvk));
    }

    private static JsonObject operation(String id, String action, JsonObject gvk, String ref, boolean writes) {
        JsonObject op = new JsonObject().put("operationId", id).put("x-kubernetes-action", action)
                .put("x-kubernetes-group-version-kind", gvk);
        JsonArray params = new JsonArray();
        if (writes) {
            params.add(queryParam("dryRun", "When present, indicates that modifications should not be persisted."));
            params.add(queryParam("fieldManager", "A name associated with the actor or entity that is making these changes."));
            params.add(queryParam("fieldValidation", "Ignore, Warn or Strict: what the server does with unknown or duplicate fields."));
        }
        op.put("parameters", params);
        op.put("responses", new JsonObject().put("200", new JsonObject().put("description", "OK")
                .put("content", new JsonObject().put("application/json", new JsonObject().put("schema", new JsonObject().put("$ref", ref))))));
        if (writes) {
            op.put("requestBody", new JsonObject().put("content", new JsonObject().put("*/*",
                    new JsonObject().put("schema", new JsonObject().put("$ref", ref)))));
        }
        return op;
    }

    private static JsonObject pathParam(String name) {
        return new JsonObject().put("name", name).put("in", "path").put("required", true)
                .put("schema", new JsonObject().put("type", "string").put("uniqueItems", true));
    }

    private static JsonObject queryParam(String name, String description) {
        return new JsonObject().put("name", name).put("in", "query").put("description", description)
                .put("schema", new JsonObject().put("type", "string").put("uniqueItems", true));
    }

    private static String hash(String content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(content.getBytes(StandardCharsets.UTF_8))).toUpperCase();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

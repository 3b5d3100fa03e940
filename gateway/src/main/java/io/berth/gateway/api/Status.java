package io.berth.gateway.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.manifest.ManifestProblem;

import java.util.List;

/** Kubernetes {@code v1 Status} objects, with the reasons and codes the API server uses. */
public final class Status {
    private Status() {}

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    public static ObjectNode failure(int code, String reason, String message, String kind, String name) {
        ObjectNode s = JSON.objectNode().put("kind", "Status").put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure").put("message", message).put("reason", reason);
        if (kind != null || name != null) {
            ObjectNode d = s.putObject("details");
            if (name != null) d.put("name", name);
            if (kind != null) d.put("kind", kind);
        }
        return s.put("code", code);
    }

    public static ObjectNode success(String message) {
        ObjectNode s = JSON.objectNode().put("kind", "Status").put("apiVersion", "v1");
        s.putObject("metadata");
        return s.put("status", "Success").put("message", message).put("code", 200);
    }

    /** {@code pods "x" not found}: kubectl prints this wording. */
    public static ApiException notFound(String resource, String name) {
        return new ApiException(failure(404, "NotFound", resource + " \"" + name + "\" not found", resource, name));
    }

    public static ApiException alreadyExists(String resource, String name) {
        return new ApiException(failure(409, "AlreadyExists", resource + " \"" + name + "\" already exists", resource, name));
    }

    public static ApiException conflict(String resource, String name, String why) {
        return new ApiException(failure(409, "Conflict", "Operation cannot be fulfilled on " + resource + " \"" + name
                + "\": " + why, resource, name));
    }

    public static ApiException badRequest(String message) {
        return new ApiException(failure(400, "BadRequest", message, null, null));
    }

    public static ApiException expired(String message) {
        return new ApiException(failure(410, "Expired", message, null, null));
    }

    public static ApiException methodNotAllowed(String message) {
        return new ApiException(failure(405, "MethodNotAllowed", message, null, null));
    }

    /** 422 Invalid with one cause per problem, each naming its field. */
    public static ApiException invalid(String kind, String name, List<ManifestProblem> problems) {
        return invalid(kind, "", name, problems);
    }

    /**
     * 422 Invalid of a kind of a named group, as kube-apiserver words it: {@code Job.batch "pi" is invalid: …},
     * with {@code details.group} and {@code details.kind} (kubectl prints {@code The Job "pi" is invalid: …}).
     */
    public static ApiException invalid(String kind, String group, String name, List<ManifestProblem> problems) {
        String qualified = kind == null ? "object" : group == null || group.isEmpty() ? kind : kind + "." + group;
        String what = qualified + (name == null ? "" : " \"" + name + "\"");
        String message = what + " is invalid: " + String.join(", ", problems.stream().map(ManifestProblem::message).toList());
        ObjectNode s = failure(422, "Invalid", message, kind, name);
        ObjectNode details = s.has("details") ? (ObjectNode) s.get("details") : s.putObject("details");
        if (group != null && !group.isEmpty()) {
            // kube-apiserver's order: name, group, kind, causes
            ObjectNode ordered = JSON.objectNode();
            if (details.has("name")) ordered.set("name", details.get("name"));
            ordered.put("group", group);
            if (details.has("kind")) ordered.set("kind", details.get("kind"));
            details = ordered;
            s.set("details", details);
        }
        ArrayNode causes = details.putArray("causes");
        for (ManifestProblem p : problems) {
            causes.addObject().put("reason", p.detail().startsWith("Required") ? "FieldValueRequired"
                    : p.detail().startsWith("Too long") ? "FieldValueTooLong"
                    : p.detail().startsWith("Too many") ? "FieldValueTooMany" : "FieldValueInvalid")
                    .put("message", p.detail()).put("field", p.field());
        }
        // keep details ahead of code, as Kubernetes orders them
        s.remove("code");
        return new ApiException(s.put("code", 422));
    }
}

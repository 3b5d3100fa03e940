package io.berth.gateway.manifest;

/**
 * One validation error or warning, Kubernetes-style: the field path and the reason.
 *
 * @param source   where the manifest came from (a file name, {@code "-"} for stdin), may be empty
 * @param document 1-based index of the YAML document in the source
 * @param resource the resource it concerns, e.g. {@code Deployment "web"}; empty when unknown
 * @param field    field path, e.g. {@code spec.template.spec.containers[0].image}; empty for whole-document problems
 * @param detail   the reason, e.g. {@code Required value} or {@code Invalid value: -1: must be greater than or equal to 0}
 */
public record ManifestProblem(String source, int document, String resource, String field, String detail) {

    /** {@code field: detail}, the part tests and the REST API show. */
    public String message() {
        return field.isEmpty() ? detail : field + ": " + detail;
    }

    /** The full line a CLI prints, e.g. {@code web.yaml: The Deployment "web" is invalid: spec.replicas: Invalid value: ...}. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        if (!source.isEmpty()) b.append(source).append(document > 1 ? " (document " + document + ")" : "").append(": ");
        else if (document > 1) b.append("document ").append(document).append(": ");
        if (!resource.isEmpty()) b.append("The ").append(resource).append(" is invalid: ");
        return b.append(message()).toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}

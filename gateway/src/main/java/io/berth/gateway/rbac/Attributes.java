package io.berth.gateway.rbac;

import io.berth.schemas.auth.User;

/**
 * What a request asks to do, as Kubernetes' {@code authorizer.Attributes} (built by {@link RequestInfo}):
 * a resource request (verb, API group, resource, subresource, namespace, name) or a non-resource one
 * (verb = the lower-case HTTP method, path).
 */
public record Attributes(User user, String verb, boolean resourceRequest, String apiGroup, String resource,
                         String subresource, String namespace, String name, String path) {

    public static Attributes resource(User user, String verb, String apiGroup, String resource, String subresource,
                                      String namespace, String name) {
        return new Attributes(user, verb, true, nz(apiGroup), nz(resource), nz(subresource), nz(namespace), nz(name), "");
    }

    public static Attributes nonResource(User user, String verb, String path) {
        return new Attributes(user, verb, false, "", "", "", "", "", path);
    }

    public Attributes as(User other) {
        return new Attributes(other, verb, resourceRequest, apiGroup, resource, subresource, namespace, name, path);
    }

    /**
     * The refusal as Kubernetes words it ({@code apiserver/pkg/endpoints/handlers/responsewriters/errors.go}
     * and {@code apimachinery/pkg/api/errors.NewForbidden}), e.g. {@code deployments.apps is forbidden: User
     * "bob" cannot create resource "deployments" in API group "apps" in the namespace "prod"}.
     */
    public String forbiddenMessage() {
        String who = "User \"" + user.name() + "\" cannot " + verb;
        if (!resourceRequest) return "forbidden: " + who + " path \"" + path + "\"";
        String combined = subresource.isEmpty() ? resource : resource + "/" + subresource;
        String scope = namespace.isEmpty() ? " at the cluster scope" : " in the namespace \"" + namespace + "\"";
        String detail = who + " resource \"" + combined + "\" in API group \"" + apiGroup + "\"" + scope;
        String qualified = apiGroup.isEmpty() ? resource : resource + "." + apiGroup;
        return qualified + (name.isEmpty() ? "" : " \"" + name + "\"") + " is forbidden: " + detail;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}

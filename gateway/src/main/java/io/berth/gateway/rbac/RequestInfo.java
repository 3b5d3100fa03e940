package io.berth.gateway.rbac;

import io.berth.schemas.auth.User;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Maps an HTTP request to the {@link Attributes} the authorizer checks, as Kubernetes'
 * {@code RequestInfoFactory} does: {@code /api/v1/...} and {@code /apis/GROUP/VERSION/...} are resource
 * requests ({@code [watch/][namespaces/NS/]RESOURCE[/NAME[/SUBRESOURCE]]}); anything else is a
 * non-resource path whose verb is the lower-case method. GET of a collection is {@code list}, or
 * {@code watch} with {@code ?watch=true}; GET of one object {@code get}; POST {@code create}; PUT
 * {@code update}; PATCH {@code patch}; DELETE {@code delete}, or {@code deletecollection} without a name.
 */
public final class RequestInfo {
    private RequestInfo() {}

    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");
    /** Subresources whose GET opens a stream (WebSocket): authorized as {@code create}. */
    private static final Set<String> CONNECT_SUBRESOURCES = Set.of("exec", "attach", "portforward");

    /**
     * @param watchParam    the {@code watch} query parameter (null when absent)
     * @param fieldSelector the {@code fieldSelector} query parameter: {@code metadata.name=x} names the object of a list or watch
     */
    public static Attributes of(User user, String method, String path, String watchParam, String fieldSelector) {
        String m = method.toUpperCase(Locale.ROOT);
        List<String> parts = split(path);
        boolean core = parts.size() >= 2 && parts.get(0).equals("api");
        boolean grouped = parts.size() >= 3 && parts.get(0).equals("apis");
        if (!core && !grouped) return Attributes.nonResource(user, m.toLowerCase(Locale.ROOT), path);
        String group = core ? "" : parts.get(1);
        List<String> rest = parts.subList(core ? 2 : 3, parts.size());
        if (rest.isEmpty()) return Attributes.nonResource(user, m.toLowerCase(Locale.ROOT), path); // discovery: /api/v1, /apis/apps/v1
        boolean watchPath = rest.get(0).equals("watch");
        if (watchPath) rest = rest.subList(1, rest.size());
        String namespace = "";
        if (!rest.isEmpty() && rest.get(0).equals("namespaces") && rest.size() > 1) {
            namespace = rest.get(1);
            if (rest.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(rest.get(2))) rest = rest.subList(2, rest.size());
        }
        if (rest.isEmpty()) return Attributes.nonResource(user, m.toLowerCase(Locale.ROOT), path);
        String resource = rest.get(0);
        String name = rest.size() > 1 ? rest.get(1) : "";
        String subresource = rest.size() > 2 ? rest.get(2) : "";
        String verb = switch (m) {
            case "GET", "HEAD" -> name.isEmpty() ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name.isEmpty() ? "deletecollection" : "delete";
            default -> m.toLowerCase(Locale.ROOT);
        };
        if (watchPath) verb = "watch";
        // a WebSocket upgrade is a GET; Kubernetes authorizes the connect subresources as create all the same
        if (m.equals("GET") && !name.isEmpty() && CONNECT_SUBRESOURCES.contains(subresource)) verb = "create";
        if (name.isEmpty() && verb.equals("list")) {
            if ("true".equals(watchParam) || "1".equals(watchParam)) verb = "watch";
            name = nameSelected(fieldSelector);
        }
        return Attributes.resource(user, verb, group, resource, subresource, namespace, name);
    }

    /** {@code metadata.name=x} (or {@code ==}) in a field selector names the object; else "". */
    static String nameSelected(String fieldSelector) {
        if (fieldSelector == null) return "";
        for (String term : fieldSelector.split(",")) {
            String t = term.strip();
            for (String op : List.of("==", "=")) {
                if (t.startsWith("metadata.name" + op)) {
                    String v = t.substring(("metadata.name" + op).length());
                    return v.contains("=") || v.contains("!") ? "" : v;
                }
            }
        }
        return "";
    }

    private static List<String> split(String path) {
        List<String> out = new ArrayList<>();
        for (String p : path.split("/")) if (!p.isEmpty()) out.add(p);
        return out;
    }
}

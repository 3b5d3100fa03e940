package io.berth.gateway.prom;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code verb} and {@code resource} labels kube-apiserver puts on {@code apiserver_request_total}, from a
 * request's method, path and query: {@code GET /api/v1/namespaces/default/pods} is {@code LIST pods},
 * {@code ?watch=true} makes it {@code WATCH}, {@code GET …/pods/web-1} is {@code GET pods}, a server-side apply
 * ({@code application/apply-patch+yaml}) is {@code APPLY}, a {@code DELETE} of a collection {@code DELETECOLLECTION}.
 * A path that is no API resource (health, discovery, {@code /metrics}) has resource {@code ""}, as in Kubernetes.
 * Only resources the API serves become label values: a client cannot mint series by requesting made-up paths.
 */
public record RequestLabels(String verb, String resource, String subresource) {
    /** Every resource and subresource the discovery documents list. */
    static final Set<String> KNOWN = io.berth.gateway.api.Discovery.GROUPS.stream().flatMap(g -> g.resources().stream())
            .flatMap(r -> java.util.stream.Stream.concat(java.util.stream.Stream.of(r.name()), r.subresources().stream().map(s -> s.name())))
            .collect(Collectors.toUnmodifiableSet());

    public static RequestLabels of(String method, String path, boolean watch, String contentType) {
        List<String> segs = java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
        int start = !segs.isEmpty() && segs.get(0).equals("api") ? 2 : !segs.isEmpty() && segs.get(0).equals("apis") ? 3 : -1;
        if (start < 0 || segs.size() <= start) return new RequestLabels(method(method), "", "");
        List<String> rest = segs.subList(start, segs.size());
        String resource, name = null, sub = "";
        if (rest.get(0).equals("namespaces") && rest.size() >= 3) {
            resource = rest.get(2);
            if (rest.size() > 3) name = rest.get(3);
            if (rest.size() > 4) sub = rest.get(4);
        } else {
            resource = rest.get(0);
            if (rest.size() > 1) name = rest.get(1);
            if (rest.size() > 2) sub = rest.get(2);
        }
        if (!KNOWN.contains(resource)) return new RequestLabels(method(method), "", "");
        if (!KNOWN.contains(sub)) sub = "";
        return new RequestLabels(verb(method, name != null, watch, contentType), resource, sub);
    }

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private static String method(String m) {
        return METHODS.contains(m) ? m : "OTHER";
    }

    private static String verb(String method, boolean named, boolean watch, String contentType) {
        return switch (method) {
            case "GET", "HEAD" -> watch ? "WATCH" : named ? "GET" : "LIST";
            case "DELETE" -> named ? "DELETE" : "DELETECOLLECTION";
            case "PATCH" -> contentType != null && contentType.startsWith("application/apply-patch") ? "APPLY" : "PATCH";
            case "POST", "PUT" -> method;
            default -> "OTHER"; // methods no route serves: not a label value a client can choose
        };
    }
}

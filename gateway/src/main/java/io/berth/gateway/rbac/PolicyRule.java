package io.berth.gateway.rbac;

import java.util.List;

/**
 * One rule of a Role or ClusterRole, as Kubernetes' {@code rbac/v1 PolicyRule}: verbs × apiGroups ×
 * resources (optionally narrowed to resourceNames), or verbs × nonResourceURLs. {@code *} is every
 * value; {@code *}{@code /scale} is the scale subresource of every resource; a URL ending in {@code *}
 * is a prefix. The matching is Kubernetes' ({@code pkg/apis/rbac/v1/evaluation_helpers.go}).
 */
public record PolicyRule(List<String> verbs, List<String> apiGroups, List<String> resources,
                         List<String> resourceNames, List<String> nonResourceURLs) {
    public PolicyRule {
        verbs = List.copyOf(verbs);
        apiGroups = List.copyOf(apiGroups);
        resources = List.copyOf(resources);
        resourceNames = List.copyOf(resourceNames);
        nonResourceURLs = List.copyOf(nonResourceURLs);
    }

    public static PolicyRule resources(List<String> verbs, List<String> apiGroups, List<String> resources) {
        return new PolicyRule(verbs, apiGroups, resources, List.of(), List.of());
    }

    public static PolicyRule urls(List<String> verbs, List<String> urls) {
        return new PolicyRule(verbs, List.of(), List.of(), List.of(), urls);
    }

    /** Whether this rule allows the request. */
    public boolean allows(Attributes a) {
        if (!verbMatches(a.verb())) return false;
        if (!a.resourceRequest()) return nonResourceURLMatches(a.path());
        return apiGroupMatches(a.apiGroup()) && resourceMatches(a.resource(), a.subresource()) && resourceNameMatches(a.name());
    }

    boolean verbMatches(String verb) {
        return verbs.contains("*") || verbs.contains(verb);
    }

    boolean apiGroupMatches(String group) {
        return apiGroups.contains("*") || apiGroups.contains(group);
    }

    /** {@code pods} matches only pods, {@code pods/log} only the log, {@code *}{@code /log} every log. */
    boolean resourceMatches(String resource, String subresource) {
        String combined = subresource.isEmpty() ? resource : resource + "/" + subresource;
        for (String r : resources) {
            if (r.equals("*") || r.equals(combined)) return true;
            if (!subresource.isEmpty() && r.startsWith("*/") && r.substring(2).equals(subresource)) return true;
        }
        return false;
    }

    /** No resourceNames: every name; else the request must name one of them (a list or create names none). */
    boolean resourceNameMatches(String name) {
        return resourceNames.isEmpty() || resourceNames.contains(name);
    }

    boolean nonResourceURLMatches(String path) {
        for (String u : nonResourceURLs) {
            if (u.equals("*") || u.equals(path)) return true;
            if (u.endsWith("*") && path.startsWith(u.substring(0, u.length() - 1))) return true;
        }
        return false;
    }
}

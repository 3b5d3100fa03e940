package io.berth.gateway.rbac;

import io.berth.schemas.auth.User;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable snapshot of every role and binding (the {@link BuiltIns} and those applied), and the
 * decision Kubernetes' RBAC authorizer makes from it: a request is allowed when some ClusterRoleBinding,
 * or some RoleBinding of the request's namespace, applies to the user and its role has a rule that
 * allows it. There is no deny; a binding to a role that does not exist grants nothing.
 */
public final class Policy {
    /** Every authenticated user is in this group, as in Kubernetes. */
    public static final String AUTHENTICATED = "system:authenticated";

    private final Map<String, Role> roles = new LinkedHashMap<>();       // ns/name
    private final Map<String, Role> clusterRoles = new LinkedHashMap<>(); // name
    private final List<Binding> clusterBindings = new ArrayList<>();
    private final Map<String, List<Binding>> roleBindings = new LinkedHashMap<>(); // by namespace

    /** The decision, with Kubernetes' reason ({@code RBAC: allowed by ...}) when allowed. */
    public record Decision(boolean allowed, String reason) {}

    private Policy() {}

    /** The built-ins plus {@code roles} and {@code bindings} (a built-in is never replaced). */
    public static Policy of(Collection<Role> applied, Collection<Binding> bindings) {
        Policy p = new Policy();
        for (Role r : applied) p.add(r);
        for (Role r : BuiltIns.CLUSTER_ROLES) p.clusterRoles.put(r.name(), r);
        for (Binding b : bindings) p.add(b);
        for (Binding b : BuiltIns.CLUSTER_ROLE_BINDINGS) {
            p.clusterBindings.removeIf(x -> x.name().equals(b.name()));
            p.clusterBindings.add(b);
        }
        return p;
    }

    public static Policy builtIns() {
        return of(List.of(), List.of());
    }

    private void add(Role r) {
        if (r.namespace().isEmpty()) clusterRoles.put(r.name(), r);
        else roles.put(r.namespace() + "/" + r.name(), r);
    }

    private void add(Binding b) {
        if (b.namespace().isEmpty()) clusterBindings.add(b);
        else roleBindings.computeIfAbsent(b.namespace(), k -> new ArrayList<>()).add(b);
    }

    /** The user's groups plus {@link #AUTHENTICATED}. */
    public static List<String> groups(User user) {
        List<String> g = new ArrayList<>(user.groups());
        if (!g.contains(AUTHENTICATED)) g.add(AUTHENTICATED);
        return g;
    }

    public Decision authorize(Attributes a) {
        for (Binding b : clusterBindings) {
            if (b.appliesTo(a.user()) && rules(b).stream().anyMatch(r -> r.allows(a))) return allowedBy(b);
        }
        if (!a.namespace().isEmpty()) {
            for (Binding b : roleBindings.getOrDefault(a.namespace(), List.of())) {
                if (b.appliesTo(a.user()) && rules(b).stream().anyMatch(r -> r.allows(a))) return allowedBy(b);
            }
        }
        return new Decision(false, "");
    }

    public boolean allows(Attributes a) {
        return authorize(a).allowed();
    }

    /** The rules a binding grants: its role's, or none when the role does not exist (yet). */
    public List<PolicyRule> rules(Binding b) {
        return role(b.roleKind(), b.namespace(), b.roleName()).map(Role::rules).orElse(List.of());
    }

    public Optional<Role> role(String kind, String namespace, String name) {
        return Optional.ofNullable(kind.equals("ClusterRole") ? clusterRoles.get(name) : roles.get(namespace + "/" + name));
    }

    /**
     * Kubernetes' escalation check: whether {@code user} already holds every permission of {@code rules}
     * in {@code namespace} ("" = cluster-wide), so creating a role with them, or binding one, gives
     * nobody more than the user has. Each rule is broken into single (verb, group, resource, name)
     * requests; a {@code *} is checked literally, so only a {@code *} covers a {@code *}.
     */
    public List<String> uncovered(User user, String namespace, List<PolicyRule> rules) {
        List<String> missing = new ArrayList<>();
        for (PolicyRule r : rules) {
            for (String verb : r.verbs()) {
                for (String url : r.nonResourceURLs()) {
                    if (!allows(Attributes.nonResource(user, verb, url))) missing.add("{NonResourceURLs:[\"" + url + "\"], Verbs:[\"" + verb + "\"]}");
                }
                for (String group : r.apiGroups()) {
                    for (String resource : r.resources()) {
                        int slash = resource.indexOf('/');
                        String res = slash < 0 ? resource : resource.substring(0, slash), sub = slash < 0 ? "" : resource.substring(slash + 1);
                        for (String name : r.resourceNames().isEmpty() ? List.of("") : r.resourceNames()) {
                            if (!allows(Attributes.resource(user, verb, group, res, sub, namespace, name))) {
                                missing.add("{APIGroups:[\"" + group + "\"], Resources:[\"" + resource + "\"]"
                                        + (name.isEmpty() ? "" : ", ResourceNames:[\"" + name + "\"]") + ", Verbs:[\"" + verb + "\"]}");
                            }
                        }
                    }
                }
            }
        }
        return missing;
    }

    private Decision allowedBy(Binding b) {
        String subject = b.subjects().isEmpty() ? "" : " to " + b.subjects().get(0).kind() + " \"" + b.subjects().get(0).name() + "\"";
        return new Decision(true, "RBAC: allowed by " + b.kind() + " \"" + b.name() + "\""
                + (b.namespace().isEmpty() ? "" : " in namespace \"" + b.namespace() + "\"") + " of " + b.roleKind() + " \"" + b.roleName() + "\"" + subject);
    }
}

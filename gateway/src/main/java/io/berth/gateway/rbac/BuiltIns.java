package io.berth.gateway.rbac;

import java.util.ArrayList;
import java.util.List;

/**
 * The roles and bindings every Berth cluster has, with Kubernetes' meaning (its bootstrap policy,
 * {@code plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go}, kept to the same resource names):
 * <ul>
 *   <li>{@code cluster-admin}: everything; bound to the group {@code system:masters} (the admin token {@code berth up} writes);</li>
 *   <li>{@code view}: read (get, list, watch) workloads, pods and their logs, services, events, namespaces —
 *       not secrets, not exec;</li>
 *   <li>{@code edit}: view, plus reading secrets and writing workloads, pods (exec, attach, eviction),
 *       services, configmaps, secrets; scale, roll back, promote and abort deployments;</li>
 *   <li>{@code admin}: edit, plus Roles and RoleBindings (meant for a RoleBinding: admin of one namespace);</li>
 *   <li>{@code system:basic-user} and {@code system:discovery}, bound to every authenticated user:
 *       access reviews of oneself ({@code kubectl auth can-i}) and the discovery, health and version paths;</li>
 *   <li>{@code system:node-bootstrapper}, bound to the join tokens' group {@code system:bootstrappers}: a node
 *       joins ({@code create nodes/join} in {@code berth.io}), as Kubernetes' bootstrap tokens may create a
 *       certificate signing request and nothing else.</li>
 * </ul>
 * Built-ins cannot be changed through the API.
 */
public final class BuiltIns {
    private BuiltIns() {}

    private static final List<String> READ = List.of("get", "list", "watch");
    private static final List<String> WRITE = List.of("create", "delete", "deletecollection", "patch", "update");

    public static final Role CLUSTER_ADMIN = Role.cluster("cluster-admin", List.of(
            PolicyRule.resources(List.of("*"), List.of("*"), List.of("*")),
            PolicyRule.urls(List.of("*"), List.of("*"))));

    public static final Role VIEW = Role.cluster("view", viewRules());
    public static final Role EDIT = Role.cluster("edit", editRules());
    public static final Role ADMIN = Role.cluster("admin", adminRules());

    public static final Role BASIC_USER = Role.cluster("system:basic-user", List.of(
            PolicyRule.resources(List.of("create"), List.of("authorization.k8s.io"),
                    List.of("selfsubjectaccessreviews", "selfsubjectrulesreviews"))));

    public static final Role DISCOVERY = Role.cluster("system:discovery", List.of(
            PolicyRule.urls(List.of("get"), List.of("/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/readyz",
                    "/openapi", "/openapi/*", "/version", "/version/"))));

    public static final Role NODE_BOOTSTRAPPER = Role.cluster("system:node-bootstrapper", List.of(
            PolicyRule.resources(List.of("create"), List.of("berth.io"), List.of("nodes/join"))));

    public static final List<Role> CLUSTER_ROLES = List.of(CLUSTER_ADMIN, ADMIN, EDIT, VIEW, BASIC_USER, DISCOVERY, NODE_BOOTSTRAPPER);

    public static final List<Binding> CLUSTER_ROLE_BINDINGS = List.of(
            clusterBinding("cluster-admin", "cluster-admin", "system:masters"),
            clusterBinding("system:basic-user", "system:basic-user", Policy.AUTHENTICATED),
            clusterBinding("system:discovery", "system:discovery", Policy.AUTHENTICATED),
            clusterBinding("system:node-bootstrapper", "system:node-bootstrapper", io.berth.schemas.auth.User.BOOTSTRAPPERS));

    public static boolean isBuiltIn(RbacKind kind, String name) {
        return switch (kind) {
            case CLUSTER_ROLE -> CLUSTER_ROLES.stream().anyMatch(r -> r.name().equals(name));
            case CLUSTER_ROLE_BINDING -> CLUSTER_ROLE_BINDINGS.stream().anyMatch(b -> b.name().equals(name));
            default -> false;
        };
    }

    private static Binding clusterBinding(String name, String role, String group) {
        return new Binding(RbacKind.CLUSTER_ROLE_BINDING.kind, "", name, "ClusterRole", role,
                List.of(new Binding.Subject("Group", group, "")));
    }

    private static List<PolicyRule> viewRules() {
        return List.of(
                PolicyRule.resources(READ, List.of(""), List.of("pods", "pods/log", "pods/status", "services", "services/status",
                        "endpoints", "events", "configmaps", "persistentvolumeclaims", "persistentvolumeclaims/status",
                        "replicationcontrollers", "replicationcontrollers/scale", "replicationcontrollers/status",
                        "resourcequotas", "resourcequotas/status", "limitranges", "serviceaccounts", "bindings",
                        "namespaces", "namespaces/status")),
                PolicyRule.resources(READ, List.of("apps"), List.of("controllerrevisions", "daemonsets", "daemonsets/status",
                        "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale",
                        "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status")),
                PolicyRule.resources(READ, List.of("batch"), List.of("cronjobs", "cronjobs/status", "jobs", "jobs/status")),
                PolicyRule.resources(READ, List.of("events.k8s.io"), List.of("events")),
                // metrics-server's system:aggregated-metrics-reader, aggregated to view (and so edit and admin)
                PolicyRule.resources(READ, List.of("metrics.k8s.io"), List.of("pods", "nodes")));
    }

    private static List<PolicyRule> editRules() {
        List<PolicyRule> rules = new ArrayList<>(viewRules());
        rules.add(PolicyRule.resources(READ, List.of(""), List.of("secrets")));
        rules.add(PolicyRule.resources(List.of("impersonate"), List.of(""), List.of("serviceaccounts")));
        rules.add(PolicyRule.resources(WRITE, List.of(""), List.of("pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy")));
        rules.add(PolicyRule.resources(List.of("create"), List.of(""), List.of("pods/eviction", "serviceaccounts/token")));
        rules.add(PolicyRule.resources(WRITE, List.of(""), List.of("configmaps", "events", "persistentvolumeclaims",
                "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy")));
        rules.add(PolicyRule.resources(WRITE, List.of("apps"), List.of("daemonsets", "deployments", "deployments/rollback",
                "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale")));
        // Berth's rollout steps, POSTed like Kubernetes' deployments/rollback (and a daemon set's rollback, Berth's own)
        rules.add(PolicyRule.resources(List.of("create"), List.of("apps"), List.of("deployments/promote", "deployments/abort",
                "daemonsets/rollback", "statefulsets/rollback")));
        rules.add(PolicyRule.resources(WRITE, List.of("batch"), List.of("cronjobs", "jobs")));
        return List.copyOf(rules);
    }

    private static List<PolicyRule> adminRules() {
        List<PolicyRule> rules = new ArrayList<>(editRules());
        rules.add(PolicyRule.resources(List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"),
                List.of(RbacKind.GROUP), List.of("roles", "rolebindings")));
        rules.add(PolicyRule.resources(List.of("create"), List.of("authorization.k8s.io"), List.of("localsubjectaccessreviews")));
        return List.copyOf(rules);
    }
}

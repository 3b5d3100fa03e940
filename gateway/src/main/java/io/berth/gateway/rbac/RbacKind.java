package io.berth.gateway.rbac;

import java.util.Arrays;
import java.util.Optional;

/** The four kinds of rbac.authorization.k8s.io/v1, their REST names and scope. */
public enum RbacKind {
    ROLE("Role", "roles", true),
    CLUSTER_ROLE("ClusterRole", "clusterroles", false),
    ROLE_BINDING("RoleBinding", "rolebindings", true),
    CLUSTER_ROLE_BINDING("ClusterRoleBinding", "clusterrolebindings", false);

    public static final String GROUP = "rbac.authorization.k8s.io";
    public static final String API_VERSION = GROUP + "/v1";

    public final String kind;
    public final String plural;
    public final boolean namespaced;

    RbacKind(String kind, String plural, boolean namespaced) {
        this.kind = kind;
        this.plural = plural;
        this.namespaced = namespaced;
    }

    public boolean binding() {
        return this == ROLE_BINDING || this == CLUSTER_ROLE_BINDING;
    }

    /** {@code roles.rbac.authorization.k8s.io}, as Kubernetes names the resource in messages. */
    public String qualified() {
        return plural + "." + GROUP;
    }

    public static Optional<RbacKind> ofKind(String kind) {
        return Arrays.stream(values()).filter(k -> k.kind.equals(kind)).findFirst();
    }

    public static Optional<RbacKind> ofPlural(String plural) {
        return Arrays.stream(values()).filter(k -> k.plural.equals(plural)).findFirst();
    }

    /** The store key {@code kind/namespace/name}. */
    public String key(String namespace, String name) {
        return kind + "/" + (namespaced ? namespace : "") + "/" + name;
    }
}

package io.berth.gateway.rbac;

import java.util.List;

/** A Role (namespaced) or ClusterRole (namespace ""): a name and its rules. */
public record Role(String kind, String namespace, String name, List<PolicyRule> rules) {
    public Role {
        rules = List.copyOf(rules);
    }

    public static Role cluster(String name, List<PolicyRule> rules) {
        return new Role(RbacKind.CLUSTER_ROLE.kind, "", name, rules);
    }
}

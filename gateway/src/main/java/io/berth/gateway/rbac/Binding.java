package io.berth.gateway.rbac;

import io.berth.schemas.auth.User;

import java.util.List;

/**
 * A RoleBinding (namespaced: grants the role's rules in its namespace only) or ClusterRoleBinding
 * (namespace "": a ClusterRole's rules everywhere) of a role to subjects.
 *
 * @param roleKind {@code Role} or {@code ClusterRole}
 */
public record Binding(String kind, String namespace, String name, String roleKind, String roleName, List<Subject> subjects) {
    public Binding {
        subjects = List.copyOf(subjects);
    }

    /** A User, Group or ServiceAccount (namespace only for a ServiceAccount). */
    public record Subject(String kind, String name, String namespace) {
        /** Kubernetes' {@code appliesTo}: a user by name, a group by membership, a service account as {@code system:serviceaccount:NS:NAME}. */
        public boolean appliesTo(User user, String bindingNamespace) {
            return switch (kind) {
                case "User" -> user.name().equals(name);
                case "Group" -> Policy.groups(user).contains(name);
                case "ServiceAccount" -> user.name().equals("system:serviceaccount:"
                        + (namespace == null || namespace.isEmpty() ? bindingNamespace : namespace) + ":" + name);
                default -> false;
            };
        }
    }

    public boolean appliesTo(User user) {
        return subjects.stream().anyMatch(s -> s.appliesTo(user, namespace));
    }
}

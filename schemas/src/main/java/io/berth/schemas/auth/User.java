package io.berth.schemas.auth;

import java.util.List;

/** An authenticated principal, as Kubernetes' {@code user.Info}: name, uid and groups. */
public record User(String name, String uid, List<String> groups) {
    /** The group of node join tokens (kubeadm's bootstrap tokens): they may join a node and nothing else. */
    public static final String BOOTSTRAPPERS = "system:bootstrappers";

    /** The group of node daemons, as Kubernetes' kubelets: each is user {@code system:node:<name>}. */
    public static final String NODES = "system:nodes";
    public static final String NODE_PREFIX = "system:node:";

    /** The principal of node {@code nodeName} (authenticated by its signed request). */
    public static User node(String nodeName) {
        return new User(NODE_PREFIX + nodeName, "", List.of(NODES, "system:authenticated"));
    }

    public User {
        groups = List.copyOf(groups);
    }

    /** A node join token's principal: good only for {@code POST /apis/berth.io/v1/nodes/{name}/join}. */
    public boolean isBootstrapper() {
        return groups.contains(BOOTSTRAPPERS);
    }

    /** A node daemon's principal ({@link #node}). */
    public boolean isNode() {
        return groups.contains(NODES) && name.startsWith(NODE_PREFIX);
    }

    /** The node's name of a node principal ({@code n1} of {@code system:node:n1}). */
    public String nodeName() {
        if (!isNode()) throw new IllegalStateException(name + " is not a node");
        return name.substring(NODE_PREFIX.length());
    }
}

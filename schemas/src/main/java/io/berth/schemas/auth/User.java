package io.berth.schemas.auth;

import java.util.List;

/** An authenticated principal, as Kubernetes' {@code user.Info}: name, uid and groups. */
public record User(String name, String uid, List<String> groups) {
    /** The group of node join tokens (kubeadm's bootstrap tokens): they may join a node and nothing else. */
    public static final String BOOTSTRAPPERS = "system:bootstrappers";

    public User {
        groups = List.copyOf(groups);
    }

    /** A node join token's principal: good only for {@code POST /apis/berth.io/v1/nodes/{name}/join}. */
    public boolean isBootstrapper() {
        return groups.contains(BOOTSTRAPPERS);
    }
}

package io.berth.schemas.auth;

import java.util.List;

/** An authenticated principal, as Kubernetes' {@code user.Info}: name, uid and groups. */
public record User(String name, String uid, List<String> groups) {
    public User {
        groups = List.copyOf(groups);
    }
}

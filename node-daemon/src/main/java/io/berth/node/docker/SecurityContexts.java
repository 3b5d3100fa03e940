package io.berth.node.docker;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.PodSecurityContext;
import io.berth.schemas.avro.SeccompProfile;
import io.berth.schemas.avro.SecurityContext;
import io.berth.schemas.policy.PodSecurity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A container's effective securityContext (its own fields over the pod's, as the kubelet merges them)
 * applied to its Docker create command: {@code runAsUser}/{@code runAsGroup} → {@code User "uid:gid"},
 * {@code fsGroup} and {@code supplementalGroups} → {@code GroupAdd}, {@code capabilities} → {@code CapAdd}/{@code CapDrop},
 * {@code readOnlyRootFilesystem} → {@code ReadonlyRootfs}, {@code seccompProfile} Unconfined →
 * {@code seccomp=unconfined}, Localhost → the profile's JSON from {@code <seccomp dir>/<localhostProfile>}
 * (RuntimeDefault or unset: Docker's default profile). {@code allowPrivilegeEscalation} changes nothing:
 * every container runs with no-new-privileges. Plus the kubelet's {@code runAsNonRoot} check.
 */
public final class SecurityContexts {
    private SecurityContexts() {}

    /** The kubelet's CreateContainerConfigError: the container cannot be created as its securityContext says. */
    public static final class ConfigError extends RuntimeException {
        public ConfigError(String message) {
            super(message);
        }
    }

    static <T> T effective(PodSecurityContext pod, ContainerSpec c, Function<SecurityContext, T> own, Function<PodSecurityContext, T> inherited) {
        T v = c.getSecurityContext() == null ? null : own.apply(c.getSecurityContext());
        return v != null || pod == null ? v : inherited.apply(pod);
    }

    /** Whether the image's configured user matters (runAsNonRoot to verify, or a group without a user). */
    public static boolean needsImageUser(PodSecurityContext pod, ContainerSpec c) {
        Long uid = effective(pod, c, SecurityContext::getRunAsUser, PodSecurityContext::getRunAsUser);
        Long gid = effective(pod, c, SecurityContext::getRunAsGroup, PodSecurityContext::getRunAsGroup);
        return uid == null && (gid != null || Boolean.TRUE.equals(effective(pod, c, SecurityContext::getRunAsNonRoot, PodSecurityContext::getRunAsNonRoot)));
    }

    /**
     * The kubelet's {@code verifyRunAsNonRoot}: with runAsNonRoot true, a runAsUser of 0, or no runAsUser and an
     * image whose user is root (empty, 0, {@code 0:…}) or a name that cannot be verified, is a {@link ConfigError}.
     */
    public static void verifyRunAsNonRoot(Assignment a, ContainerSpec c, String imageUser) {
        PodSecurityContext pod = a.getTemplate().getSecurityContext();
        if (!Boolean.TRUE.equals(effective(pod, c, SecurityContext::getRunAsNonRoot, PodSecurityContext::getRunAsNonRoot))) return;
        String where = "(pod: \"" + (a.getPodName().isEmpty() ? a.getTaskId() : a.getPodName()) + "_" + a.getNamespace() + "\", container: " + c.getName() + ")";
        Long uid = effective(pod, c, SecurityContext::getRunAsUser, PodSecurityContext::getRunAsUser);
        if (uid != null) {
            if (uid == 0) throw new ConfigError("container's runAsUser breaks non-root policy " + where);
            return;
        }
        String user = imageUser == null ? "" : imageUser.split(":", -1)[0];
        if (user.isEmpty() || user.matches("0+")) throw new ConfigError("container has runAsNonRoot and image will run as root " + where);
        if (!user.matches("[0-9]+")) {
            throw new ConfigError("container has runAsNonRoot and image has non-numeric user (" + user + "), cannot verify user is non-root " + where);
        }
    }

    /** Docker's {@code User}: "uid", "uid:gid", or (a group without a user) the image's user with the group; null: the image's. */
    static String user(Long uid, Long gid, String imageUser) {
        if (uid == null && gid == null) return null;
        String u = uid != null ? uid.toString() : imageUser == null || imageUser.split(":", -1)[0].isEmpty() ? "0" : imageUser.split(":", -1)[0];
        return gid == null ? u : u + ":" + gid;
    }

    /**
     * Sets the container's effective securityContext on {@code cmd} (an app or init container's, never the infra's).
     * @param seccompDir where Localhost profiles live; null: Localhost is a {@link ConfigError}
     */
    public static void apply(CreateContainerCmd cmd, Assignment a, ContainerSpec c, String imageUser, Path seccompDir) {
        PodSecurityContext pod = a.getTemplate().getSecurityContext();
        SecurityContext sc = c.getSecurityContext();
        HostConfig h = cmd.getHostConfig();
        String user = user(effective(pod, c, SecurityContext::getRunAsUser, PodSecurityContext::getRunAsUser),
                effective(pod, c, SecurityContext::getRunAsGroup, PodSecurityContext::getRunAsGroup), imageUser);
        if (user != null) cmd.withUser(user);
        if (pod != null) {
            Set<String> groups = new LinkedHashSet<>();
            if (pod.getFsGroup() != null) groups.add(pod.getFsGroup().toString());
            pod.getSupplementalGroups().forEach(g -> groups.add(g.toString()));
            if (!groups.isEmpty()) h.withGroupAdd(List.copyOf(groups));
        }
        if (sc != null && sc.getCapabilities() != null) {
            if (!sc.getCapabilities().getAdd().isEmpty()) h.withCapAdd(capabilities(sc.getCapabilities().getAdd()));
            if (!sc.getCapabilities().getDrop().isEmpty()) h.withCapDrop(capabilities(sc.getCapabilities().getDrop()));
        }
        if (sc != null && Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) h.withReadonlyRootfs(true);
        SeccompProfile seccomp = effective(pod, c, SecurityContext::getSeccompProfile, PodSecurityContext::getSeccompProfile);
        if (seccomp != null && !seccomp.getType().equals(PodSecurity.RUNTIME_DEFAULT)) {
            List<String> opts = new ArrayList<>(h.getSecurityOpts() == null ? List.of() : h.getSecurityOpts());
            opts.add("seccomp=" + seccompOption(seccomp, seccompDir));
            h.withSecurityOpts(opts);
        }
    }

    private static String seccompOption(SeccompProfile p, Path dir) {
        if (p.getType().equals(PodSecurity.UNCONFINED)) return "unconfined";
        if (!p.getType().equals(PodSecurity.LOCALHOST)) throw new ConfigError("unknown seccompProfile.type " + p.getType());
        if (dir == null) throw new ConfigError("seccomp profile " + p.getLocalhostProfile() + ": this node has no seccomp directory");
        Path file = dir.resolve(p.getLocalhostProfile()).normalize();
        if (!file.startsWith(dir)) throw new ConfigError("seccomp profile " + p.getLocalhostProfile() + " is outside " + dir);
        try {
            return Files.readString(file); // Docker's API takes the profile's JSON, as the docker CLI sends it
        } catch (IOException e) {
            throw new ConfigError("cannot read seccomp profile " + file + ": " + e.getMessage());
        }
    }

    private static Capability[] capabilities(List<String> names) {
        List<Capability> out = new ArrayList<>();
        for (String n : names) {
            try {
                out.add(Capability.valueOf(PodSecurity.capability(n)));
            } catch (IllegalArgumentException e) {
                throw new ConfigError("unknown capability " + n);
            }
        }
        return out.toArray(new Capability[0]);
    }
}

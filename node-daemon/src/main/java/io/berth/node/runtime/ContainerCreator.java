package io.berth.node.runtime;

import io.berth.node.config.PodConfigs;
import io.berth.node.docker.PodUnit;
import io.berth.node.docker.SecurityContexts;
import io.berth.node.reconcile.Creation;
import io.berth.schemas.TaskReason;
import io.berth.schemas.avro.Assignment;

import java.util.function.Function;

/**
 * Creates one container of a pod, BLOCKING (call it on a worker): checks the image is on the engine
 * (the daemon never pulls), resolves the pod's Secrets and ConfigMaps and writes their files, then
 * creates the container. Every failure is an exception whose {@link #reason} is the kubelet's word.
 */
final class ContainerCreator {
    private final ContainerRuntime docker;
    private final Function<String, PodConfigs.Lookup> configs;

    /** @param configs where a pod's (task id →) Secrets and ConfigMaps come from; null: this node reads none */
    ContainerCreator(ContainerRuntime docker, Function<String, PodConfigs.Lookup> configs) {
        this.docker = docker;
        this.configs = configs;
    }

    /** Creates the container {@code l} describes; returns its id. */
    String create(Assignment a, Creation.Launch l) throws Exception {
        if (!docker.imageExists(l.image())) throw new ImageMissing(l.image());
        PodUnit unit = l.unit();
        if (unit.kind() == PodUnit.Kind.INFRA || !PodConfigs.uses(a)) return docker.create(a, unit, l.infraId());
        // the values live only here and in the container: never in a status, a log or a record
        PodConfigs.Resolved ok = resolveConfigs(a);
        docker.writeConfigFiles(a.getTaskId(), ok.files());
        PodUnit resolved = PodUnit.of(ok.assignment()).stream().filter(u -> u.key().equals(unit.key())).findFirst().orElseThrow();
        return docker.create(ok.assignment(), resolved, l.infraId());
    }

    /** The pod's Secrets and ConfigMaps, or {@link ConfigMissing} with the kubelet's message. */
    private PodConfigs.Resolved resolveConfigs(Assignment a) {
        if (configs == null) throw new ConfigMissing("this node reads no Secrets or ConfigMaps");
        PodConfigs.Result res;
        try {
            res = PodConfigs.resolve(a, configs.apply(a.getTaskId()));
        } catch (RuntimeException e) { // the gateway unreachable or refusing, no credential: the message says which
            throw new ConfigMissing(e.getMessage());
        }
        if (res instanceof PodConfigs.Missing m) throw new ConfigMissing(m.message());
        return (PodConfigs.Resolved) res;
    }

    /** The FAILED reason of a failed create: ErrImagePull, CreateContainerConfigError or CreateContainerError. */
    static String reason(Throwable err) {
        if (err instanceof ImageMissing) return TaskReason.ERR_IMAGE_PULL.text();
        if (err instanceof ConfigMissing || err instanceof SecurityContexts.ConfigError) return TaskReason.CREATE_CONTAINER_CONFIG_ERROR.text();
        return TaskReason.CREATE_CONTAINER_ERROR.text();
    }

    /** The FAILED message of a failed create or start. */
    static String message(Throwable err) {
        return err instanceof ImageMissing || err instanceof ConfigMissing ? err.getMessage() : String.valueOf(err.getMessage());
    }

    /** The image is not on this engine; the daemon never pulls. */
    static final class ImageMissing extends RuntimeException {
        ImageMissing(String image) {
            super("image not found locally: " + image);
        }
    }

    /** A Secret or ConfigMap the pod needs is missing: CreateContainerConfigError, retried with back-off like a failed create. */
    static final class ConfigMissing extends RuntimeException {
        ConfigMissing(String message) {
            super(message, null, false, false);
        }
    }
}

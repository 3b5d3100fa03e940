package io.berth.node.config;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.ConfigObject;
import io.berth.schemas.secrets.ConfigsFollower;
import io.berth.schemas.serde.BerthSerdes;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where a pod's Secrets and ConfigMaps come from on a node. ConfigMaps (not secret) are read from
 * {@code berth.configs}, followed into memory. Secrets are not: the node has no key to decrypt them (it
 * never gets one); it asks the gateway, as itself, for the values of the one Secret one pod needs
 * ({@link GatewaySecrets}), and the gateway's Node authorizer answers only for its own pods. Without a
 * node credential a pod that uses a Secret waits with CreateContainerConfigError naming why.
 */
public final class NodeConfigs implements AutoCloseable {
    private final ConfigsFollower follower;
    private final GatewaySecrets secrets;

    /** @param secrets the gateway client of this node (null: the node has no credential, so no Secrets) */
    public NodeConfigs(Properties clientProps, BerthSerdes serdes, GatewaySecrets secrets) {
        this.secrets = secrets;
        this.follower = new ConfigsFollower(clientProps, serdes.value(Topics.CONFIGS).deserializer()).start("berth-node-configs");
    }

    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return follower.awaitCaughtUp(timeout);
    }

    /**
     * On a worker: the lookup of one resolution of pod {@code taskId} (a Secret named several times is asked
     * for once). A Secret the gateway will not give throws {@link GatewaySecrets.Unavailable}.
     */
    public PodConfigs.Lookup lookup(String taskId) {
        Map<String, Optional<Map<String, byte[]>>> asked = new HashMap<>();
        return (kind, namespace, name) -> {
            if (!"Secret".equals(kind)) return follower.get(kind, namespace, name).map(s -> values(s.object()));
            return asked.computeIfAbsent(namespace + "/" + name, k -> secret(namespace, name, taskId));
        };
    }

    private Optional<Map<String, byte[]>> secret(String namespace, String name, String taskId) {
        if (secrets == null) {
            throw new GatewaySecrets.Unavailable("couldn't get secret " + namespace + "/" + name
                    + ": this node has no credential (join-token, node-key or cluster-secret-file) to read Secrets from the gateway with");
        }
        return secrets.get(namespace, name, taskId);
    }

    /** A ConfigMap's values (data as UTF-8, binaryData decoded). */
    static Map<String, byte[]> values(ConfigObject o) {
        Map<String, byte[]> out = new HashMap<>();
        o.getData().forEach((k, v) -> out.put(k, v.getBytes(StandardCharsets.UTF_8)));
        o.getBinaryData().forEach((k, v) -> out.put(k, Base64.getDecoder().decode(v)));
        return out;
    }

    @Override
    public void close() {
        follower.close();
    }
}

package io.berth.node.config;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.ConfigObject;
import io.berth.schemas.secrets.ConfigsFollower;
import io.berth.schemas.secrets.SecretBox;
import io.berth.schemas.serde.BerthSerdes;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The node's view of {@code berth.configs}: every Secret and ConfigMap as stored (encrypted), and a
 * {@link PodConfigs.Lookup} that decrypts a Secret's values only when a pod this node runs asks for
 * them. Without a key ({@code secrets-key-file} or the key handed over at join) a pod that uses a
 * Secret waits with CreateContainerConfigError naming why.
 */
public final class NodeConfigs implements AutoCloseable {
    private final ConfigsFollower follower;
    private final SecretBox box;

    public NodeConfigs(Properties clientProps, BerthSerdes serdes, SecretBox box) {
        this.box = box;
        this.follower = new ConfigsFollower(clientProps, serdes.value(Topics.CONFIGS).deserializer()).start("berth-node-configs");
    }

    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return follower.awaitCaughtUp(timeout);
    }

    /** On a worker: decrypts. */
    public PodConfigs.Lookup lookup() {
        return (kind, namespace, name) -> follower.get(kind, namespace, name).map(s -> values(s.object()));
    }

    Map<String, byte[]> values(ConfigObject o) {
        Map<String, byte[]> out = new HashMap<>();
        if ("Secret".equals(o.getKind())) {
            if (box == null) throw new IllegalStateException("secret \"" + o.getName() + "\": this node has no Secret key ("
                    + SecretBox.CONFIG_KEY + ", or join with a token)");
            o.getData().forEach((k, v) -> out.put(k, box.decrypt(v, SecretBox.context(o.getNamespace(), o.getName(), k))));
        } else {
            o.getData().forEach((k, v) -> out.put(k, v.getBytes(StandardCharsets.UTF_8)));
            o.getBinaryData().forEach((k, v) -> out.put(k, Base64.getDecoder().decode(v)));
        }
        return out;
    }

    public Optional<ConfigObject> get(String kind, String namespace, String name) {
        return follower.get(kind, namespace, name).map(ConfigsFollower.Stored::object);
    }

    @Override
    public void close() {
        follower.close();
    }
}

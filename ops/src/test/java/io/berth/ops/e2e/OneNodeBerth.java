package io.berth.ops.e2e;

import io.berth.ops.AllInOne;
import io.berth.ops.TestSupport;
import io.berth.ops.kafka.EmbeddedKafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * {@code berth up} in-process (broker, control plane, gateway with the kubeconfig in {@link #dir}) and its own node
 * daemon on the real Docker engine, as the stock-kubectl end-to-end tests use it. Closing it stops all of it,
 * removes the node's containers (by label) and deletes the data directory, also when the start failed.
 */
final class OneNodeBerth implements AutoCloseable {
    final Path dir;
    final String node;
    final AllInOne up;

    private OneNodeBerth(Path dir, String node, AllInOne up) {
        this.dir = dir;
        this.node = node;
        this.up = up;
    }

    /** Single replicas, no mesh, plus {@code settings} (e.g. faster stats for a test). */
    static OneNodeBerth start(String dirPrefix, String nodePrefix, Map<String, String> settings) throws Exception {
        Path dir = Files.createTempDirectory(dirPrefix);
        String node = nodePrefix + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> all = new HashMap<>(Map.of("replication-factor", "1", "mesh", "false"));
        all.putAll(settings);
        OneNodeBerth b = new OneNodeBerth(dir, node, new AllInOne(new AllInOne.Options(dir, "127.0.0.1", EmbeddedKafka.freePort("127.0.0.1"),
                EmbeddedKafka.freePort("127.0.0.1"), EmbeddedKafka.freePort("127.0.0.1"), null, true, node, all)));
        try {
            b.up.start();
        } catch (Exception | Error e) {
            b.close();
            throw e;
        }
        return b;
    }

    static OneNodeBerth start(String dirPrefix, String nodePrefix) throws Exception {
        return start(dirPrefix, nodePrefix, Map.of());
    }

    @Override
    public void close() throws Exception {
        try {
            up.close();
        } finally {
            Docker.removeContainersOfNode(node);
            TestSupport.deleteTree(dir);
        }
    }
}

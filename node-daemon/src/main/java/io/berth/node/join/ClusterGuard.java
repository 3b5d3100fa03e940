package io.berth.node.join;

import org.apache.kafka.common.ClusterResource;
import org.apache.kafka.common.ClusterResourceListener;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Watches every (re)connection of the daemon's Kafka clients for another cluster (issue 13). Kafka hands
 * the cluster id of each metadata update to the {@link ClusterResourceListener}s among a client's
 * (de)serializers, so the daemon's producer and its assignment consumer carry this guard's key
 * (de)serializers: the first metadata from a broker of another cluster (a fresh {@code berth up} on the
 * same address) trips it, before a record of that cluster is handed to the reconciler and before a
 * record of this node is written there.
 */
public final class ClusterGuard {
    private final String expected;
    private final Consumer<String> onMismatch;
    private final AtomicBoolean tripped = new AtomicBoolean();
    private volatile String seen;

    /**
     * @param expected   the cluster id the node joined
     * @param onMismatch called once, on a thread of its own, with the other cluster's id
     */
    public ClusterGuard(String expected, Consumer<String> onMismatch) {
        this.expected = expected;
        this.onMismatch = onMismatch;
    }

    /** A guard that never trips (fixtures without a cluster id). */
    public static ClusterGuard none() {
        return new ClusterGuard(null, id -> {});
    }

    public boolean tripped() {
        return tripped.get();
    }

    /** The other cluster's id once tripped, else null. */
    public String seen() {
        return seen;
    }

    /** A metadata update named {@code clusterId}. */
    public void observe(String clusterId) {
        if (expected == null || clusterId == null || expected.equals(clusterId)) return;
        seen = clusterId;
        if (!tripped.compareAndSet(false, true)) return;
        Thread t = new Thread(() -> onMismatch.accept(clusterId), "berth-cluster-guard"); // never on a client's network thread
        t.setDaemon(true);
        t.start();
    }

    /** A key serializer that reports the producer's metadata updates. */
    public StringSerializer keySerializer() {
        return new Ser();
    }

    /** A key deserializer that reports the consumer's metadata updates. */
    public StringDeserializer keyDeserializer() {
        return new Deser();
    }

    private final class Ser extends StringSerializer implements ClusterResourceListener {
        @Override
        public void onUpdate(ClusterResource r) {
            observe(r.clusterId());
        }
    }

    private final class Deser extends StringDeserializer implements ClusterResourceListener {
        @Override
        public void onUpdate(ClusterResource r) {
            observe(r.clusterId());
        }
    }
}

package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.deadletter.DeadLetters;
import io.berth.state.core.TaskNames;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The HorizontalPodAutoscaler's input from the node daemons' usage samples (berth.node-stats, keyed by node id,
 * signed by the node): {@link Split} turns each record into one single-pod record per pod, keyed by the pod's owner
 * workload (a pod of a Deployment is {@code <workload>-<hash>-<suffix>}, {@link TaskNames#ownerOf}; a pod without that
 * shape has no owner to scale and is skipped), so that after a repartition the workload controller keeps each task's
 * latest sample in {@link StateStreamsTopology#POD_USAGE_STORE}: a short string, one put per pod per stats period.
 */
final class PodUsage {
    private PodUsage() {}

    /** A task's latest sample: when the controller read it (record time), CPU in millicores, memory working set in bytes. */
    record Sample(long atMillis, long cpuMilli, long memoryBytes) {
        String encode() {
            return atMillis + " " + cpuMilli + " " + memoryBytes;
        }

        static Optional<Sample> decode(String s) {
            if (s == null) return Optional.empty();
            String[] p = s.split(" ");
            try {
                return p.length == 3 ? Optional.of(new Sample(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2]))) : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }

        /** From a single-pod NodeStats: the sum over its containers (Kubernetes' pod metrics are the containers' sum). */
        static Sample of(NodeStats s, long at) {
            long cpuNano = 0;
            long mem = 0;
            for (PodStats p : s.getPods()) {
                for (ContainerStats c : p.getContainers()) {
                    cpuNano += Math.max(0, c.getCpuNanoCores());
                    mem += Math.max(0, c.getMemoryWorkingSetBytes());
                }
            }
            return new Sample(at, cpuNano / 1_000_000, mem);
        }
    }

    /** Keeps a single-pod sample as its task's latest; a sample older than the kept one changes nothing. */
    static void keep(KeyValueStore<String, String> store, NodeStats single, long at) {
        if (single.getPods().size() != 1) return;
        String taskId = single.getPods().get(0).getTaskId();
        if (taskId == null || taskId.isEmpty()) return;
        Optional<Sample> was = Sample.decode(store.get(taskId));
        if (was.isPresent() && was.get().atMillis() > at) return;
        store.put(taskId, Sample.of(single, at).encode());
    }

    /** The latest sample of a task, if any. */
    static Optional<Sample> of(KeyValueStore<String, String> store, String taskId) {
        return Sample.decode(store.get(taskId));
    }

    /**
     * berth.node-stats → one record per owned pod keyed by its owner's workload key; a record not signed by its
     * node (when signatures are on) goes to the dead letters, never into a decision.
     */
    static final class Split extends ContextualProcessor<String, NodeStats, String, SpecificRecord> {
        private final NodeSignatures signatures;
        private final Function<NodeStats, byte[]> encode;

        Split(NodeSignatures signatures, Function<NodeStats, byte[]> encode) {
            this.signatures = signatures;
            this.encode = encode;
        }

        @Override
        public void process(Record<String, NodeStats> r) {
            NodeStats s = r.value();
            if (s == null || s.getNodeId() == null) return;
            Optional<String> problem = signatures.problem(Topics.NODE_STATS.name(), r.key(), r.headers(), s.getNodeId());
            if (problem.isPresent()) {
                RecordMetadata m = context().recordMetadata().orElse(null);
                DeadLetter dl = DeadLetters.of(Topics.NODE_STATS.name(), m == null ? -1 : m.partition(), m == null ? -1 : m.offset(),
                        r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8), encode.apply(s),
                        "node stats refused: " + problem.get(), null, StateStreamsTopology.APPLICATION_ID, r.timestamp());
                context().forward(new Record<String, SpecificRecord>(r.key(), dl, r.timestamp()));
                return;
            }
            for (PodStats p : s.getPods()) {
                if (p.getPodName() == null || p.getNamespace() == null || p.getTaskId() == null) continue;
                Optional<String> owner = TaskNames.ownerOf(p.getPodName());
                if (owner.isEmpty()) continue;
                NodeStats single = NodeStats.newBuilder(s).setPods(List.of(p)).setCpuNanoCores(0).setMemoryWorkingSetBytes(0).build();
                String key = Topics.resourceKey(p.getNamespace(), ResourceKind.DEPLOYMENT, owner.get());
                context().forward(new Record<String, SpecificRecord>(key, single, r.timestamp()));
            }
        }
    }
}

package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.EndpointsView;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.TaskView;
import io.berth.schemas.avro.Tick;
import io.berth.schemas.avro.WorkloadView;
import io.berth.state.core.ServiceEndpoints;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The endpoints sub-topology: service views and task views, both read back from their view topics
 * and re-partitioned into single-partition topics ({@code services-for-endpoints},
 * {@code tasks-for-endpoints}; keys kept, tombstones kept), meet in ONE {@link EndpointsProcessor}
 * task, which therefore sees the whole cluster and is the only allocator of cluster IPs and node
 * ports. It writes berth.state.endpoints (and Warning events, audit records).
 */
final class EndpointsTopology {
    private EndpointsTopology() {}

    private static final PodTemplate NO_TEMPLATE = PodTemplate.newBuilder().build();

    /**
     * What the endpoints controller needs of a task (identity, namespace, labels, phase, readiness,
     * node, pod IP, published ports): the template, container statuses and messages are dropped
     * before the repartition, so the single-partition topic and the controller's store stay small.
     */
    static TaskView slim(TaskView t) {
        if (t == null) return null;
        return TaskView.newBuilder(t).setTemplate(NO_TEMPLATE).setContainerStatuses(java.util.List.of()).setMessage("").setReason("").build();
    }

    /**
     * Whether a task view's change can change a Service's endpoints: only what {@link ServiceEndpoints#build}
     * reads counts (namespace, labels, pod name, node, pod IP, published ports, phase, readiness, the stop
     * asked), and only while the task is in a phase that lists it (scheduled or running): a task created
     * PENDING, its container snapshots, messages, restart counts and versions do not. Typically 3 of a task's
     * ~6 view changes pass (scheduled, running, ready), so the single-partition {@code tasks-for-endpoints}
     * topic carries about half as many records. Tombstones always pass (the controller's store drops the task).
     * By phase, not by {@link ServiceEndpoints#listed}: a pod delete marks {@code desiredStop} in the store
     * only, so the {@code before} of the reconcile's TERMINATING write may already carry it.
     */
    static boolean changesEndpoints(TaskView before, TaskView after) {
        if (after == null) return true;
        boolean is = listedPhase(after);
        if (before == null) return is;
        boolean was = listedPhase(before);
        if (was != is) return true;
        if (!is) return false;
        return !(before.getNamespace().equals(after.getNamespace()) && before.getLabels().equals(after.getLabels())
                && before.getPodName().equals(after.getPodName()) && before.getTaskId().equals(after.getTaskId())
                && before.getNodeId().equals(after.getNodeId()) && before.getPodIP().equals(after.getPodIP())
                && before.getPublishedPorts().equals(after.getPublishedPorts()) && before.getPhase() == after.getPhase()
                && before.getReady() == after.getReady() && before.getDesiredStop() == after.getDesiredStop());
    }

    private static boolean listedPhase(TaskView t) {
        return t.getPhase() == io.berth.schemas.avro.TaskPhase.RUNNING || t.getPhase() == io.berth.schemas.avro.TaskPhase.SCHEDULED;
    }

    static void add(StreamsBuilder b, BerthSerdes serdes, StateStreamsTopology.Settings settings, KStream<String, Emit> workloadOut,
                    KStream<String, Tick> ticks) {
        b.addStateStore(Stores.keyValueStoreBuilder(StateStreamsTopology.supplier(StateStreamsTopology.ENDPOINT_TICKS_STORE, settings),
                BerthSerdes.key(), serdes.value(Tick.class)));
        b.addStateStore(Stores.keyValueStoreBuilder(StateStreamsTopology.supplier(StateStreamsTopology.ENDPOINT_SERVICES_STORE, settings),
                BerthSerdes.key(), serdes.value(WorkloadView.class)));
        b.addStateStore(Stores.keyValueStoreBuilder(StateStreamsTopology.supplier(StateStreamsTopology.ENDPOINT_TASKS_STORE, settings),
                BerthSerdes.key(), serdes.value(TaskView.class)));
        b.addStateStore(Stores.keyValueStoreBuilder(StateStreamsTopology.supplier(StateStreamsTopology.ENDPOINTS_STORE, settings),
                BerthSerdes.key(), serdes.value(EndpointsView.class)));

        KStream<String, WorkloadView> services = workloadOut
                .filter((k, e) -> e.topic() == Topics.WORKLOADS && EndpointsProcessor.isServiceKey(k), Named.as("endpoints-tap-services"))
                .mapValues(e -> (WorkloadView) e.value(), Named.as("endpoints-cast-services"))
                .repartition(Repartitioned.with(BerthSerdes.key(), serdes.value(WorkloadView.class))
                        .withName("services-for-endpoints").withNumberOfPartitions(1));
        KStream<String, TaskView> tasks = workloadOut
                .filter((k, e) -> e.topic() == Topics.TASKS && e.forEndpoints(), Named.as("endpoints-tap-tasks"))
                .mapValues(e -> slim((TaskView) e.value()), Named.as("endpoints-slim-tasks"))
                .repartition(Repartitioned.with(BerthSerdes.key(), serdes.value(TaskView.class))
                        .withName("tasks-for-endpoints").withNumberOfPartitions(1));
        // only ticks that carry a node list (on change, else once a minute per partition) matter here
        KStream<String, Tick> nodeTicks = ticks
                .filter((k, t) -> t.getNodes() != null, Named.as("endpoints-tap-node-ticks"))
                .repartition(Repartitioned.with(BerthSerdes.key(), serdes.value(Tick.class))
                        .withName("ticks-for-endpoints").withNumberOfPartitions(1));
        KStream<String, Emit> out = StateStreamsTopology.generic(services).merge(StateStreamsTopology.generic(tasks), Named.as("endpoint-inputs"))
                .merge(StateStreamsTopology.generic(nodeTicks), Named.as("endpoint-inputs-with-ticks"))
                .process(EndpointsProcessor::new, Named.as("endpoint-controller"),
                        StateStreamsTopology.ENDPOINT_SERVICES_STORE, StateStreamsTopology.ENDPOINT_TASKS_STORE, StateStreamsTopology.ENDPOINTS_STORE,
                        StateStreamsTopology.ENDPOINT_TICKS_STORE);
        StateStreamsTopology.sink(out, Topics.ENDPOINTS, serdes, "endpoints");
        StateStreamsTopology.sink(out, Topics.EVENTS, serdes, "endpoints");
        StateStreamsTopology.sink(out, Topics.AUDIT, serdes, "endpoints");
        StateStreamsTopology.sink(out, Topics.DEAD_LETTERS, serdes, "endpoints");
    }
}

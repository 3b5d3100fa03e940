package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.audit.Actors;
import io.berth.schemas.serde.AvroJson;
import io.berth.schemas.avro.*;
import io.berth.state.core.ServiceAllocator;
import io.berth.state.core.ServiceEndpoints;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.*;

/**
 * The endpoints controller. It sees every service view (berth.state.workloads, kind SERVICE) and
 * every task view (berth.state.tasks) of the cluster on ONE partition (both re-partitioned to a
 * single-partition topic upstream), so it is the single writer of cluster IPs and node ports.
 *
 * <p>In memory it keeps an index by namespace (services, pods) rebuilt from its stores at start;
 * a pod change recomputes only the services of its namespace whose selector matches the pod (before
 * or after the change), a service change only that service, and an {@link EndpointsView} is written
 * only when it differs from the last one written. Node addresses come from the {@link Tick}s that
 * carry a node list (re-partitioned here from berth.ticks, {@code ticks-for-endpoints}); when one
 * changed, everything is recomputed. Time is the input's timestamp, so a replay decides the same.
 */
final class EndpointsProcessor extends ContextualProcessor<String, SpecificRecord, String, Emit> {
    static final String ACTOR = "endpoint-controller";

    private static final String NODES_KEY = "nodes";
    private KeyValueStore<String, WorkloadView> services;
    private KeyValueStore<String, TaskView> tasks;
    private KeyValueStore<String, EndpointsView> endpoints;
    /** The last tick with a node list (key {@value #NODES_KEY}). */
    private KeyValueStore<String, Tick> nodes;
    private Outputs out;
    private final ServiceAllocator allocator = new ServiceAllocator();
    private final Map<String, Set<String>> servicesByNs = new HashMap<>();
    private final Map<String, Map<String, TaskView>> podsByNs = new HashMap<>();
    private final Map<String, WorkloadView> serviceViews = new HashMap<>();
    private Map<String, String> nodeAddresses = new HashMap<>();

    EndpointsProcessor() {
    }

    /** Service view keys are {@code ns/service/name}; task ids (pod names) never contain a slash. */
    static boolean isServiceKey(String key) {
        return key != null && key.contains("/service/");
    }

    @Override
    public void init(ProcessorContext<String, Emit> context) {
        super.init(context);
        services = context.getStateStore(StateStreamsTopology.ENDPOINT_SERVICES_STORE);
        tasks = context.getStateStore(StateStreamsTopology.ENDPOINT_TASKS_STORE);
        endpoints = context.getStateStore(StateStreamsTopology.ENDPOINTS_STORE);
        nodes = context.getStateStore(StateStreamsTopology.ENDPOINT_TICKS_STORE);
        out = new Outputs(context, StateStreamsTopology.APPLICATION_ID);
        // the stores are restored before init: rebuild the indexes and the allocator from them
        try (KeyValueIterator<String, WorkloadView> it = services.all()) {
            it.forEachRemaining(kv -> indexService(kv.key, kv.value));
        }
        try (KeyValueIterator<String, TaskView> it = tasks.all()) {
            it.forEachRemaining(kv -> podsByNs.computeIfAbsent(kv.value.getNamespace(), n -> new HashMap<>()).put(kv.key, kv.value));
        }
        try (KeyValueIterator<String, EndpointsView> it = endpoints.all()) {
            it.forEachRemaining(kv -> allocator.restore(kv.key, kv.value.getClusterIP(), kv.value.getPorts()));
        }
        nodeAddresses = readNodeAddresses();
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        String key = record.key();
        if (key == null) return;
        long now = record.timestamp();
        out.observe(record);
        if (record.value() instanceof Tick t) {
            checkNodes(t, now);
        } else if (isServiceKey(key)) {
            WorkloadView w = record.value() instanceof WorkloadView v ? v : null;
            if (w == null || w.getDeleted() || w.getService() == null) serviceGone(key, now);
            else serviceChanged(key, w, now);
        } else {
            taskChanged(key, record.value() instanceof TaskView t ? t : null, now);
        }
    }

    // ---- services ----

    private void serviceChanged(String key, WorkloadView w, long now) {
        services.put(key, w);
        indexService(key, w);
        recompute(key, w.getLastIntentId(), now);
    }

    private void serviceGone(String key, long now) {
        WorkloadView w = serviceViews.remove(key);
        if (w != null) {
            Set<String> inNs = servicesByNs.get(w.getNamespace());
            if (inNs != null) inNs.remove(key);
        }
        services.delete(key);
        allocator.release(key);
        EndpointsView last = endpoints.get(key);
        if (last == null) return;
        endpoints.delete(key);
        EndpointsView gone = EndpointsView.newBuilder(last).setEndpoints(List.of()).setDeleted(true)
                .setResourceVersion(Long.toString(version(last) + 1)).build();
        out.put(Topics.ENDPOINTS, key, gone, now);  // proxies see an explicit deletion, then compaction drops the key
        out.auditView(auditKey(last), "EndpointsChanged", Actors.ENDPOINTS_CONTROLLER, "", last, gone, "service deleted: no endpoints", now);
        out.tombstone(Topics.ENDPOINTS, key, now);
        out.auditView(auditKey(last), "EndpointsDeleted", Actors.ENDPOINTS_CONTROLLER, "", gone, null, "endpoints removed with their service", now);
    }

    private void indexService(String key, WorkloadView w) {
        WorkloadView before = serviceViews.put(key, w);
        if (before != null && !before.getNamespace().equals(w.getNamespace())) {
            Set<String> old = servicesByNs.get(before.getNamespace());
            if (old != null) old.remove(key);
        }
        servicesByNs.computeIfAbsent(w.getNamespace(), n -> new TreeSet<>()).add(key);
    }

    // ---- tasks ----

    private void taskChanged(String taskId, TaskView after, long now) {
        TaskView before = tasks.get(taskId);
        if (after == null) {
            if (before == null) return;
            tasks.delete(taskId);
            Map<String, TaskView> pods = podsByNs.get(before.getNamespace());
            if (pods != null) pods.remove(taskId);
        } else {
            tasks.put(taskId, after);
            podsByNs.computeIfAbsent(after.getNamespace(), n -> new HashMap<>()).put(taskId, after);
        }
        String ns = after != null ? after.getNamespace() : before.getNamespace();
        for (String key : List.copyOf(servicesByNs.getOrDefault(ns, Set.of()))) {
            Map<String, String> selector = serviceViews.get(key).getService().getSelector();
            boolean concerned = (after != null && ServiceEndpoints.selects(selector, after.getLabels()))
                    || (before != null && ServiceEndpoints.selects(selector, before.getLabels()));
            if (concerned) recompute(key, "", now);
        }
    }

    // ---- the view ----

    /** @param intentId the intent behind this recompute (a service change), "" for pods and node addresses */
    private void recompute(String key, String intentId, long now) {
        WorkloadView w = serviceViews.get(key);
        if (w == null) return;
        ServiceSpec spec = w.getService();
        ServiceAllocator.Allocation a = allocator.allocate(key, spec);
        Collection<TaskView> pods = podsByNs.getOrDefault(w.getNamespace(), Map.of()).values();
        List<Endpoint> eps = ServiceEndpoints.build(spec.getSelector(), a.ports(), pods, this::nodeAddress);
        String type = "LoadBalancer".equals(spec.getType()) ? "NodePort" : spec.getType();
        EndpointsView last = endpoints.get(key);
        EndpointsView next = EndpointsView.newBuilder().setKey(key).setNamespace(w.getNamespace()).setName(w.getName())
                .setEndpoints(eps).setClusterIP(a.clusterIP()).setType(type).setPorts(a.ports()).setDeleted(false)
                .setResourceVersion(last == null ? "1" : last.getResourceVersion()).build();
        if (next.equals(last)) return;
        if (last != null) next.setResourceVersion(Long.toString(version(last) + 1));
        endpoints.put(key, next);
        out.put(Topics.ENDPOINTS, key, next, now);
        out.auditView(auditKey(next), "EndpointsChanged", Actors.ENDPOINTS_CONTROLLER, intentId, last, next,
                membership(last, next), now);
        boolean allocationChanged = last == null || !last.getClusterIP().equals(next.getClusterIP()) || !last.getPorts().equals(next.getPorts());
        if (allocationChanged) {
            // not a view of its own: the allocation is part of the endpoints view (after = that view, no view type)
            out.audit(key, "ServiceAllocated", Actors.ENDPOINTS_CONTROLLER, intentId, null, AvroJson.encode(next),
                    "clusterIP " + next.getClusterIP() + nodePorts(next.getPorts()), now);
            for (String warning : a.warnings()) {
                out.event(Events.of(Events.WARNING, "Service", w.getNamespace(), w.getName(), key, "FailedAllocation", warning, ACTOR), now);
            }
        }
    }

    /** The audit key of a service's endpoints: {@code ns/endpoints/name} (the view topic keys them by the service key). */
    static String auditKey(EndpointsView v) {
        return v.getNamespace() + "/endpoints/" + v.getName();
    }

    /** {@code 2 endpoints (+web-a, -web-b)}: who joined and who left. */
    private static String membership(EndpointsView last, EndpointsView next) {
        Set<String> was = new TreeSet<>(), is = new TreeSet<>();
        if (last != null) last.getEndpoints().forEach(e -> was.add(e.getPodName() + (e.getReady() ? "" : " (not ready)")));
        next.getEndpoints().forEach(e -> is.add(e.getPodName() + (e.getReady() ? "" : " (not ready)")));
        StringBuilder b = new StringBuilder().append(next.getEndpoints().size()).append(" endpoints");
        List<String> diff = new ArrayList<>();
        is.stream().filter(e -> !was.contains(e)).forEach(e -> diff.add("+" + e));
        was.stream().filter(e -> !is.contains(e)).forEach(e -> diff.add("-" + e));
        return diff.isEmpty() ? b.toString() : b.append(" (").append(String.join(", ", diff)).append(')').toString();
    }

    private static String nodePorts(List<ServicePort> ports) {
        StringBuilder b = new StringBuilder();
        for (ServicePort p : ports) if (p.getNodePort() != 0) b.append(b.length() == 0 ? ", nodePorts " : ",").append(p.getPort()).append(':').append(p.getNodePort());
        return b.toString();
    }

    private static long version(EndpointsView v) {
        try {
            return Long.parseLong(v.getResourceVersion());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    // ---- node addresses ----

    private void checkNodes(Tick t, long now) {
        if (t.getNodes() == null) return;
        nodes.put(NODES_KEY, t);
        Map<String, String> current = readNodeAddresses();
        if (current.equals(nodeAddresses)) return;
        nodeAddresses = current;
        for (String key : List.copyOf(serviceViews.keySet())) recompute(key, "", now);
    }

    /** A node no tick has listed yet has no address (the tick that lists it recomputes everything). */
    private String nodeAddress(String nodeId) {
        if (nodeId == null || nodeId.isEmpty()) return "";
        return nodeAddresses.getOrDefault(nodeId, "");
    }

    private Map<String, String> readNodeAddresses() {
        Map<String, String> m = new HashMap<>();
        Tick t = nodes.get(NODES_KEY);
        if (t != null && t.getNodes() != null) t.getNodes().forEach(n -> m.put(n.getId(), n.getAddress()));
        return m;
    }
}

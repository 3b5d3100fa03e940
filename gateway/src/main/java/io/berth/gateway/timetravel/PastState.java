package io.berth.gateway.timetravel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.view.KubeObjects;
import io.berth.schemas.serde.AvroJson;
import io.berth.schemas.avro.*;
import org.apache.avro.specific.SpecificRecord;

import java.util.*;

/**
 * The cluster as it was at one instant, rendered exactly as the live {@code ViewCache} renders the
 * view topics (same {@link KubeObjects} calls, a pod with its node's address, a Service with its
 * allocation, Endpoints with their Service's creation time). Objects carry no resourceVersion: a
 * past object is not a version one can write against. Pure: built from decoded views.
 */
public final class PastState {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One object of then, serialized once (lists concatenate these strings, as live lists do). */
    public record Item(String kind, String namespace, String name, ObjectNode object, String json) {}

    private final long at;
    private final List<Item> items;

    private PastState(long at, List<Item> items) {
        this.at = at;
        this.items = items;
    }

    /** Renders the folded views; an {@code after} that cannot be decoded is skipped (and counted in {@code skipped}). */
    public static PastState render(long at, Collection<AuditFold.Latest> latest, List<String> skipped) {
        List<SpecificRecord> views = new ArrayList<>();
        for (AuditFold.Latest l : latest) {
            try {
                views.add(AvroJson.<SpecificRecord>decode(l.viewType(), l.after()));
            } catch (IllegalArgumentException e) {
                skipped.add(e.getMessage());
            }
        }
        return of(at, views);
    }

    /** Renders views (what the audit's {@code after} decodes to). Deleted workload/endpoint views are absent, as live. */
    public static PastState of(long at, List<SpecificRecord> views) {
        Map<String, NodeView> nodes = new HashMap<>();
        Map<String, EndpointsView> allocations = new HashMap<>();
        Map<String, WorkloadView> workloads = new HashMap<>();
        for (SpecificRecord v : views) {
            if (v instanceof NodeView n) nodes.put(n.getNodeId(), n);
            if (v instanceof EndpointsView e && !e.getDeleted()) allocations.put(e.getKey(), e);
            if (v instanceof WorkloadView w && !w.getDeleted()) workloads.put(w.getKey(), w);
        }
        List<Item> items = new ArrayList<>();
        for (SpecificRecord v : views) {
            ObjectNode o = null;
            if (v instanceof NodeView n) o = KubeObjects.node(n);
            else if (v instanceof TaskView t) o = KubeObjects.pod(t, nodes, key -> workloads.containsKey(key) ? workloads.get(key).getUid() : "");
            else if (v instanceof WorkloadView w && !w.getDeleted()) {
                o = switch (w.getKind()) {
                    case DEPLOYMENT -> KubeObjects.deployment(w);
                    case DAEMONSET -> KubeObjects.daemonSet(w);
                    case STATEFULSET -> KubeObjects.statefulSet(w);
                    case JOB -> KubeObjects.job(w, key -> workloads.containsKey(key) ? workloads.get(key).getUid() : "");
                    case CRONJOB -> KubeObjects.cronJob(w, key -> workloads.containsKey(key) ? workloads.get(key).getUid() : "");
                    case SERVICE -> KubeObjects.service(w, allocations.get(w.getKey()));
                    case NAMESPACE -> KubeObjects.namespace(w);
                    default -> minimal("BerthWorkload", w.getNamespace(), w.getName());
                };
            } else if (v instanceof EndpointsView e && !e.getDeleted()) {
                WorkloadView svc = workloads.get(e.getKey());
                o = KubeObjects.endpoints(e, svc == null ? 0 : svc.getCreatedAt());
            }
            if (o == null) continue;
            ObjectNode meta = (ObjectNode) o.path("metadata");
            meta.remove("resourceVersion");
            items.add(new Item(o.path("kind").asText(), meta.path("namespace").asText(""), meta.path("name").asText(""), o, toJson(o)));
        }
        items.sort(Comparator.comparing(Item::kind).thenComparing(Item::namespace).thenComparing(Item::name));
        return new PastState(at, List.copyOf(items));
    }

    public long at() {
        return at;
    }

    public List<Item> items() {
        return items;
    }

    /** The objects of one kind ({@code Pod}, {@code Deployment}…), all namespaces when {@code namespace} is null. */
    public List<Item> list(String kind, String namespace) {
        return items.stream().filter(i -> i.kind.equals(kind) && (namespace == null || namespace.equals(i.namespace))).toList();
    }

    public Optional<Item> get(String kind, String namespace, String name) {
        return list(kind, namespace).stream().filter(i -> i.name.equals(name)).findFirst();
    }

    private static ObjectNode minimal(String kind, String ns, String name) {
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("apiVersion", "v1").put("kind", kind);
        o.putObject("metadata").put("name", name).put("namespace", ns);
        return o;
    }

    static String toJson(ObjectNode o) {
        try {
            return MAPPER.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.berth.schemas.audit;

import io.berth.schemas.avro.Intent;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;

/**
 * Who caused a change, as the audit log names it: {@code user:<name>} or {@code api:<name>} (the
 * gateway puts its authenticated identity on {@link Intent#getActor()}), {@code node/<id>} for a
 * node's reports, {@code controller/<name>} for a controller's own decisions, and
 * {@code external:<client id>} for a record produced from outside without an actor (client id
 * from the {@link #CLIENT_ID_HEADER} header, else {@code external:unknown}).
 */
public final class Actors {
    /** Header an external producer sets to name itself (its Kafka client.id, by convention). */
    public static final String CLIENT_ID_HEADER = "berth.client-id";
    public static final String WORKLOAD_CONTROLLER = controller("workload");
    public static final String NODE_CONTROLLER = controller("node");
    public static final String ENDPOINTS_CONTROLLER = controller("endpoints");
    public static final String SCHEDULER = controller("scheduler");

    private Actors() {}

    public static String controller(String name) {
        return "controller/" + name;
    }

    public static String node(String nodeId) {
        return "node/" + nodeId;
    }

    /** The intent's own actor, or the producer's client id when it has none. */
    public static String of(Intent i, Headers headers) {
        String actor = i == null ? null : i.getActor();
        return actor == null || actor.isBlank() ? external(headers) : actor;
    }

    /** {@code external:<berth.client-id header>}, or {@code external:unknown} without one. */
    public static String external(Headers headers) {
        Header h = headers == null ? null : headers.lastHeader(CLIENT_ID_HEADER);
        String id = h == null || h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8).strip();
        return "external:" + (id.isEmpty() ? "unknown" : id);
    }

    /** The actor a dead letter is credited to: the external producer if it named itself, else the component that refused it. */
    public static String ofDeadLetter(Headers headers, String component) {
        Header h = headers == null ? null : headers.lastHeader(CLIENT_ID_HEADER);
        return h != null ? external(headers) : controller(component == null || component.isEmpty() ? "unknown" : component);
    }
}

package io.berth.gateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.schemas.avro.AuditRecord;
import org.apache.avro.generic.GenericData;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * An {@link AuditRecord} as the API serves it (pure):
 * {@code {time, resource{kind, namespace, name, key}, change, actor, cause{topic, partition, offset,
 * intentId, text}, message, before, after, viewType, placement, metadata{resourceVersion}}}.
 * {@code before}/{@code after} are the record's JSON parsed (the raw text if it is not JSON);
 * records written before the resource's namespace and name were recorded get them from the key.
 */
public final class AuditItems {
    private AuditItems() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** RFC 3339 in UTC, always with milliseconds: {@code 2026-12-03T23:10:04.123Z}. */
    public static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** The time of a record: its own timestamp, else (older records) the Kafka record's. */
    public static long time(AuditRecord a, long recordTimestamp) {
        return a.getTimestamp() > 0 ? a.getTimestamp() : recordTimestamp;
    }

    public static ObjectNode item(AuditRecord a, long recordTimestamp, String resourceVersion) {
        ObjectNode o = NODES.objectNode();
        o.put("time", TIME.format(Instant.ofEpochMilli(time(a, recordTimestamp))));
        ObjectNode r = o.putObject("resource");
        String key = a.getKey();
        String[] parts = key.split("/", 3);
        boolean fromKey = a.getName().isEmpty() && parts.length == 3;
        r.put("kind", fromKey || a.getKind().isEmpty() ? (parts.length == 3 ? parts[1] : a.getKind()) : a.getKind());
        r.put("namespace", fromKey ? parts[0] : a.getNamespace());
        r.put("name", fromKey ? parts[2] : a.getName());
        r.put("key", key);
        o.put("change", a.getChange());
        o.put("actor", a.getActor());
        ObjectNode cause = o.putObject("cause");
        cause.put("topic", a.getCauseTopic());
        cause.put("partition", a.getCausePartition());
        cause.put("offset", a.getCauseOffset());
        cause.put("intentId", a.getIntentId());
        cause.put("text", a.getCause());
        o.put("message", a.getMessage());
        o.set("before", json(a.getBefore()));
        o.set("after", json(a.getAfter()));
        o.put("viewType", a.getViewType());
        o.set("placement", a.getPlacement() == null ? NODES.nullNode() : json(GenericData.get().toString(a.getPlacement())));
        if (resourceVersion != null) o.putObject("metadata").put("resourceVersion", resourceVersion);
        return o;
    }

    private static JsonNode json(CharSequence text) {
        if (text == null) return NODES.nullNode();
        String s = text.toString();
        try {
            JsonNode n = JSON.readTree(s);
            return n == null ? NODES.textNode(s) : n;
        } catch (IOException e) {
            return NODES.textNode(s);
        }
    }
}

package io.berth.gateway.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.schemas.Topics;
import io.berth.schemas.service.PartitionFollower;
import io.berth.schemas.avro.AuditRecord;
import io.berth.schemas.avro.RbacObject;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * RBAC objects on the log: writes go to the compacted {@code berth.rbac} (key {@code kind/namespace/name},
 * a tombstone deletes) with an audit record each; every gateway reads the whole topic at start and
 * follows it on one thread, rebuilding the immutable {@link Policy} after each batch. A write answers
 * once this gateway's reader has passed it (read-your-writes), so the next request is authorized by it.
 */
public final class RbacStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RbacStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TopicPartition PARTITION = new TopicPartition(Topics.RBAC.name(), 0);

    /** An object as stored, with the offset that wrote it (its resourceVersion). */
    public record Stored(RbacObjects.Parsed parsed, long offset) {
        /** The manifest with {@code metadata.resourceVersion}. */
        public ObjectNode object() {
            ObjectNode o = parsed.manifest().deepCopy();
            o.with("metadata").put("resourceVersion", Long.toString(offset));
            return o;
        }
    }

    private final Properties clientProps;
    private final KafkaProducer<String, byte[]> producer;
    private final Serializer<RbacObject> objectSerializer;
    private final Deserializer<RbacObject> objectDeserializer;
    private final Serializer<AuditRecord> auditSerializer;
    private final Map<String, Stored> objects = new ConcurrentSkipListMap<>();
    private final PartitionFollower follower;
    private volatile Policy policy = Policy.builtIns();

    public RbacStore(Properties clientProps, BerthSerdes serdes) {
        this.clientProps = clientProps;
        this.objectSerializer = serdes.value(Topics.RBAC).serializer();
        this.objectDeserializer = serdes.value(Topics.RBAC).deserializer();
        this.auditSerializer = serdes.value(Topics.AUDIT).serializer();
        producer = io.berth.gateway.ObjectWriter.producer(clientProps, "rbac", Topics.RBAC.name(), Topics.AUDIT.name());
        // the policy is rebuilt after a batch and before the position moves: awaitRead then sees it
        follower = new PartitionFollower(clientProps, PARTITION, this::apply, () -> policy = rebuild());
    }

    public void start() {
        follower.start("berth-gateway-rbac");
    }

    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return follower.awaitCaughtUp(timeout);
    }

    /** The policy as of the last record read. */
    public Policy policy() {
        return policy;
    }

    public Optional<Stored> get(RbacKind kind, String namespace, String name) {
        return Optional.ofNullable(objects.get(kind.key(namespace, name)));
    }

    /** The applied objects of a kind, in a namespace or every one ({@code null}), by namespace and name. */
    public List<Stored> list(RbacKind kind, String namespace) {
        List<Stored> out = new ArrayList<>();
        for (Stored s : objects.values()) {
            if (s.parsed().kind() == kind && (namespace == null || !kind.namespaced || s.parsed().namespace().equals(namespace))) out.add(s);
        }
        out.sort(Comparator.comparing((Stored s) -> s.parsed().namespace()).thenComparing(s -> s.parsed().name()));
        return out;
    }

    /** Writes the object (keeping the uid and creation time of the one it replaces) and its audit record; completes once read back. */
    public CompletableFuture<Stored> put(RbacObjects.Parsed p, String actor, long now) {
        String key = p.kind().key(p.namespace(), p.name());
        Stored before = objects.get(key);
        ObjectNode manifest = p.manifest().deepCopy();
        ObjectNode metadata = manifest.with("metadata");
        metadata.remove("resourceVersion");
        metadata.put("uid", before == null ? UUID.randomUUID().toString() : before.parsed().manifest().path("metadata").path("uid").asText());
        metadata.put("creationTimestamp", before == null ? Instant.ofEpochMilli(now).toString().replaceFirst("\\.\\d+Z$", "Z")
                : before.parsed().manifest().path("metadata").path("creationTimestamp").asText());
        RbacObject value = RbacObject.newBuilder().setKind(p.kind().kind).setNamespace(p.namespace()).setName(p.name())
                .setManifest(manifest.toString()).setActor(actor).setTimestamp(now).build();
        return write(key, objectSerializer.serialize(Topics.RBAC.name(), value))
                .thenCompose(offset -> audit(p.kind(), p.namespace(), p.name(), before == null ? "RbacObjectCreated" : "RbacObjectUpdated",
                        actor, offset, now, before == null ? null : before.parsed().manifest().toString(), manifest.toString()).thenApply(x -> offset))
                .thenCompose(offset -> awaitRead(offset).thenApply(x -> objects.get(key)));
    }

    /** Writes a tombstone and its audit record; completes once read back. */
    public CompletableFuture<Void> delete(Stored s, String actor, long now) {
        RbacObjects.Parsed p = s.parsed();
        return write(p.kind().key(p.namespace(), p.name()), null)
                .thenCompose(offset -> audit(p.kind(), p.namespace(), p.name(), "RbacObjectDeleted", actor, offset, now,
                        p.manifest().toString(), null).thenApply(x -> offset))
                .thenCompose(this::awaitRead);
    }

    private CompletableFuture<Long> write(String key, byte[] value) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(Topics.RBAC.name(), 0, key, value), (md, err) -> {
            if (err != null) f.completeExceptionally(err);
            else f.complete(md.offset());
        });
        return f;
    }

    private CompletableFuture<Void> audit(RbacKind kind, String namespace, String name, String change, String actor, long offset,
                                          long now, String before, String after) {
        String key = namespace + "/" + kind.kind.toLowerCase(java.util.Locale.ROOT) + "/" + name;
        AuditRecord r = AuditRecord.newBuilder().setKey(key).setKind(kind.kind).setChange(change).setActor(actor)
                .setCause(Topics.RBAC.name() + "/0/" + offset).setCauseTopic(Topics.RBAC.name()).setCausePartition(0).setCauseOffset(offset)
                .setMessage(kind.kind + " " + (namespace.isEmpty() ? "" : namespace + "/") + name + " " + change.replace("RbacObject", "").toLowerCase(java.util.Locale.ROOT))
                .setTimestamp(now).setBefore(before).setAfter(after).setNamespace(namespace).setName(name).build();
        CompletableFuture<Void> f = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(Topics.AUDIT.name(), key, auditSerializer.serialize(Topics.AUDIT.name(), r)), (md, err) -> {
            if (err != null) f.completeExceptionally(err);
            else f.complete(null);
        });
        return f;
    }

    /** Completes when the reader's position is past {@code offset}. */
    private CompletableFuture<Void> awaitRead(long offset) {
        return follower.awaitRead(offset);
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            objects.remove(r.key());
            return;
        }
        try {
            RbacObject o = objectDeserializer.deserialize(r.topic(), r.value());
            JsonNode manifest = JSON.readTree(o.getManifest());
            RbacObjects.Parsed parsed = RbacObjects.parse(manifest, o.getNamespace());
            if (!parsed.valid()) {
                log.warn("gateway: skipping invalid RBAC record {} at offset {}: {}", r.key(), r.offset(), parsed.problems());
                return;
            }
            objects.put(r.key(), new Stored(parsed, r.offset()));
        } catch (Exception e) {
            log.warn("gateway: skipping unreadable RBAC record {} at offset {}: {}", r.key(), r.offset(), e.toString());
        }
    }

    private Policy rebuild() {
        List<Role> roles = new ArrayList<>();
        List<Binding> bindings = new ArrayList<>();
        for (Stored s : objects.values()) {
            if (s.parsed().role() != null) roles.add(s.parsed().role());
            if (s.parsed().binding() != null) bindings.add(s.parsed().binding());
        }
        return Policy.of(roles, bindings);
    }

    @Override
    public void close() {
        follower.close();
        producer.close(io.berth.schemas.service.Shutdown.CLIENT_CLOSE);
    }
}

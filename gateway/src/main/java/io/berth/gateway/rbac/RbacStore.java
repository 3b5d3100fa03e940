package io.berth.gateway.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.AuditRecord;
import io.berth.schemas.avro.RbacObject;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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
    private final Map<CompletableFuture<Void>, Long> waiting = new ConcurrentHashMap<>();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile Policy policy = Policy.builtIns();
    private volatile long position;
    private volatile boolean running = true;
    private Thread reader;

    public RbacStore(Properties clientProps, BerthSerdes serdes) {
        this.clientProps = clientProps;
        this.objectSerializer = serdes.value(Topics.RBAC).serializer();
        this.objectDeserializer = serdes.value(Topics.RBAC).deserializer();
        this.auditSerializer = serdes.value(Topics.AUDIT).serializer();
        Properties p = new Properties();
        p.putAll(clientProps);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientProps.getProperty("client.id", "berth-gateway") + "-rbac-writer");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        producer.partitionsFor(Topics.RBAC.name()); // fetch metadata now, so send() never blocks the event loop
        producer.partitionsFor(Topics.AUDIT.name());
    }

    public void start() {
        reader = new Thread(this::follow, "berth-gateway-rbac");
        reader.setDaemon(true);
        reader.start();
    }

    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
        CompletableFuture<Void> f = new CompletableFuture<>();
        waiting.put(f, offset);
        if (position > offset) release();
        return f.orTimeout(30, TimeUnit.SECONDS).whenComplete((x, err) -> waiting.remove(f));
    }

    private void release() {
        long pos = position;
        waiting.forEach((f, offset) -> {
            if (pos > offset && waiting.remove(f) != null) f.complete(null);
        });
    }

    private void follow() {
        Properties p = new Properties();
        p.putAll(clientProps);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientProps.getProperty("client.id", "berth-gateway") + "-rbac");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(PARTITION));
            consumer.seekToBeginning(List.of(PARTITION));
            long end = consumer.endOffsets(List.of(PARTITION), Duration.ofSeconds(30)).get(PARTITION);
            while (running) {
                var records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> r : records) apply(r);
                if (!records.isEmpty()) policy = rebuild();
                position = consumer.position(PARTITION);
                if (position >= end) caughtUp.countDown();
                release();
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            // closing
        } catch (Exception e) {
            log.error("gateway: the RBAC reader stopped; the policy stays as last read", e);
        }
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
        running = false;
        if (reader != null) {
            try {
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        producer.close(Duration.ofSeconds(5));
    }
}

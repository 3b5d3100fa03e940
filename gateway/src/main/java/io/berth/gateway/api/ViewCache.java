package io.berth.gateway.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.ConsumerLoop;
import io.berth.gateway.view.KubeObjects;
import io.berth.schemas.Topic;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.BerthSerdes;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The gateway's read side: the view topics consumed from the beginning by one plain consumer on its
 * own thread (read_committed, no group), kept as rendered Kubernetes objects, with a bounded history
 * of changes per topic for watch resumption. Watchers and read-your-writes waiters are fed from that
 * thread onto their own Vert.x context; the event loop never touches Kafka.
 *
 * <p>Reads never wait on the consumer: the consumer thread applies a whole poll to its own persistent
 * maps ({@link ObjectIndex}, pcollections), then publishes each store's {@link View} (an immutable
 * snapshot: index, objects by key, positions, history) with one volatile write; lists, gets and the
 * other reads take the current view and no lock. A small lock orders only the publication against a
 * watch's registration and a read-your-writes waiter: the consumer publishes, settles waiters and
 * copies the watcher lists under it (no rendering, no decoding), and a watch takes the view and
 * subscribes under it, so a watcher sees every change exactly once: either in its view (replay or
 * snapshot, built outside the lock) or in a later live batch.
 */
public final class ViewCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ViewCache.class);
    /** Events kept for lists (berth.events is a retention topic, not compacted). */
    public static final int MAX_EVENTS = 10_000;
    public static final List<Topic<?>> TOPICS = List.of(Topics.NODES, Topics.WORKLOADS, Topics.TASKS, Topics.ENDPOINTS, Topics.EVENTS);

    /**
     * One change of one object, at its record's position; {@code object.metadata.resourceVersion} resumes
     * after it. {@code frame} is the watch event ({@code {"type":…,"object":…}}) in UTF-8, encoded once
     * when the change is read and written as is to every watcher (WebSocket frame or HTTP line).
     */
    public static final class Change {
        private final int partition;
        private final long offset;
        private final String type, kind, namespace;
        private final Map<String, String> labels;
        private final String name;
        private final byte[] frame;

        public Change(int partition, long offset, String type, String kind, ObjectNode object) {
            this(partition, offset, type, kind, object, eventLine(type, toJson(object)).getBytes(StandardCharsets.UTF_8), 0);
        }

        Change(int partition, long offset, String type, String kind, ObjectNode object, byte[] json, boolean serialized) {
            this(partition, offset, type, kind, object, eventFrame(type, json), 0);
        }

        /** An {@code ADDED} (or other) event of an entry as it is, without parsing its JSON. */
        Change(Entry e, String type) {
            this.partition = e.partition;
            this.offset = e.offset;
            this.type = type;
            this.kind = e.kind;
            this.frame = eventFrame(type, e.bytes());
            this.namespace = e.namespace;
            this.name = e.name;
            this.labels = e.labels;
        }

        /**
         * Keeps the frame and what watch filters need (namespace, name, labels), not the tree: the
         * cache remembers the last {@code gateway-watch-history} changes per topic for resuming
         * watches, and as trees those took ~120 MB of heap at 100,000 pods.
         */
        private Change(int partition, long offset, String type, String kind, ObjectNode object, byte[] frame, int unused) {
            this.partition = partition;
            this.offset = offset;
            this.type = type;
            this.kind = kind;
            this.frame = frame;
            JsonNode md = object.path("metadata");
            this.namespace = md.path("namespace").asText("").intern();
            this.name = md.path("name").asText("");
            this.labels = labelsOf(md);
        }

        public int partition() {
            return partition;
        }

        public long offset() {
            return offset;
        }

        public String type() {
            return type;
        }

        public String kind() {
            return kind;
        }

        public byte[] frame() {
            return frame;
        }

        /** The changed object, parsed from the frame: a fresh tree on every call. */
        public ObjectNode object() {
            try {
                return (ObjectNode) TREE_READER.readTree(frame).get("object");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** Name, namespace and labels only: enough for a label selector, without parsing. */
        public ObjectNode metadataOnly() {
            return ViewCache.metadataOnly(name, namespace, labels);
        }

        /** The event as text, without a line end. */
        public String line() {
            return new String(frame, StandardCharsets.UTF_8);
        }

        public String namespace() {
            return namespace;
        }
    }

    static Map<String, String> labelsOf(JsonNode metadata) {
        JsonNode l = metadata.path("labels");
        if (!l.isObject() || l.isEmpty()) return Map.of();
        Map<String, String> out = new HashMap<>();
        l.fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue().asText()));
        return Map.copyOf(out);
    }

    static ObjectNode metadataOnly(String name, String namespace, Map<String, String> labels) {
        ObjectNode o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        ObjectNode md = o.putObject("metadata").put("name", name).put("namespace", namespace);
        ObjectNode l = md.putObject("labels");
        labels.forEach(l::put);
        return o;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final com.fasterxml.jackson.databind.ObjectReader TREE_READER = MAPPER.reader();

    /** {@code {"type":"ADDED","object":{…}}}, serialized once per change however many watchers get it. */
    static String eventLine(String type, String objectJson) {
        return "{\"type\":\"" + type + "\",\"object\":" + objectJson + "}";
    }

    static byte[] eventFrame(String type, byte[] objectJson) {
        byte[] head = ("{\"type\":\"" + type + "\",\"object\":").getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(head, head.length + objectJson.length + 1);
        System.arraycopy(objectJson, 0, out, head.length, objectJson.length);
        out[out.length - 1] = '}';
        return out;
    }

    static byte[] toBytes(ObjectNode object) {
        try {
            return MAPPER.writeValueAsBytes(object);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String toJson(ObjectNode object) {
        try {
            return MAPPER.writeValueAsString(object);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The current state of one key: its rendered object (kind {@code Deployment}, {@code Pod}…), that object
     * serialized once (UTF-8 JSON: a list writes these bytes as they are) and the Avro value.
     */
    /**
     * One object as the API serves it: its JSON bytes (rendered once, written as they are by lists,
     * gets and watches), the view it came from, and what the index and selectors need (namespace,
     * name, labels). The rendered tree is not kept: at 100,000 pods the trees took ~400 MB of heap
     * (a Jackson ObjectNode with a LinkedHashMap per JSON object, ~13 per pod) and drove the
     * all-in-one into back-to-back full GCs; {@link #object()} parses the bytes when a caller needs
     * a tree (a get, a write's precondition, a field selector). The JSON itself is kept deflated
     * ({@link Deflated}: a 2 KB pod in ~0.5 KB; inflated per list item or get).
     */
    public static final class Entry {
        private final String key, kind, namespace, name;
        private final Map<String, String> labels;
        private final byte[] bytes;
        private final SpecificRecord value;      // null when kept encoded (avro)
        private final byte[] avro;
        private final java.util.function.Function<byte[], SpecificRecord> decode;
        private final int partition;
        private final long offset;

        public Entry(String key, String kind, ObjectNode object, byte[] bytes, SpecificRecord value, int partition, long offset) {
            this(key, kind, object, bytes, value, null, null, partition, offset);
        }

        /** The view kept as its record's Avro bytes, decoded by {@link #value()} on demand (pods: ~a third of the decoded size). */
        Entry(String key, String kind, ObjectNode object, byte[] bytes, byte[] avro, java.util.function.Function<byte[], SpecificRecord> decode,
              int partition, long offset) {
            this(key, kind, object, bytes, null, avro, decode, partition, offset);
        }

        private Entry(String key, String kind, ObjectNode object, byte[] bytes, SpecificRecord value, byte[] avro,
                      java.util.function.Function<byte[], SpecificRecord> decode, int partition, long offset) {
            this.key = key;
            this.kind = kind;
            this.bytes = Deflated.pack(bytes);
            this.value = value;
            this.avro = avro;
            this.decode = decode;
            this.partition = partition;
            this.offset = offset;
            JsonNode md = object.path("metadata");
            this.namespace = md.path("namespace").asText("").intern();
            this.name = md.path("name").asText("");
            this.labels = labelsOf(md);
        }

        public String key() {
            return key;
        }

        public String kind() {
            return kind;
        }

        /** The object's JSON (inflated from the deflated copy kept). */
        public byte[] bytes() {
            return Deflated.unpack(bytes);
        }

        /** The view this object was rendered from (decoded again from its record's bytes for a pod). */
        public SpecificRecord value() {
            return value != null ? value : decode.apply(avro);
        }

        public int partition() {
            return partition;
        }

        public long offset() {
            return offset;
        }

        /** The object as a tree, parsed from its bytes: a fresh copy on every call, the caller may change it. */
        public ObjectNode object() {
            try {
                return (ObjectNode) TREE_READER.readTree(bytes());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** Just {@code metadata.name}, {@code namespace} and {@code labels}: enough for a label selector, without parsing. */
        public ObjectNode metadataOnly() {
            return ViewCache.metadataOnly(name, namespace, labels);
        }

        public String json() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        /** The object's labels (empty when it has none). */
        public Map<String, String> labels() {
            return labels;
        }

        public String namespace() {
            return namespace;
        }

        public String name() {
            return name;
        }
    }

    /** What a watch starts with: the changes to send first, and how to stop it. */
    public record Registration(List<Change> initial, Runnable cancel) {}

    private final Properties props;
    private final BerthSerdes serdes;
    private final int historyLimit;
    private final Map<String, Store> stores = new HashMap<>();
    private final Map<String, NodeView> nodes = new HashMap<>();
    /** The latest EndpointsView per service key: a Service is rendered with its allocated cluster IP and node ports. */
    private volatile org.pcollections.PMap<String, EndpointsView> allocations = org.pcollections.HashTreePMap.empty();
    /** Services re-rendered while applying a poll (their allocation arrived after them), delivered with it. */
    private final List<Map.Entry<Store, Change>> rerendered = new ArrayList<>();
    private volatile org.pcollections.PSortedSet<String> namespaces = org.pcollections.TreePSet.singleton("default");
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private KafkaConsumer<String, byte[]> consumer;
    private ConsumerLoop reader;

    static final ObjectIndex.Keys<Entry> ENTRY_KEYS = new ObjectIndex.Keys<>(Entry::kind, Entry::namespace, Entry::name, Entry::key, Entry::labels);

    /**
     * What readers see of one topic: an immutable snapshot published by the consumer after each poll.
     * {@code position} and {@code floor} are copies; nothing in a view changes once published.
     */
    private record View(ObjectIndex<Entry> index, org.pcollections.PMap<String, Entry> objects, long[] position, long[] floor,
                        org.pcollections.PVector<Change> history) {}

    /** One topic: the consumer thread's working state (only it writes) and the view it last published. */
    private final class Store {
        final Topic<?> topic;
        /** {@link #objects} by kind, namespace, name and label: gets and lists never walk the whole topic. */
        final ObjectIndex<Entry> index = new ObjectIndex<>(ENTRY_KEYS);
        final long[] position;
        final long[] floor;
        org.pcollections.PMap<String, Entry> objects = org.pcollections.HashTreePMap.empty();
        /** berth.events only: keys oldest first, to keep the newest {@link #MAX_EVENTS} (may hold keys already gone). */
        final ArrayDeque<String> eventOrder = new ArrayDeque<>();
        org.pcollections.PVector<Change> history = org.pcollections.TreePVector.empty();
        volatile View view;
        final List<Watcher> watchers = new CopyOnWriteArrayList<>();
        final List<Waiter> waiters = new ArrayList<>(); // guarded by the cache's lock

        Store(Topic<?> topic, int partitions) {
            this.topic = topic;
            this.position = new long[partitions];
            this.floor = new long[partitions];
        }

        void remember(Change c) {
            history = history.plus(c);
            while (history.size() > historyLimit) {
                Change old = history.get(0);
                history = history.minus(0);
                floor[old.partition] = Math.max(floor[old.partition], old.offset + 1);
            }
        }

        /** Makes the consumer's state so far what readers see (O(1) plus the position arrays). */
        void publish() {
            view = new View(index.snapshot(), objects, position.clone(), floor.clone(), history);
        }
    }

    /** A watch: its sink runs on its context; it gets the changes of {@code kind} in {@code namespace} (null: any). */
    private record Watcher(Context context, Consumer<List<Change>> sink, long[] from, String kind, String namespace) {
        boolean wants(Change c) {
            return (kind == null || kind.equals(c.kind())) && (namespace == null || namespace.equals(c.namespace()));
        }

        String filter() {
            return kind + "\u0000" + namespace;
        }
    }

    private record Waiter(String key, Predicate<Entry> done, Promise<Entry> promise, Context context) {}

    public ViewCache(Properties consumerProps, BerthSerdes serdes, int historyLimit) {
        this.props = consumerProps;
        this.serdes = serdes;
        this.historyLimit = historyLimit;
    }

    // ---- lifecycle ----

    public void start() {
        Properties p = new Properties();
        p.putAll(props);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> all = new ArrayList<>();
        for (Topic<?> t : TOPICS) {
            int n = consumer.partitionsFor(t.name(), Duration.ofSeconds(30)).size();
            stores.put(t.name(), new Store(t, n));
            for (int i = 0; i < n; i++) all.add(new TopicPartition(t.name(), i));
        }
        consumer.assign(all);
        consumer.seekToBeginning(all);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(all);
        Map<TopicPartition, Long> end = consumer.endOffsets(all);
        begin.forEach((tp, o) -> {
            Store s = stores.get(tp.topic());
            s.floor[tp.partition()] = o;
            s.position[tp.partition()] = o;
        });
        synchronized (this) {
            for (Store s : stores.values()) s.publish();
        }
        reader = new ConsumerLoop(consumer, "view cache", log);
        reader.start("gateway-view-cache", () -> loop(end));
    }

    /** Blocks (never call on the event loop) until the views present at start have been read. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Why the cache cannot serve (its reader thread ended: the gateway needs a restart); empty when it can. */
    public java.util.Optional<String> dead() {
        return reader == null || reader.alive() ? java.util.Optional.empty() : java.util.Optional.of("the view cache reader stopped");
    }

    /** Why the cache should not get traffic yet (dead, or the views present at start not read yet); empty when ready. */
    public java.util.Optional<String> notReady() {
        return dead().or(() -> caughtUp.getCount() > 0 ? java.util.Optional.of("the views present at start are not read yet") : java.util.Optional.empty());
    }

    @Override
    public void close() {
        if (reader != null) reader.close();
    }

    private void loop(Map<TopicPartition, Long> end) {
        checkCaughtUp(end);
        while (reader.running()) {
            ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
            Map<Store, List<Change>> batches = new LinkedHashMap<>();
            Map<Context, List<Map.Entry<Watcher, List<Change>>>> deliveries = new LinkedHashMap<>();
            // decoding and rendering the poll: no lock, readers keep reading the last published views
            for (ConsumerRecord<String, byte[]> r : records) {
                Store s = stores.get(r.topic());
                Change c = apply(s, r);
                if (c != null) batches.computeIfAbsent(s, k -> new ArrayList<>()).add(c);
                for (Map.Entry<Store, Change> e : rerendered) batches.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
                rerendered.clear();
            }
            for (TopicPartition tp : consumer.assignment()) {
                Store s = stores.get(tp.topic());
                s.position[tp.partition()] = Math.max(s.position[tp.partition()], consumer.position(tp));
            }
            Map<Store, List<Watcher>> watching = new HashMap<>();
            synchronized (this) {
                // publish, and fix who gets this poll's changes: a watch registered before saw the old view
                for (Store s : stores.values()) s.publish();
                batches.forEach((s, batch) -> {
                    watching.put(s, List.copyOf(s.watchers));
                    settleWaiters(s, batch);
                });
            }
            batches.forEach((s, batch) -> route(watching.get(s), batch, deliveries));
            // one task per event loop, not one per watcher
            deliveries.forEach((context, forContext) -> context.runOnContext(v -> {
                for (Map.Entry<Watcher, List<Change>> d : forContext) d.getKey().sink.accept(d.getValue());
            }));
            if (caughtUp.getCount() > 0) checkCaughtUp(end);
        }
    }

    /**
     * Which watcher gets which changes of a batch: each distinct filter (kind, namespace) picks its changes
     * once, however many watchers share it, and a watcher with nothing to get is not woken up. The result
     * is grouped by context, in watcher registration order.
     */
    private static void route(List<Watcher> watchers, List<Change> batch, Map<Context, List<Map.Entry<Watcher, List<Change>>>> out) {
        Map<String, List<Change>> byFilter = new HashMap<>();
        for (Watcher w : watchers) {
            List<Change> mine = w.kind == null && w.namespace == null ? batch
                    : byFilter.computeIfAbsent(w.filter(), f -> batch.stream().filter(w::wants).toList());
            if (!mine.isEmpty()) out.computeIfAbsent(w.context, c -> new ArrayList<>()).add(Map.entry(w, mine));
        }
    }

    private void checkCaughtUp(Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (stores.get(e.getKey().topic()).view.position()[e.getKey().partition()] < e.getValue()) return;
        }
        caughtUp.countDown();
    }

    // ---- folding records ----

    private Change apply(Store s, ConsumerRecord<String, byte[]> r) {
        s.position[r.partition()] = Math.max(s.position[r.partition()], r.offset() + 1);
        SpecificRecord value;
        try {
            // a registry that is down is waited for (the view falls behind, /readyz shows the lag), never a reason to skip a record
            value = r.value() == null ? null : (SpecificRecord) io.berth.registry.client.RegistryRetry.untilDecoded(
                    () -> serdes.value(s.topic.valueClass()).deserialize(r.topic(), r.value()), reader::running, 1000, "view cache " + r.topic());
        } catch (RuntimeException e) {
            log.warn("skipping undecodable record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
            return null;
        }
        String rv = ResourceVersions.encode(s.position);
        String key = value instanceof ClusterEvent e ? e.getUid() : r.key();
        if (key == null) return null;
        Entry before = s.objects.get(key);
        if (s.topic == Topics.WORKLOADS) autoscaler(s, r, key, value, rv);
        if (s.topic == Topics.WORKLOADS) retainClaims(key, value);
        if (s.topic == Topics.ENDPOINTS) allocated(key, value instanceof EndpointsView e && !e.getDeleted() ? e : null);
        if (value == null || (value instanceof WorkloadView w && w.getDeleted()) || (value instanceof EndpointsView e && e.getDeleted())) {
            if (value == null && s.topic == Topics.NODES) nodes.remove(key);
            // a namespace's view goes once its termination swept it empty: it is no longer listed
            if (s.topic == Topics.WORKLOADS && key.startsWith(namespaceKey(""))) namespaces = namespaces.minus(key.substring(namespaceKey("").length()));
            if (before == null) return null;
            s.objects = s.objects.minus(key);
            s.index.replace(before, null);
            ObjectNode gone = before.object();
            ((ObjectNode) gone.path("metadata")).put("resourceVersion", rv);
            return record(s, new Change(r.partition(), r.offset(), "DELETED", before.kind, gone, toBytes(gone), true));
        }
        ObjectNode object = render(value);
        String kind = object.path("kind").asText();
        ((ObjectNode) object.path("metadata")).put("resourceVersion", rv);
        byte[] json = toBytes(object);
        Entry entry = value instanceof TaskView
                ? new Entry(key, kind, object, json, r.value(), decoder(s.topic), r.partition(), r.offset())
                : new Entry(key, kind, object, json, value, r.partition(), r.offset());
        s.objects = s.objects.plus(key, entry);
        s.index.replace(before, entry);
        if (s.topic == Topics.EVENTS) {
            if (before == null) s.eventOrder.addLast(key);
            // events are not compacted: keep the newest MAX_EVENTS, oldest first out, silently
            while (s.objects.size() > MAX_EVENTS && !s.eventOrder.isEmpty()) {
                Entry eldest = s.objects.get(s.eventOrder.removeFirst());
                if (eldest == null) continue;
                s.index.replace(eldest, null);
                s.objects = s.objects.minus(eldest.key);
            }
        }
        String ns = object.path("metadata").path("namespace").asText("");
        if (!ns.isEmpty() && !namespaces.contains(ns)) namespaces = namespaces.plus(ns);
        String nsName = object.path("metadata").path("name").asText();
        if (kind.equals("Namespace") && !namespaces.contains(nsName)) namespaces = namespaces.plus(nsName);
        return record(s, new Change(r.partition(), r.offset(), before == null ? "ADDED" : "MODIFIED", kind, object, json, true));
    }

    /** Decodes a topic's values (one function per topic, so an entry holds no record, only its bytes). */
    private java.util.function.Function<byte[], SpecificRecord> decoder(Topic<?> topic) {
        return decoders.computeIfAbsent(topic.name(), t -> {
            var serde = serdes.value(topic.valueClass());
            return b -> (SpecificRecord) serde.deserialize(t, b);
        });
    }

    private final Map<String, java.util.function.Function<byte[], SpecificRecord>> decoders = new java.util.concurrent.ConcurrentHashMap<>();

    private Change record(Store s, Change c) {
        s.remember(c);
        return c;
    }

    private ObjectNode render(SpecificRecord value) {
        if (value instanceof NodeView n) {
            nodes.put(n.getNodeId(), n);
            return KubeObjects.node(n);
        }
        if (value instanceof TaskView t) return KubeObjects.pod(t, nodes, this::workloadUid);
        if (value instanceof ClusterEvent e) return KubeObjects.event(e);
        if (value instanceof WorkloadView w) {
            return switch (w.getKind()) {
                case DEPLOYMENT -> KubeObjects.deployment(w);
                case DAEMONSET -> KubeObjects.daemonSet(w);
                case STATEFULSET -> KubeObjects.statefulSet(w);
                case JOB -> KubeObjects.job(w, this::workloadUid);
                case CRONJOB -> KubeObjects.cronJob(w, this::workloadUid);
                case SERVICE -> KubeObjects.service(w, allocations.get(w.getKey()));
                case NAMESPACE -> KubeObjects.namespace(w);
                default -> minimal("BerthWorkload", w.getNamespace(), w.getName());
            };
        }
        if (value instanceof EndpointsView e) {
            Entry svc = stores.get(Topics.WORKLOADS.name()).objects.get(e.getKey());
            return KubeObjects.endpoints(e, svc != null && svc.value() instanceof WorkloadView w ? w.getCreatedAt() : 0);
        }
        return minimal("Unknown", "", "");
    }

    /** The uid of the workload of {@code key} as its view shows it ("" while it has not arrived): a Job's pods name it as their owner. */
    private String workloadUid(String key) {
        Store workloads = stores.get(Topics.WORKLOADS.name());
        Entry e = workloads == null ? null : workloads.objects.get(key);
        return e == null ? "" : e.object().path("metadata").path("uid").asText("");
    }

    /**
     * A service's allocation (cluster IP, node ports) arrives on berth.state.endpoints after the
     * service itself: when it changes, the Service is rendered again and sent to watchers as MODIFIED
     * (at its own record's position; a watch resumed from a later version does not see it again).
     */
    private void allocated(String key, EndpointsView e) {
        EndpointsView before = allocations.get(key);
        allocations = e == null ? allocations.minus(key) : allocations.plus(key, e);
        if (e == null || (before != null && before.getClusterIP().equals(e.getClusterIP()) && before.getPorts().equals(e.getPorts()))) return;
        Store workloads = stores.get(Topics.WORKLOADS.name());
        Entry svc = workloads.objects.get(key);
        if (svc == null || !(svc.value instanceof WorkloadView w) || w.getKind() != ResourceKind.SERVICE) return;
        ObjectNode object = KubeObjects.service(w, e);
        ((ObjectNode) object.path("metadata")).put("resourceVersion", ResourceVersions.encode(workloads.position));
        byte[] json = toBytes(object);
        Entry entry = new Entry(key, svc.kind, object, json, w, svc.partition, svc.offset);
        workloads.objects = workloads.objects.plus(key, entry);
        workloads.index.replace(svc, entry);
        rerendered.add(Map.entry(workloads, record(workloads, new Change(svc.partition, svc.offset, "MODIFIED", svc.kind, object, json, true))));
    }

    /** Deployment key → the key of the HorizontalPodAutoscaler its view carries (reader thread only). */
    private final Map<String, String> autoscalerOf = new HashMap<>();

    /**
     * A HorizontalPodAutoscaler lives in its target Deployment's view (WorkloadView.autoscaler); it is served as an object
     * of its own under {@code ns/HORIZONTALPODAUTOSCALER/name}, added, modified and deleted with the view that carries it.
     */
    private void autoscaler(Store s, ConsumerRecord<String, byte[]> r, String key, SpecificRecord value, String rv) {
        WorkloadView w = value instanceof WorkloadView v && !v.getDeleted() && v.getKind() == ResourceKind.DEPLOYMENT && v.getAutoscaler() != null ? v : null;
        String hpaKey = w == null ? null : Topics.resourceKey(w.getNamespace(), ResourceKind.HORIZONTALPODAUTOSCALER, w.getAutoscaler().getName());
        String was = autoscalerOf.get(key);
        if (was != null && !was.equals(hpaKey)) {
            autoscalerOf.remove(key);
            Entry gone = s.objects.get(was);
            if (gone != null) {
                s.objects = s.objects.minus(was);
                s.index.replace(gone, null);
                ObjectNode o = gone.object();
                ((ObjectNode) o.path("metadata")).put("resourceVersion", rv);
                rerendered.add(Map.entry(s, record(s, new Change(r.partition(), r.offset(), "DELETED", gone.kind, o, toBytes(o), true))));
            }
        }
        if (hpaKey == null) return;
        autoscalerOf.put(key, hpaKey);
        Entry before = s.objects.get(hpaKey);
        ObjectNode object = KubeObjects.horizontalPodAutoscaler(w);
        ((ObjectNode) object.path("metadata")).put("resourceVersion", rv);
        byte[] json = toBytes(object);
        Entry entry = new Entry(hpaKey, "HorizontalPodAutoscaler", object, json, w, r.partition(), r.offset());
        s.objects = s.objects.plus(hpaKey, entry);
        s.index.replace(before, entry);
        rerendered.add(Map.entry(s, record(s, new Change(r.partition(), r.offset(), before == null ? "ADDED" : "MODIFIED",
                "HorizontalPodAutoscaler", object, json, true))));
    }

    private static ObjectNode minimal(String kind, String ns, String name) {
        ObjectNode o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("apiVersion", "v1").put("kind", kind);
        o.putObject("metadata").put("name", name).put("namespace", ns);
        return o;
    }

    // ---- reads ----

    /** The current objects of one kind (all namespaces when {@code namespace} is null) and the topic's position. */
    public Snapshot list(Topic<?> topic, String kind, String namespace) {
        return list(topic, kind, namespace, Map.of());
    }

    /**
     * The current objects of one kind (all namespaces when {@code namespace} is null) carrying every label
     * of {@code labels} (a selector's equality requirements; the caller applies the whole selector),
     * sorted by namespace and name, and the topic's position. Served from the index: the cost is the
     * size of the answer, not of the topic.
     */
    public Snapshot list(Topic<?> topic, String kind, String namespace, Map<String, String> labels) {
        View v = view(topic);
        return new Snapshot(v.index.list(kind, namespace, labels), ResourceVersions.encode(v.position));
    }

    /** The topic's last published view: no lock, never waits on the consumer. */
    private View view(Topic<?> topic) {
        return stores.get(topic.name()).view;
    }

    public record Snapshot(List<Entry> items, String resourceVersion) {}

    public Optional<Entry> get(Topic<?> topic, String kind, String namespace, String name) {
        return view(topic).index.get(kind, namespace, name);
    }

    public Optional<Entry> byKey(Topic<?> topic, String key) {
        return Optional.ofNullable(view(topic).objects.get(key));
    }

    /** The service (key) whose allocation holds this node port, if any. */
    public Optional<String> nodePortHolder(int nodePort) {
        for (EndpointsView e : allocations.values()) {
            for (ServicePort p : e.getPorts()) if (p.getNodePort() == nodePort) return Optional.of(e.getKey());
        }
        return Optional.empty();
    }

    /** The service (key) whose allocation holds this cluster IP, if any. */
    public Optional<String> clusterIPHolder(String ip) {
        for (EndpointsView e : allocations.values()) if (e.getClusterIP().equals(ip)) return Optional.of(e.getKey());
        return Optional.empty();
    }

    /** Namespaces that always exist (and cannot be deleted), as on every Kubernetes cluster. */
    public static final Set<String> BUILT_IN_NAMESPACES = Set.of("default", "kube-system", "kube-public");

    /**
     * The namespaces: created ones (their view) and the built-in ones, and implicit ones (never created,
     * Berth is lenient) while any object lives in them.
     */
    public List<String> namespaces() {
        List<String> out = new ArrayList<>();
        for (String n : namespaces.plusAll(BUILT_IN_NAMESPACES)) if (exists(n)) out.add(n);
        return out;
    }

    private boolean exists(String n) {
        if (BUILT_IN_NAMESPACES.contains(n) || view(Topics.WORKLOADS).objects.containsKey(namespaceKey(n))) return true;
        for (Store s : stores.values()) if (s.topic != Topics.EVENTS && s.view.index.anyIn(n)) return true;
        return false;
    }

    /**
     * A namespace as an object: its view when it was created as a {@code v1 Namespace} (with its
     * labels), else derived from the objects in it; empty when neither.
     */
    public Optional<ObjectNode> namespace(String name) {
        Entry e = view(Topics.WORKLOADS).objects.get(namespaceKey(name));
        if (e != null) return Optional.of(e.object());
        return (namespaces.contains(name) || BUILT_IN_NAMESPACES.contains(name)) && exists(name) ? Optional.of(KubeObjects.namespace(name)) : Optional.empty();
    }

    /** The labels of a namespace created as an object; none for an implicit or unknown one. */
    public Map<String, String> namespaceLabels(String name) {
        Entry e = view(Topics.WORKLOADS).objects.get(namespaceKey(name));
        return e != null && e.value() instanceof WorkloadView w ? w.getLabels() : Map.of();
    }

    /** The workloads (Deployments, DaemonSets, Jobs, CronJobs, bare pods, Services) of a namespace, as their views are now. */
    /** Deleted stateful sets whose claims stay (persistentVolumeClaimRetentionPolicy.whenDeleted Retain), by key. */
    private final java.util.concurrent.ConcurrentHashMap<String, WorkloadView> retainedClaims = new java.util.concurrent.ConcurrentHashMap<>();

    private void retainClaims(String key, SpecificRecord value) {
        if (value instanceof WorkloadView w && w.getKind() == ResourceKind.STATEFULSET && w.getDeleted() && w.getStatefulSetStatus() != null
                && !w.getStatefulSetStatus().getClaims().isEmpty() && (w.getStatefulSet() == null || !"Delete".equals(w.getStatefulSet().getWhenDeleted()))) {
            retainedClaims.put(key, w);
        } else {
            retainedClaims.remove(key);
        }
    }

    /**
     * The views of deleted stateful sets of {@code namespace} (all when null) that keep their claims: the set is no
     * longer served, its PersistentVolumeClaims are (Kubernetes keeps the PVCs of a deleted StatefulSet by default).
     */
    public List<WorkloadView> retainedClaims(String namespace) {
        return retainedClaims.values().stream().filter(w -> namespace == null || namespace.equals(w.getNamespace())).toList();
    }

    public List<WorkloadView> workloadsIn(String namespace) {
        List<WorkloadView> out = new ArrayList<>();
        for (Entry e : view(Topics.WORKLOADS).objects.values()) {
            if (e.value() instanceof WorkloadView w && !w.getDeleted() && w.getKind() != ResourceKind.NAMESPACE && namespace.equals(w.getNamespace())) out.add(w);
        }
        return out;
    }

    /** The pods (tasks) of a namespace still in the view: a namespace is empty only once they are gone too. */
    public int podsIn(String namespace) {
        return list(Topics.TASKS, "Pod", namespace).items().size();
    }

    /** When the namespace is being terminated: its deletion time (epoch ms), else empty. */
    public Optional<Long> terminating(String namespace) {
        Entry e = view(Topics.WORKLOADS).objects.get(namespaceKey(namespace));
        if (e == null || !(e.value() instanceof WorkloadView w)) return Optional.empty();
        return io.berth.gateway.view.KubeObjects.deletionTime(w);
    }

    /** Every namespace being terminated (for the sweep). */
    public List<String> terminatingNamespaces() {
        List<String> out = new ArrayList<>();
        for (Entry e : view(Topics.WORKLOADS).objects.values()) {
            if (e.value() instanceof WorkloadView w && w.getKind() == ResourceKind.NAMESPACE && !w.getDeleted()
                    && io.berth.gateway.view.KubeObjects.deletionTime(w).isPresent()) out.add(w.getName());
        }
        return out;
    }

    static String namespaceKey(String name) {
        return Topics.resourceKey("", ResourceKind.NAMESPACE, name);
    }

    public long[] position(Topic<?> topic) {
        return view(topic).position.clone();
    }

    public int partitions(Topic<?> topic) {
        return stores.get(topic.name()).position.length;
    }

    // ---- watches ----

    /**
     * Starts a watch on a topic: from a position (replay the history past it, then live; 410 when the
     * history no longer reaches back that far) or, without one, synthetic ADDED for the current objects
     * then live. {@code sink} runs on {@code context}, one call per batch, in order.
     */
    public Registration watch(Topic<?> topic, long[] from, Context context, Consumer<List<Change>> sink) {
        return watch(topic, null, null, from, context, sink);
    }

    /**
     * A watch of the changes of one kind in one namespace only ({@code kind}/{@code namespace} null: any):
     * the cache routes to it only what it wants, so a change nobody watches costs no watcher anything.
     */
    public Registration watch(Topic<?> topic, String kind, String namespace, long[] from, Context context,
                              Consumer<List<Change>> sink) {
        Store s = stores.get(topic.name());
        View v;
        Watcher w;
        synchronized (this) {
            // the view and the subscription together: every later poll's changes reach this watcher
            v = s.view;
            checkVersion(v, from);
            long[] liveFrom = from != null ? from.clone() : v.position.clone();
            boolean ahead = false;
            for (int p = 0; p < liveFrom.length; p++) ahead |= liveFrom[p] > v.position[p];
            long[] filterFrom = ahead ? liveFrom : null;
            w = new Watcher(context, filterFrom == null ? sink
                    : batch -> sink.accept(batch.stream().filter(c -> c.offset >= filterFrom[c.partition]).toList()), filterFrom, kind, namespace);
            s.watchers.add(w);
        }
        // what it starts with comes from that immutable view, outside the lock
        List<Change> initial = new ArrayList<>();
        if (from != null) {
            for (Change c : v.history) {
                if (c.offset >= from[c.partition] && (kind == null || kind.equals(c.kind)) && (namespace == null || namespace.equals(c.namespace()))) {
                    initial.add(c);
                }
            }
        } else {
            for (Entry e : kind == null ? v.objects.values() : v.index.list(kind, namespace, Map.of())) {
                if (namespace == null || namespace.equals(e.namespace())) initial.add(new Change(e, "ADDED"));
            }
        }
        return new Registration(initial, () -> s.watchers.remove(w));
    }

    /** Throws 410 Expired when {@code from} (null: now) is older than the history still reaches. */
    public void checkVersion(Topic<?> topic, long[] from) {
        checkVersion(view(topic), from);
    }

    private static void checkVersion(View v, long[] from) {
        if (from == null) return;
        for (int p = 0; p < from.length; p++) {
            if (from[p] < v.floor[p]) {
                throw Status.expired("too old resource version: " + ResourceVersions.encode(from) + " (" + ResourceVersions.encode(v.floor) + ")");
            }
        }
    }

    public int watcherCount() {
        int n = 0;
        for (Store s : stores.values()) n += s.watchers.size();
        return n;
    }

    // ---- read-your-writes ----

    /**
     * Completes (on {@code context}) with the entry of {@code key} once {@code done} holds for it (null
     * entry = absent), or fails after {@code timeoutMs}.
     */
    public Future<Entry> await(Topic<?> topic, String key, Predicate<Entry> done, Context context, long timeoutMs) {
        Promise<Entry> promise = Promise.promise();
        Waiter w = new Waiter(key, done, promise, context);
        Store s = stores.get(topic.name());
        synchronized (this) {
            Entry now = s.view.objects.get(key);
            if (done.test(now)) return Future.succeededFuture(now);
            s.waiters.add(w);
        }
        long timer = context.owner().setTimer(timeoutMs, id -> {
            boolean removed;
            synchronized (this) {
                removed = s.waiters.remove(w);
            }
            if (removed) promise.tryFail(new java.util.concurrent.TimeoutException("timed out waiting for " + key));
        });
        return promise.future().onComplete(ar -> context.owner().cancelTimer(timer));
    }

    private void settleWaiters(Store s, List<Change> batch) {
        if (s.waiters.isEmpty()) return;
        for (Iterator<Waiter> it = s.waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            Entry now = s.objects.get(w.key);
            if (w.done.test(now)) {
                it.remove();
                w.context.runOnContext(v -> w.promise.tryComplete(now));
            }
        }
    }
}

package io.berth.state;

import io.berth.schemas.AssignmentPartitioner;
import io.berth.schemas.Topic;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.limits.Limits;
import io.berth.schemas.serde.AvroSerde;
import io.berth.schemas.avro.TaskStatus;
import io.berth.schemas.avro.NodeEvent;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.berth.state.core.TaskNames;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.*;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The state-streams topology (diagram in state-streams/README.md):
 * <ul>
 *   <li>intents first pass {@link IntentDeduplicator}: a second copy of an intent id is dropped and audited;</li>
 *   <li>intents + task-status (both keyed by workload key, co-partitioned) + pod deletes re-keyed
 *       to their owner → {@link WorkloadProcessor} with stores workloads and tasks;</li>
 *   <li>node-events + cordon intents re-keyed by node id → {@link NodeProcessor} with store nodes;</li>
 *   <li>berth.ticks (time as records): a {@link Ticker} per task writes one per partition every
 *       tick, carrying the nodes of the global table berth.state.nodes; both controllers read them
 *       back as inputs, so every decision is a function of the log ({@code berth replay --verify}).</li>
 * </ul>
 * Building is separate from running ({@link StateStreamsService}).
 */
public final class StateStreamsTopology {
    public static final String APPLICATION_ID = "berth-state-streams";
    public static final String WORKLOADS_STORE = "workloads";
    public static final String TASKS_STORE = "tasks";
    public static final String NODES_STORE = "nodes";
    public static final String GLOBAL_NODES_STORE = "global-nodes";
    /** berth.assignments as a global table: only the ticker reads it, to put the scheduler's ledger on the log. */
    public static final String GLOBAL_ASSIGNMENTS_STORE = "global-assignments";
    public static final String ENDPOINT_SERVICES_STORE = "endpoint-services";
    public static final String ENDPOINT_TASKS_STORE = "endpoint-tasks";
    public static final String ENDPOINTS_STORE = "endpoints";
    /** The last tick with a node list, per partition (the workload controller's node readiness). */
    public static final String TICKS_STORE = "controller-ticks";
    /** Workloads with task statuses not yet converged, and the last one's cause ({@link DirtyWorkloads}). */
    public static final String DIRTY_STORE = "dirty-workloads";
    /** The node controller's tick clock ({@link NodeClock}). */
    public static final String NODE_CLOCK_STORE = "node-clock";
    /** Each node's lease: the record time of its latest REGISTER or HEARTBEAT ({@link NodeProcessor}). */
    public static final String NODE_LEASES_STORE = "node-leases";
    /** node id → the task ids its heartbeats listed and how many in a row missed each ({@code core.RunningListing}) */
    public static final String NODE_RUNNING_STORE = "node-running";
    /** The repartition of the node controller's ContainerMissing statuses to their workloads' partitions. */
    public static final String NODE_GAPS = "node-gaps-by-workload";
    /** Default of {@code node-status-refresh-ms}: kubelet's node status report period when leases are on is minutes; 10 s keeps views fresh enough to read. */
    public static final long DEFAULT_NODE_STATUS_REFRESH_MS = 10_000;
    /**
     * What {@code node-lag-grace-ms} was measured with in {@code ops/bench sim}: the grace when a node's whole
     * partition went quiet together. Not the default yet (the default is the node grace, i.e. off): with it,
     * ops' SimSmokeTest placed no task on two of its 20 nodes, not yet understood (state-streams README).
     */
    public static final long SUGGESTED_NODE_LAG_GRACE_MS = 10_000;
    /** Default of {@code hpa-sync-period-ms}: Kubernetes' --horizontal-pod-autoscaler-sync-period. */
    public static final long DEFAULT_HPA_SYNC_MS = 15_000;
    /** taskId → its latest usage sample (from berth.node-stats, {@link PodUsage}); read by the HorizontalPodAutoscaler. */
    public static final String POD_USAGE_STORE = "pod-usage";
    /** workload key of the target → the HorizontalPodAutoscaler that scales it (also while the target is missing). */
    public static final String AUTOSCALERS_STORE = "autoscalers";
    /** The repartition of berth.node-stats' per-pod samples to their owner workloads' partitions. */
    public static final String POD_USAGE_BY_OWNER = "pod-usage-by-owner";
    /** The repartition of HorizontalPodAutoscaler intents to their target workloads' partitions. */
    public static final String HPAS_BY_TARGET = "hpas-by-target";
    /** The endpoints controller's last tick with a node list (node addresses). */
    public static final String ENDPOINT_TICKS_STORE = "endpoint-ticks";

    /** Every topic the controllers write; each gets one sink. */
    private static final List<Topic<?>> OUTPUTS = List.of(Topics.PLACEMENT_REQUESTS, Topics.ASSIGNMENTS,
            Topics.WORKLOADS, Topics.TASKS, Topics.NODES, Topics.AUDIT, Topics.EVENTS, Topics.DEAD_LETTERS);

    private StateStreamsTopology() {}

    /**
     * @param nodeGraceMs       a node that has not heartbeated for this long is NotReady
     * @param tick              how often the {@link Ticker} writes a tick (node expiry, tasks on dead nodes, timed rollout steps)
     * @param intentIdRetention how long (record time) an intent id is remembered for de-duplication
     * @param maxIntentIds      at most this many ids are remembered per partition (oldest dropped first)
     * @param replayPartitions  0 live; for a replay that runs every partition in one driver, the live
     *                          partition count, so a tick of partition P checks only P's keys ({@link NodeReadiness})
     * @param nodeStatusRefreshMs a heartbeating node's view is rewritten at least this often (heartbeats in
     *                          between only renew its lease); any change a reader needs is written at once
     * @param nodeLagGraceMs    when every node of a partition went quiet together (the controller reads that
     *                          partition late, or they all died at once), they turn NotReady after this instead
     *                          ({@code core.NodeLiveness.overdue}); at least {@code nodeGraceMs}, which is the default (off)
     */
    public record Settings(long nodeGraceMs, Duration tick, Duration intentIdRetention, int maxIntentIds, int replayPartitions,
                           long nodeStatusRefreshMs, long nodeLagGraceMs, Limits limits, long hpaSyncMs) {
        public Settings {
            if (hpaSyncMs <= 0) throw new IllegalArgumentException("hpa-sync-period-ms must be positive, got " + hpaSyncMs);
            if (limits == null) throw new IllegalArgumentException("limits must be set");
            if (nodeGraceMs <= 0) throw new IllegalArgumentException("node-grace-ms must be positive, got " + nodeGraceMs);
            if (nodeStatusRefreshMs <= 0) throw new IllegalArgumentException("node-status-refresh-ms must be positive, got " + nodeStatusRefreshMs);
            if (nodeLagGraceMs < nodeGraceMs) {
                throw new IllegalArgumentException("node-lag-grace-ms must be at least node-grace-ms (" + nodeGraceMs + "), got " + nodeLagGraceMs);
            }
        }

        public Settings(long nodeGraceMs, Duration tick, Duration intentIdRetention, int maxIntentIds, int replayPartitions,
                        long nodeStatusRefreshMs, long nodeLagGraceMs, Limits limits) {
            this(nodeGraceMs, tick, intentIdRetention, maxIntentIds, replayPartitions, nodeStatusRefreshMs, nodeLagGraceMs, limits, DEFAULT_HPA_SYNC_MS);
        }

        public Settings(long nodeGraceMs, Duration tick, Duration intentIdRetention, int maxIntentIds, int replayPartitions,
                        long nodeStatusRefreshMs, long nodeLagGraceMs) {
            this(nodeGraceMs, tick, intentIdRetention, maxIntentIds, replayPartitions, nodeStatusRefreshMs, nodeLagGraceMs, Limits.DEFAULT);
        }

        public Settings(long nodeGraceMs, Duration tick, Duration intentIdRetention, int maxIntentIds, int replayPartitions) {
            this(nodeGraceMs, tick, intentIdRetention, maxIntentIds, replayPartitions, DEFAULT_NODE_STATUS_REFRESH_MS, nodeGraceMs);
        }

        public Settings(long nodeGraceMs, Duration tick) {
            this(nodeGraceMs, tick, 0);
        }

        public Settings(long nodeGraceMs, Duration tick, int replayPartitions) {
            this(nodeGraceMs, tick, IntentDeduplicator.DEFAULT_RETENTION, IntentDeduplicator.DEFAULT_MAX_IDS, replayPartitions);
        }

        public Settings(long nodeGraceMs, Duration tick, Duration intentIdRetention, int maxIntentIds) {
            this(nodeGraceMs, tick, intentIdRetention, maxIntentIds, 0);
        }

        /** How often partition 0's ticker sends the whole ledger although it sends every change (a safety net). */
        public Duration ledgerFullEvery() {
            return Ticker.LEDGER_FULL_EVERY;
        }

        /**
         * From the service's settings; the node timing (heartbeat-ms, node-lease-ms, node-grace-ms) is
         * checked by {@link io.berth.schemas.service.NodeLease#of}: a grace shorter than the nodes' lease plus the
         * kill margin is refused, naming the fields.
         */
        public static Settings from(BerthConfig config) {
            io.berth.schemas.service.NodeLease lease = io.berth.schemas.service.NodeLease.of(config);
            return new Settings(lease.graceMs(), Duration.ofMillis(config.getLong("controller-tick-ms", 250)),
                    Duration.ofMillis(config.getLong("intent-id-retention-ms", IntentDeduplicator.DEFAULT_RETENTION.toMillis())),
                    (int) config.getLong("intent-id-max", IntentDeduplicator.DEFAULT_MAX_IDS), 0,
                    config.getLong("node-status-refresh-ms", DEFAULT_NODE_STATUS_REFRESH_MS),
                    config.getLong("node-lag-grace-ms", config.getLong("node-grace-ms", 3000)), Limits.from(config),
                    config.getLong("hpa-sync-period-ms", DEFAULT_HPA_SYNC_MS));
        }

        public Settings withNodeStatusRefreshMs(long refreshMs) {
            return new Settings(nodeGraceMs, tick, intentIdRetention, maxIntentIds, replayPartitions, refreshMs, nodeLagGraceMs, limits, hpaSyncMs);
        }

        public Settings withNodeLagGraceMs(long lagGraceMs) {
            return new Settings(nodeGraceMs, tick, intentIdRetention, maxIntentIds, replayPartitions, nodeStatusRefreshMs, lagGraceMs, limits, hpaSyncMs);
        }

        /** With another HorizontalPodAutoscaler sync period (Kubernetes' --horizontal-pod-autoscaler-sync-period). */
        public Settings withHpaSyncMs(long ms) {
            return new Settings(nodeGraceMs, tick, intentIdRetention, maxIntentIds, replayPartitions, nodeStatusRefreshMs, nodeLagGraceMs, limits, ms);
        }

        /** With other intent limits ({@code max-replicas}). */
        public Settings withLimits(Limits l) {
            return new Settings(nodeGraceMs, tick, intentIdRetention, maxIntentIds, replayPartitions, nodeStatusRefreshMs, nodeLagGraceMs, l, hpaSyncMs);
        }
    }

    public static Topology build(BerthSerdes serdes, Settings settings) {
        return build(serdes, settings, List.of(), null);
    }

    /** With the admission policy's hostPath allow-list; node records unverified. */
    public static Topology build(BerthSerdes serdes, Settings settings, List<String> hostPaths) {
        return build(serdes, settings, hostPaths, null);
    }

    /** With node records verified; the admission policy without a hostPath allow-list. */
    public static Topology build(BerthSerdes serdes, Settings settings, byte[] clusterSecret) {
        return build(serdes, settings, List.of(), clusterSecret);
    }

    /**
     * @param hostPaths     the admission policy's hostPath allow-list ({@code admission.host-paths}): an
     *                      intent whose pod breaks its namespace's level is dead-lettered (see README, "Admission policy")
     * @param clusterSecret the secret node keys derive from ({@code io.berth.schemas.auth.NodeKeys}): node events and
     *                      node task statuses must be signed by their node; null turns the check off (with a warning),
     *                      for in-process fixtures only
     */
    public static Topology build(BerthSerdes serdes, Settings settings, List<String> hostPaths, byte[] clusterSecret) {
        NodeSignatures signatures = NodeSignatures.of(clusterSecret);
        AvroSerde<TaskStatus> statusSerde = serdes.value(TaskStatus.class);
        AvroSerde<NodeEvent> eventSerde = serdes.value(NodeEvent.class);
        StreamsBuilder b = new StreamsBuilder();
        AvroSerde<Intent> intentSerde = serdes.value(Intent.class);
        Function<Intent, byte[]> encodeIntent = i -> intentSerde.serialize(Topics.INTENTS.name(), i);
        addStores(b, serdes, settings);

        // Limits first: nothing outside them reaches a store, a repartition topic or a controller
        KStream<String, Emit> gated = b.stream(Topics.INTENTS.name(), serdes.consumed(Topics.INTENTS))
                .processValues(() -> new IntentGate(settings.limits(), encodeIntent, APPLICATION_ID), Named.as("intent-gate"));
        KStream<String, Emit> refused = gated.filter((k, e) -> e.topic() != Topics.INTENTS, Named.as("intent-gate-refused"))
                .selectKey(IntentGate::outputKey, Named.as("intent-gate-key"));
        for (Topic<?> t : List.of(Topics.DEAD_LETTERS, Topics.AUDIT, Topics.EVENTS)) sink(refused, t, serdes, "intent-gate");
        KStream<String, Emit> deduplicated = gated.filter((k, e) -> e.topic() == Topics.INTENTS, Named.as("intent-gate-passed"))
                .mapValues(e -> (Intent) e.value(), Named.as("intent-gate-intent"))
                .processValues(() -> new IntentDeduplicator(settings.intentIdRetention(), settings.maxIntentIds()),
                        Named.as("intent-dedup"), IntentDeduplicator.IDS_STORE, IntentDeduplicator.IDS_BY_TIME_STORE);
        sink(deduplicated, Topics.AUDIT, serdes, "intent-dedup");
        Map<String, KStream<String, Intent>> intents = deduplicated
                .filter((k, e) -> e.topic() == Topics.INTENTS, Named.as("intent-dedup-passed"))
                .mapValues(e -> (Intent) e.value(), Named.as("intent-dedup-intent"))
                .split(Named.as("intents-"))
                .branch((k, i) -> i.getKind() == ResourceKind.NODE, Branched.as("node"))
                .branch(StateStreamsTopology::isOwnedPodDelete, Branched.as("owned-pod-delete"))
                .branch((k, i) -> i.getKind() == ResourceKind.HORIZONTALPODAUTOSCALER, Branched.as("hpa"))
                .defaultBranch(Branched.as("workload"));

        KStream<String, Intent> podDeletes = intents.get("intents-owned-pod-delete")
                .processValues(IntentOffsetHeader::new, Named.as("pod-delete-intent-offset"))
                .processValues(OriginHeader<Intent>::new, Named.as("pod-delete-origin"))
                .selectKey((k, i) -> ownerKey(i), Named.as("pod-delete-to-owner"))
                .repartition(Repartitioned.with(BerthSerdes.key(), intentSerde).withName("pod-deletes-by-owner"));
        // an HPA lives in its target's view: its intents meet the target's tasks and samples (one HPA per target)
        KStream<String, Intent> hpaIntents = intents.get("intents-hpa")
                .processValues(IntentOffsetHeader::new, Named.as("hpa-intent-offset"))
                .processValues(OriginHeader<Intent>::new, Named.as("hpa-intent-origin"))
                .selectKey((k, i) -> HpaIntents.targetKey(k, i), Named.as("hpa-to-target"))
                .repartition(Repartitioned.with(BerthSerdes.key(), intentSerde).withName(HPAS_BY_TARGET));
        KStream<String, Intent> nodeIntents = intents.get("intents-node")
                .processValues(IntentOffsetHeader::new, Named.as("node-intent-offset"))
                .processValues(OriginHeader<Intent>::new, Named.as("node-intent-origin"))
                .selectKey((k, i) -> i.getName(), Named.as("node-intent-to-node-id"))
                .repartition(Repartitioned.with(BerthSerdes.key(), intentSerde).withName("node-intents-by-node"));

        // Time reaches the controllers as records (Ticker); so does what they know of nodes.
        KStream<String, Tick> ticks = b.stream(Topics.TICKS.name(), serdes.consumed(Topics.TICKS));
        LedgerJournal journal = new LedgerJournal();
        NodesJournal nodesJournal = new NodesJournal();
        addGlobalStores(b, serdes, journal, nodesJournal);
        KStream<String, SpecificRecord> tickerOut = ticks.process(() -> new Ticker(settings.tick(), journal, nodesJournal,
                settings.ledgerFullEvery()), Named.as("ticker"));
        tickerOut.filter((k, v) -> v instanceof Tick, Named.as("ticker-ticks")).mapValues(v -> (Tick) v, Named.as("ticker-tick"))
                .to(Topics.TICKS.name(), serdes.produced(Topics.TICKS).withName("ticker-to-" + Topics.TICKS.name())
                        .withStreamPartitioner((topic, key, tick, n) -> Optional.of(Set.of(tick.getPartition() % n))));
        // the node controller's clock travels with the heartbeats it judges (NodeProcessor, README "Node leases")
        tickerOut.filter((k, v) -> v instanceof NodeEvent, Named.as("ticker-clocks")).mapValues(v -> (NodeEvent) v, Named.as("ticker-clock"))
                .to(Topics.NODE_EVENTS.name(), serdes.produced(Topics.NODE_EVENTS).withName("ticker-to-" + Topics.NODE_EVENTS.name())
                        .withStreamPartitioner((topic, key, e, n) -> Optional.of(Set.of(Integer.parseInt(key) % n))));
        // the ledger-only records of partition 0 are the scheduler's; the controllers read the ticks proper
        KStream<String, Tick> controllerTicks = ticks.filter((k, t) -> t == null || !t.getLedgerMore(), Named.as("ticks-without-ledger"));

        KStream<String, SpecificRecord> nodeInputs = generic(b.stream(Topics.NODE_EVENTS.name(), serdes.consumedSigned(Topics.NODE_EVENTS)))
                .merge(generic(nodeIntents))
                .merge(generic(controllerTicks), Named.as("node-ticks"));
        KStream<String, Emit> nodeOut = nodeInputs.process(() -> new NodeProcessor(settings.replayPartitions(), settings.nodeGraceMs(),
                        settings.nodeStatusRefreshMs(), settings.nodeLagGraceMs(), encodeIntent,
                        e -> eventSerde.serialize(Topics.NODE_EVENTS.name(), e), signatures),
                Named.as("node-lifecycle-controller"), NODES_STORE, NODE_CLOCK_STORE, NODE_LEASES_STORE, NODE_RUNNING_STORE);
        sinks(nodeOut, serdes, "node");
        // what the heartbeats say statuses missed, to the workload's partition (only this application writes it)
        KStream<String, TaskStatus> nodeGaps = nodeOut.filter((k, e) -> e.topic() == Topics.TASK_STATUS, Named.as("node-select-gaps"))
                .mapValues(e -> (TaskStatus) e.value(), Named.as("node-cast-gaps"))
                .processValues(OriginHeader<TaskStatus>::new, Named.as("node-gap-origin")) // its cause: the heartbeat
                .repartition(Repartitioned.with(BerthSerdes.key(), statusSerde).withName(NODE_GAPS));

        // the node daemons' usage samples, one per pod, to the partition of the pod's owner workload (the HPA's input)
        AvroSerde<NodeStats> statsSerde = serdes.value(NodeStats.class);
        KStream<String, SpecificRecord> samplesOut = b.stream(Topics.NODE_STATS.name(), serdes.consumedSigned(Topics.NODE_STATS))
                .process(() -> new PodUsage.Split(signatures, s -> statsSerde.serialize(Topics.NODE_STATS.name(), s)), Named.as("pod-usage-split"));
        samplesOut.filter((k, v) -> v instanceof DeadLetter, Named.as("pod-usage-refused")).mapValues(v -> (DeadLetter) v, Named.as("pod-usage-dead-letter"))
                .to(Topics.DEAD_LETTERS.name(), serdes.produced(Topics.DEAD_LETTERS).withName("pod-usage-to-" + Topics.DEAD_LETTERS.name()));
        KStream<String, NodeStats> samples = samplesOut.filter((k, v) -> v instanceof NodeStats, Named.as("pod-usage-samples"))
                .mapValues(v -> (NodeStats) v, Named.as("pod-usage-sample"))
                .repartition(Repartitioned.with(BerthSerdes.key(), statsSerde).withName(POD_USAGE_BY_OWNER));

        KStream<String, SpecificRecord> workloadInputs = generic(intents.get("intents-workload"))
                .merge(generic(podDeletes))
                .merge(generic(hpaIntents), Named.as("workload-hpa-intents"))
                .merge(generic(samples), Named.as("workload-pod-usage"))
                .merge(generic(nodeGaps))
                .merge(generic(b.stream(Topics.TASK_STATUS.name(), serdes.consumedSigned(Topics.TASK_STATUS))))
                // the progress of the jobs a CronJob started, written back by this same controller (a loop through a topic)
                .merge(generic(b.stream(Topics.CRONJOB_JOBS.name(), serdes.consumed(Topics.CRONJOB_JOBS))), Named.as("workload-cronjob-jobs"))
                .merge(generic(controllerTicks), Named.as("workload-ticks"));
        KStream<String, Emit> workloadOut = workloadInputs.process(() -> new WorkloadProcessor(settings.replayPartitions(), encodeIntent, hostPaths, signatures,
                        st -> statusSerde.serialize(Topics.TASK_STATUS.name(), st), settings.hpaSyncMs()),
                Named.as("workload-controller"), WORKLOADS_STORE, TASKS_STORE, TICKS_STORE, DIRTY_STORE, POD_USAGE_STORE, AUTOSCALERS_STORE);
        sinks(workloadOut, serdes, "workload");
        sink(workloadOut, Topics.CRONJOB_JOBS, serdes, "workload");
        sink(workloadOut, Topics.INTENTS, serdes, "workload");  // the Jobs a CronJob starts and deletes: deployed by event

        EndpointsTopology.add(b, serdes, settings, workloadOut, controllerTicks);
        return b.build();
    }

    private static void addStores(StreamsBuilder b, BerthSerdes serdes, Settings settings) {
        b.addStateStore(IntentDeduplicator.idsStore());
        b.addStateStore(IntentDeduplicator.byTimeStore());
        b.addStateStore(Stores.keyValueStoreBuilder(supplier(WORKLOADS_STORE, settings),
                BerthSerdes.key(), serdes.value(WorkloadView.class)));
        b.addStateStore(Stores.keyValueStoreBuilder(supplier(TASKS_STORE, settings),
                BerthSerdes.key(), serdes.value(TaskView.class)));
        b.addStateStore(Stores.keyValueStoreBuilder(supplier(NODES_STORE, settings),
                BerthSerdes.key(), serdes.value(NodeView.class)));
        // cached: a pod's sample is rewritten every stats period; one changelog record per commit
        b.addStateStore(Stores.keyValueStoreBuilder(supplier(POD_USAGE_STORE, settings),
                BerthSerdes.key(), org.apache.kafka.common.serialization.Serdes.String()).withCachingEnabled());
        b.addStateStore(Stores.keyValueStoreBuilder(supplier(AUTOSCALERS_STORE, settings),
                BerthSerdes.key(), serdes.value(HpaStatus.class)));
        b.addStateStore(Stores.keyValueStoreBuilder(supplier(TICKS_STORE, settings),
                BerthSerdes.key(), serdes.value(Tick.class)));
        // cached: a workload's mark is rewritten by each status (its cause); one changelog record per commit
        b.addStateStore(Stores.keyValueStoreBuilder(supplier(DIRTY_STORE, settings),
                BerthSerdes.key(), org.apache.kafka.common.serialization.Serdes.String()).withCachingEnabled());
        b.addStateStore(Stores.keyValueStoreBuilder(supplier(NODE_CLOCK_STORE, settings),
                BerthSerdes.key(), org.apache.kafka.common.serialization.Serdes.Long()));
        b.addStateStore(Stores.keyValueStoreBuilder(supplier(NODE_LEASES_STORE, settings),
                BerthSerdes.key(), org.apache.kafka.common.serialization.Serdes.Long()));
        b.addStateStore(Stores.keyValueStoreBuilder(supplier(NODE_RUNNING_STORE, settings),
                BerthSerdes.key(), org.apache.kafka.common.serialization.Serdes.String()));
    }

    /**
     * The nodes and the allocation ledger as every instance sees them (read by the {@link Ticker});
     * the assignments table journals its changed keys for partition 0's ticker, the nodes table
     * journals which nodes changed ({@link NodesJournal}: a ticker re-reads only those); neither has a
     * cache, so a change is seen as soon as the global thread applies it.
     */
    private static void addGlobalStores(StreamsBuilder b, BerthSerdes serdes, LedgerJournal journal,
                                        NodesJournal nodesJournal) {
        b.globalTable(Topics.NODES.name(), serdes.consumed(Topics.NODES),
                Materialized.<String, NodeView>as(JournaledStore.supplier(GLOBAL_NODES_STORE, nodesJournal::changed))
                        .withKeySerde(BerthSerdes.key()).withValueSerde(serdes.value(NodeView.class)).withCachingDisabled());
        b.globalTable(Topics.ASSIGNMENTS.name(), serdes.consumed(Topics.ASSIGNMENTS),
                Materialized.<String, Assignment>as(JournaledStore.supplier(GLOBAL_ASSIGNMENTS_STORE, journal::changed))
                        .withKeySerde(BerthSerdes.key()).withValueSerde(serdes.value(Assignment.class)).withCachingDisabled());
        b.addGlobalStore(NamespaceLevels.storeBuilder(), Topics.WORKLOADS.name(),
                serdes.consumed(Topics.WORKLOADS).withName("namespace-levels-source"), NamespaceLevels::new);
    }

    /**
     * RocksDB, changelogged, live. A replay sandbox (replayPartitions > 0) never restarts, and a
     * test driver flushes stores after every record, so there the same stores are in memory
     * (a RocksDB flush per record made a replay ~10x slower).
     */
    static KeyValueBytesStoreSupplier supplier(String name, Settings settings) {
        return settings.replayPartitions() > 0 ? Stores.inMemoryKeyValueStore(name) : Stores.persistentKeyValueStore(name);
    }

    /**
     * A delete of a pod whose name has the generated shape {@code <workload>-<hash>-<suffix>}
     * belongs to a deployment (or, annotated {@link Topics#POD_OWNER_KIND_ANNOTATION} {@code Job}, a job); its
     * intent is keyed by the pod, so it is re-keyed to the owner to meet that workload's tasks. A bare pod's delete keeps its own key.
     */
    static boolean isOwnedPodDelete(String key, Intent i) {
        return i.getKind() == ResourceKind.POD && i.getAction() == IntentAction.DELETE
                && TaskNames.ownerOf(i.getName()).isPresent();
    }

    static String ownerKey(Intent podDelete) {
        ResourceKind owner = switch (podDelete.getAnnotations().getOrDefault(Topics.POD_OWNER_KIND_ANNOTATION, "")) {
            case "Job" -> ResourceKind.JOB;
            case "DaemonSet" -> ResourceKind.DAEMONSET;
            case "StatefulSet" -> ResourceKind.STATEFULSET;
            default -> ResourceKind.DEPLOYMENT;
        };
        return Topics.resourceKey(podDelete.getNamespace(), owner, TaskNames.ownerOf(podDelete.getName()).orElseThrow());
    }

    static <V extends SpecificRecord> KStream<String, SpecificRecord> generic(KStream<String, V> s) {
        return s.mapValues(v -> (SpecificRecord) v);
    }

    private static void sinks(KStream<String, Emit> out, BerthSerdes serdes, String prefix) {
        for (Topic<?> t : OUTPUTS) sink(out, t, serdes, prefix);
    }

    static <V extends SpecificRecord> void sink(KStream<String, Emit> out, Topic<V> topic, BerthSerdes serdes, String prefix) {
        Produced<String, V> produced = serdes.produced(topic).withName(prefix + "-to-" + topic.name());
        if (topic == Topics.ASSIGNMENTS) produced = produced.withStreamPartitioner(new AssignmentPartitioner<>());
        out.filter((k, e) -> e.topic() == topic, Named.as(prefix + "-select-" + topic.name()))
                .mapValues(e -> topic.valueClass().cast(e.value()), Named.as(prefix + "-cast-" + topic.name()))
                .to(topic.name(), produced);
    }
}

package io.berth.state;

import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.avro.WorkloadView;
import io.berth.schemas.policy.PodSecurity;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Every namespace's admission level as every instance sees it: a global store fed from the
 * workload views, keeping only namespace views (name → level label). Intents are partitioned by
 * their own key, so the partition that admits a pod does not hold its namespace's view; this
 * store lets it read the level (as of the last namespace view the global thread applied).
 */
final class NamespaceLevels implements Processor<String, WorkloadView, Void, Void> {
    static final String STORE = "global-namespace-levels";
    private static final String PREFIX = "/namespace/";
    private KeyValueStore<String, String> store;

    static StoreBuilder<KeyValueStore<String, String>> storeBuilder() {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE), Serdes.String(), Serdes.String()).withLoggingDisabled();
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, WorkloadView> r) {
        if (r.key() == null || !r.key().startsWith(PREFIX)) return;
        String name = r.key().substring(PREFIX.length());
        WorkloadView w = r.value();
        if (w == null || w.getDeleted() || w.getKind() != ResourceKind.NAMESPACE) store.delete(name);
        else store.put(name, PodSecurity.Level.of(w.getLabels()).label());
    }

    /** The level of a namespace: baseline when it has no view (yet) or no label. */
    static PodSecurity.Level level(KeyValueStore<String, String> store, String namespace) {
        String v = store == null ? null : store.get(namespace);
        return PodSecurity.Level.parse(v).orElse(PodSecurity.Level.BASELINE);
    }
}

package io.berth.schemas;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.*;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Creates every Berth topic that is missing and verifies the ones that exist. */
public final class TopicAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);

    private TopicAdmin() {}

    /** Replication factor: 3 on a cluster of three or more brokers, else what the cluster has. */
    public static short replicationFor(Admin admin) throws Exception {
        int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
        return (short) Math.min(3, Math.max(1, brokers));
    }

    /**
     * Ensures every topic in {@link Topics#ALL} exists with its cleanup policy. Existing topics are
     * verified (cleanup policy must match; a compacted topic Berth relies on must stay compacted).
     *
     * @throws IllegalStateException naming the topic and the mismatch
     */
    public static void ensureTopics(Admin admin) throws Exception {
        ensureTopics(admin, Topics.ALL, replicationFor(admin));
    }

    public static void ensureTopics(Admin admin, Collection<Topic<?>> topics, short replication) throws Exception {
        Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        List<NewTopic> missing = new ArrayList<>();
        for (Topic<?> t : topics) {
            if (!existing.contains(t.name())) {
                NewTopic nt = new NewTopic(t.name(), t.partitions(), replication);
                Map<String, String> cfg = new HashMap<>(t.configs());
                if (replication >= 3) cfg.put("min.insync.replicas", "2");
                missing.add(nt.configs(cfg));
            }
        }
        if (!missing.isEmpty()) {
            try {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                LOG.info("created topics {}", missing.stream().map(NewTopic::name).collect(Collectors.toList()));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) throw e;
            }
        }
        verifyWhenVisible(admin, topics);
    }

    /**
     * Verifies, waiting (up to 30 s) for topics just created to become visible: a describe right
     * after a create can answer UnknownTopicOrPartition until the metadata reaches the broker.
     */
    static void verifyWhenVisible(Admin admin, Collection<Topic<?>> topics) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try {
                verify(admin, topics);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.currentTimeMillis() > deadline) throw e;
                Thread.sleep(100); // metadata propagation; bounded by the deadline above
            }
        }
    }

    /** Verifies that every topic exists with the expected cleanup policy. */
    public static void verify(Admin admin, Collection<Topic<?>> topics) throws Exception {
        List<String> names = topics.stream().map(Topic::name).collect(Collectors.toList());
        Map<String, TopicDescription> desc = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
        List<ConfigResource> resources = names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).collect(Collectors.toList());
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
        for (Topic<?> t : topics) {
            if (!desc.containsKey(t.name())) throw new IllegalStateException("topic " + t.name() + " is missing");
            String policy = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, t.name())).get("cleanup.policy").value();
            if (!policy.contains(t.cleanupPolicy())) {
                throw new IllegalStateException("topic " + t.name() + " has cleanup.policy=" + policy + ", Berth needs " + t.cleanupPolicy());
            }
            if (t.partitions() == 1 && desc.get(t.name()).partitions().size() != 1) {
                throw new IllegalStateException("topic " + t.name() + " must have exactly one partition, has " + desc.get(t.name()).partitions().size());
            }
        }
    }
}

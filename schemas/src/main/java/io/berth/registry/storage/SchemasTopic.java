package io.berth.registry.storage;

import io.berth.schemas.TopicAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Creates or verifies a registry topic the way Confluent's {@code KafkaStore} does: exactly one
 * partition and {@code cleanup.policy=compact}, or startup fails naming the mismatch.
 */
public final class SchemasTopic {
    private SchemasTopic() {}

    public static void ensure(Admin admin, String topic) throws Exception {
        if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
            short replication = TopicAdmin.replicationFor(admin);
            Map<String, String> configs = new HashMap<>(Map.of("cleanup.policy", "compact"));
            if (replication >= 3) configs.put("min.insync.replicas", "2");
            try {
                admin.createTopics(List.of(new NewTopic(topic, 1, replication).configs(configs))).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) throw e;
            }
        }
        verifyWhenVisible(admin, topic);
    }

    /** A topic just created may take a moment to appear in every broker's metadata. */
    private static void verifyWhenVisible(Admin admin, String topic) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                verify(admin, topic);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) throw e;
                Thread.sleep(100);
            }
        }
    }

    static void verify(Admin admin, String topic) throws Exception {
        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
        int partitions = description.partitions().size();
        if (partitions != 1) {
            throw new IllegalStateException("The schema registry topic " + topic + " must have exactly 1 partition, it has " + partitions);
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
        String policy = config.get("cleanup.policy").value();
        if (!"compact".equals(policy)) {
            throw new IllegalStateException("The schema registry topic " + topic + " must have cleanup.policy=compact, it has " + policy);
        }
    }
}

package io.berth.schemas;

import io.berth.testing.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class TopicAdminTest {
    @Test
    void shouldCreateEveryTopicOnceAndRefuseAWrongCleanupPolicy() throws Exception {
        try (TestKafka kafka = TestKafka.start(); Admin admin = kafka.admin()) {
            TopicAdmin.ensureTopics(admin);
            TopicAdmin.ensureTopics(admin); // idempotent
            var names = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            for (Topic<?> t : Topics.ALL) assertTrue(names.contains(t.name()), t.name());

            // An operator flips the compacted assignments topic to delete: Berth must refuse to run on it.
            var res = new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, Topics.ASSIGNMENTS.name());
            admin.incrementalAlterConfigs(Map.of(res, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                    new org.apache.kafka.clients.admin.ConfigEntry("cleanup.policy", "delete"),
                    org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get(10, TimeUnit.SECONDS);
            // The broker applies the controller's config change asynchronously: wait for it, with a deadline.
            long deadline = System.currentTimeMillis() + 15_000;
            IllegalStateException refused = null;
            while (refused == null && System.currentTimeMillis() < deadline) {
                try {
                    TopicAdmin.ensureTopics(admin);
                } catch (IllegalStateException e) {
                    refused = e;
                }
            }
            assertNotNull(refused, "a compacted topic turned to delete must be refused");
            assertTrue(refused.getMessage().contains(Topics.ASSIGNMENTS.name()) && refused.getMessage().contains("compact"), refused.getMessage());
        }
    }
}

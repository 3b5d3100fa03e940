package io.berth.schemas.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.*;

class KafkaClientConfigTest {
    @TempDir
    Path dir;

    private BerthConfig config(String text) throws Exception {
        Path f = dir.resolve("kafka.properties");
        Files.writeString(f, text);
        return new BerthConfig("k1:9093,k2:9093", null, dir, Map.of(KafkaClientConfig.SETTING, f.toString()));
    }

    @Test
    void shouldLaySecuritySettingsUnderEveryClient() throws Exception {
        BerthConfig c = config("""
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="gw" password="pw";
                ssl.truststore.type=PEM
                ssl.truststore.location=/etc/berth/ca.crt
                request.timeout.ms=40000
                """);
        Properties p = c.clientProps("berth-gateway-intents");
        assertEquals("SASL_SSL", p.getProperty("security.protocol"));
        assertEquals("SCRAM-SHA-512", p.getProperty("sasl.mechanism"));
        assertTrue(p.getProperty("sasl.jaas.config").contains("username=\"gw\""));
        assertEquals("/etc/berth/ca.crt", p.getProperty("ssl.truststore.location"));
        assertEquals("40000", p.getProperty("request.timeout.ms"), "other client settings pass too");
        assertEquals("k1:9093,k2:9093", p.getProperty("bootstrap.servers"));
        assertEquals("berth-gateway-intents", p.getProperty("client.id"));

        Map<String, Object> m = c.clientMap("berth-cli", "acks", "all", "request.timeout.ms", 5000);
        assertEquals("SASL_SSL", m.get("security.protocol"));
        assertEquals("all", m.get("acks"));
        assertEquals(5000, m.get("request.timeout.ms"), "Berth's own setting for a client wins");
    }

    @Test
    void shouldHaveNoSettingsWhenUnset() {
        Properties p = BerthConfig.of("k:9092", null, dir).clientProps("x");
        assertEquals(Map.of("bootstrap.servers", "k:9092", "client.id", "x"), Map.copyOf(p));
    }

    @Test
    void shouldRefuseWhatBerthOwnsNamingTheKeyAndTheFile() throws Exception {
        for (String key : new String[]{"transactional.id", "value.serializer", "acks", "isolation.level", "group.id", "application.id",
                "processing.guarantee", "bootstrap.servers", "client.id", "default.value.serde", "enable.idempotence"}) {
            BerthConfig c = config("security.protocol=SSL\n" + key + "=x\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.clientProps("x"), key);
            assertTrue(e.getMessage().startsWith("kafka-config " + dir.resolve("kafka.properties") + ": " + key + " may not be set here: "), e.getMessage());
        }
    }

    @Test
    void shouldRefuseAKeyThatIsNoKafkaClientSetting() throws Exception {
        BerthConfig c = config("security.protocol=SASL_SSL\nsasl.jass.config=oops\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::kafkaConfig);
        assertTrue(e.getMessage().contains("sasl.jass.config is not a Kafka client setting"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> config("listeners=SASL_SSL://:9093\n").kafkaConfig(), "a broker setting");
    }

    @Test
    void shouldSayWhenTheFileCannotBeRead() {
        BerthConfig c = new BerthConfig("k:9092", null, dir, Map.of(KafkaClientConfig.SETTING, dir.resolve("missing.properties").toString()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.clientProps("x"));
        assertTrue(e.getMessage().startsWith("kafka-config: cannot read " + dir.resolve("missing.properties")), e.getMessage());
    }
}

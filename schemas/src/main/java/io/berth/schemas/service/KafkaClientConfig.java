package io.berth.schemas.service;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operator's Kafka client settings ({@code --kafka-config FILE}, setting {@value #SETTING}): a Java
 * properties file with {@code security.protocol}, {@code sasl.*}, {@code ssl.*} and other client
 * settings that {@link BerthConfig#clientProps} lays under every producer, consumer, admin client and
 * Streams app a Berth process makes.
 * <p>
 * A key that is no Kafka client setting (a typo such as {@code sasl.jass.config}) is refused, and so is
 * a setting Berth owns: the bus's encoding (serializers, serdes), its delivery guarantees
 * ({@code acks}, idempotence, transactions, {@code isolation.level}, {@code processing.guarantee}) and
 * the names ACLs are written for (client, group and application ids). The error names the key and the
 * file.
 */
public final class KafkaClientConfig {
    /** The setting ({@code --set kafka-config=FILE}) and the command-line option's name without dashes. */
    public static final String SETTING = "kafka-config";

    /** Keys Berth sets itself, with why an operator may not override them. */
    static final Map<String, String> FORBIDDEN = forbidden();

    private static final Set<String> KNOWN = known();

    private KafkaClientConfig() {}

    private static Map<String, String> forbidden() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("bootstrap.servers", "give it with --bootstrap-servers");
        String ids = "Berth names its clients, groups and Streams apps itself (ACLs are written for those names)";
        for (String k : new String[]{"client.id", "group.id", "group.instance.id", "application.id", "transactional.id"}) m.put(k, ids);
        String serde = "Berth's records are Avro in the Confluent wire format; Berth sets the (de)serializers";
        for (String k : new String[]{"key.serializer", "value.serializer", "key.deserializer", "value.deserializer",
                "default.key.serde", "default.value.serde", "partitioner.class"}) {
            m.put(k, serde);
        }
        String guarantees = "Berth's control loop depends on it (exactly-once, ordered, committed reads)";
        for (String k : new String[]{"acks", "enable.idempotence", "isolation.level", "processing.guarantee", "enable.auto.commit",
                "auto.offset.reset", "transaction.timeout.ms", "max.in.flight.requests.per.connection"}) {
            m.put(k, guarantees);
        }
        m.put("state.dir", "Berth keeps Streams state in its data dir");
        return Map.copyOf(m);
    }

    private static Set<String> known() {
        Set<String> s = new HashSet<>();
        s.addAll(ProducerConfig.configNames());
        s.addAll(ConsumerConfig.configNames());
        s.addAll(AdminClientConfig.configNames());
        s.addAll(StreamsConfig.configDef().names());
        return Set.copyOf(s);
    }

    /** The settings of {@code file}, checked; an {@link IllegalArgumentException} names the bad key and the file. */
    public static Properties load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException(SETTING + ": cannot read " + file + ": " + e.getMessage(), e);
        }
        check(p, file.toString());
        return p;
    }

    /** Refuses unknown and Berth-owned keys of {@code p} (read from {@code source}), naming the first in order. */
    public static void check(Properties p, String source) {
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            String why = FORBIDDEN.get(key);
            if (why != null) {
                throw new IllegalArgumentException(SETTING + " " + source + ": " + key + " may not be set here: " + why);
            }
            if (!KNOWN.contains(key)) {
                throw new IllegalArgumentException(SETTING + " " + source + ": " + key + " is not a Kafka client setting"
                        + " (producer, consumer, admin or Streams); security settings are security.protocol, sasl.*, ssl.*");
            }
        }
    }
}

package io.berth.schemas.service;

import io.berth.registry.SharedKafka;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** A dead stream thread is replaced; threads that keep dying stop the client and report it as fatal (issue 13, crash-only). */
class StreamsSupervisionTest {

    @Test
    void shouldReplaceUpToTheBudgetWithinTheWindowThenShutDown() {
        Deque<Long> deaths = new ArrayDeque<>();
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, StreamsSupervision.decide(deaths, 1_000, 3, 60_000));
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, StreamsSupervision.decide(deaths, 2_000, 3, 60_000));
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, StreamsSupervision.decide(deaths, 3_000, 3, 60_000));
        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT, StreamsSupervision.decide(deaths, 4_000, 3, 60_000), "a 4th death within the window");
    }

    @Test
    void shouldForgetDeathsOlderThanTheWindow() {
        Deque<Long> deaths = new ArrayDeque<>(List.of(1_000L, 2_000L, 3_000L));
        // an hour later: the old deaths no longer count
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, StreamsSupervision.decide(deaths, 3_601_000, 3, 60_000));
        assertEquals(List.of(3_601_000L), List.copyOf(deaths));
    }

    /**
     * On a real broker: a record whose processing throws an {@link Error} (which no processing
     * exception handler catches) kills the stream thread; the replacement reads it again and dies,
     * so after its budget of replacements (1 here; 3 in the services) the client stops and the fatal
     * report says why — where a process without this would keep running with no stream thread.
     */
    @Test
    void shouldReplaceADeadThreadAndReportFatalWhenThreadsKeepDying() throws Exception {
        String topic = "supervision-" + UUID.randomUUID();
        SharedKafka.get().admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        AtomicInteger ok = new AtomicInteger(), poison = new AtomicInteger();
        StreamsBuilder b = new StreamsBuilder();
        b.stream(topic, Consumed.with(Serdes.String(), Serdes.String())).foreach((k, v) -> {
            if (v.equals("die")) {
                poison.incrementAndGet();
                throw new Error("a bug no handler catches");
            }
            ok.incrementAndGet();
        });
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "supervision-" + UUID.randomUUID());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.get().bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("supervision").toString());
        p.put("consumer.auto.offset.reset", "earliest");
        p.put("consumer.session.timeout.ms", "6000"); // a dead thread's member leaves the group sooner
        p.put("consumer.heartbeat.interval.ms", "1000");
        CompletableFuture<String> fatal = new CompletableFuture<>();
        try (KafkaStreams ks = new KafkaStreams(b.build(), p);
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", SharedKafka.get().bootstrapServers()),
                     new StringSerializer(), new StringSerializer())) {
            StreamsSupervision.install(ks, "supervised", (now, old) -> {}, fatal::complete, 1);
            ks.start();
            producer.send(new ProducerRecord<>(topic, "a", "fine")).get(30, TimeUnit.SECONDS);
            long deadline = System.currentTimeMillis() + 60_000;
            while (ok.get() == 0) {
                assertTrue(System.currentTimeMillis() < deadline, "the first record was never processed; state " + ks.state());
                Thread.sleep(50);
            }
            producer.send(new ProducerRecord<>(topic, "a", "die")).get(30, TimeUnit.SECONDS);
            String why = fatal.get(120, TimeUnit.SECONDS);
            assertEquals(2, poison.get(), "the first thread and its replacement read the record and died");
            assertTrue(why.contains("supervised: Kafka Streams stopped for good (state ERROR, 2 stream thread deaths"), why);
            assertEquals(KafkaStreams.State.ERROR, ks.state());
        }
    }
}

package io.berth.schemas.service;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reads one partition of a small compacted topic whole from the beginning and follows it on its own
 * thread, handing each record to its owner, which keeps the objects in memory (the gateway's RBAC
 * policy, the Secrets and ConfigMaps of the gateway and every node daemon). {@link #awaitRead} is
 * read-your-writes: it completes once the owner has applied the record at that offset, and
 * {@code afterBatch} (run on the reader thread after a batch that held records, before the position
 * moves) has seen it.
 */
public final class PartitionFollower implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PartitionFollower.class);

    private final Properties clientProps;
    private final TopicPartition partition;
    private final Consumer<ConsumerRecord<String, byte[]>> apply;
    private final Runnable afterBatch;
    private final Map<CompletableFuture<Void>, Long> waiting = new ConcurrentHashMap<>();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile long position;
    private volatile boolean running = true;
    private Thread reader;

    /**
     * @param clientProps the consumer's settings ({@code BerthConfig.clientProps}); its client id gets
     *                    {@code "-" + partition topic}'s last word appended, no group is used
     * @param apply       applies one record (a null value is a tombstone); must not throw
     * @param afterBatch  after every batch that held records
     */
    public PartitionFollower(Properties clientProps, TopicPartition partition, Consumer<ConsumerRecord<String, byte[]>> apply,
                             Runnable afterBatch) {
        this.clientProps = clientProps;
        this.partition = partition;
        this.apply = apply;
        this.afterBatch = afterBatch;
    }

    public PartitionFollower start(String threadName) {
        reader = new Thread(this::follow, threadName);
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    /** Whether everything that was on the partition when the reader started has been applied. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Completes when the reader's position is past {@code offset} (fails after 30 s). */
    public CompletableFuture<Void> awaitRead(long offset) {
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
        String topic = partition.topic();
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientProps.getProperty(ConsumerConfig.CLIENT_ID_CONFIG, "berth")
                + "-" + topic.substring(topic.lastIndexOf('.') + 1));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> r : records) apply.accept(r);
                if (!records.isEmpty()) afterBatch.run();
                position = consumer.position(partition);
                if (position >= end) caughtUp.countDown();
                release();
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            // closing
        } catch (Exception e) {
            log.error("the reader of {} stopped; what it read stays as last read", partition, e);
        }
    }

    @Override
    public void close() {
        running = false;
        if (reader != null) {
            try {
                reader.join(Shutdown.THREAD_JOIN.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

package io.berth.registry.storage;

import io.berth.registry.core.*;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The registry's log: a reader thread consumes {@code _schemas} partition 0 from the earliest
 * offset into the {@link RegistryState}; writes go to partition 0 (acks=all, idempotent) and
 * return only once the reader has applied them (read-your-writes, as SR's {@code KafkaStore.put}).
 */
public final class KafkaStore implements RecordWriter, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaStore.class);

    private final TopicPartition partition;
    private final StoreApplier applier;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Duration timeout;
    private final Thread reader;
    private final Object progress = new Object();
    private long applied; // next offset to apply, guarded by progress
    private volatile boolean running = true;
    private volatile Throwable readerFailure;

    public KafkaStore(Properties clientProps, String topic, RegistryState state, Duration timeout) {
        this.partition = new TopicPartition(topic, 0);
        this.applier = new StoreApplier(state);
        this.timeout = timeout;
        Properties c = new Properties();
        c.putAll(clientProps);
        c.put("client.id", clientProps.getProperty("client.id", "registry") + "-reader");
        c.put("enable.auto.commit", "false");
        c.put("auto.offset.reset", "earliest");
        c.put("isolation.level", "read_committed");
        this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Properties p = new Properties();
        p.putAll(clientProps);
        p.put("client.id", clientProps.getProperty("client.id", "registry") + "-writer");
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("linger.ms", "0");
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.reader = new Thread(this::readLoop, "registry-store-reader");
        this.reader.setDaemon(true);
    }

    /** Starts the reader and returns once it has applied everything in the topic. */
    public void start() {
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        reader.start();
        catchUp();
    }

    /** Blocks until the reader has applied every record written before this call (writes a NOOP, as SR does). */
    public void catchUp() {
        write(StoreCodec.noopKey(), null);
    }

    private void readLoop() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    applier.apply(r.key(), r.value(), r.offset());
                }
                long position = consumer.position(partition);
                synchronized (progress) {
                    applied = position;
                    progress.notifyAll();
                }
            }
        } catch (WakeupException e) {
            if (running) readerFailure = e;
        } catch (Throwable t) {
            readerFailure = t;
            LOG.error("registry store reader stopped", t);
        } finally {
            consumer.close(io.berth.schemas.service.Shutdown.CLIENT_CLOSE);
            synchronized (progress) {
                progress.notifyAll();
            }
        }
    }

    private void write(byte[] key, byte[] value) {
        long offset;
        try {
            offset = producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), key, value))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
        } catch (TimeoutException e) {
            throw new RegistryError(RegistryError.TIMEOUT, "Write to " + partition.topic() + " timed out after " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new RegistryError(RegistryError.STORE_ERROR, "Write to " + partition.topic() + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryError(RegistryError.STORE_ERROR, "Interrupted while writing to " + partition.topic());
        }
        awaitApplied(offset);
    }

    private void awaitApplied(long offset) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (applied <= offset) {
                if (readerFailure != null || !reader.isAlive() && reader.getState() != Thread.State.NEW) {
                    throw new RegistryError(RegistryError.STORE_ERROR, "The registry's reader of " + partition.topic() + " has stopped: " + readerFailure);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new RegistryError(RegistryError.TIMEOUT, "Offset " + offset + " of " + partition.topic()
                            + " was written but not read back within " + timeout.toMillis() + " ms");
                }
                try {
                    progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegistryError(RegistryError.STORE_ERROR, "Interrupted while waiting for the reader of " + partition.topic());
                }
            }
        }
    }

    // ---- RecordWriter ----

    @Override
    public void putSchema(SchemaEntry entry) {
        write(StoreCodec.schemaKey(entry.subject(), entry.version()), StoreCodec.schemaValue(entry));
    }

    @Override
    public void tombstoneSchema(String subject, int version) {
        write(StoreCodec.schemaKey(subject, version), null);
    }

    @Override
    public void deleteSubject(String subject, int upToVersion) {
        write(StoreCodec.deleteSubjectKey(subject), StoreCodec.deleteSubjectValue(subject, upToVersion));
    }

    @Override
    public void putConfig(String subject, CompatibilityLevel level) {
        write(StoreCodec.configKey(subject), level == null ? null : StoreCodec.configValue(level));
    }

    @Override
    public void putMode(String subject, Mode mode) {
        write(StoreCodec.modeKey(subject), mode == null ? null : StoreCodec.modeValue(mode));
    }

    @Override
    public void close() {
        running = false;
        if (reader.getState() == Thread.State.NEW) consumer.close(io.berth.schemas.service.Shutdown.CLIENT_CLOSE);
        else consumer.wakeup();
        try {
            reader.join(io.berth.schemas.service.Shutdown.THREAD_JOIN.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(io.berth.schemas.service.Shutdown.CLIENT_CLOSE);
    }
}

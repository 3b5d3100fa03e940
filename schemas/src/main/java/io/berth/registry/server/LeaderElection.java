package io.berth.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Picks the single writer among registry instances with Kafka's own group membership: every
 * instance joins the consumer group {@code schema-registry} on the one-partition coordination
 * topic; whoever owns partition 0 is the leader. The cooperative-sticky assignor keeps the
 * partition where it is when instances join, so leadership only moves when the leader leaves or
 * dies (session timeout). On election the leader first catches up with {@code _schemas} (so its
 * next id is max id + 1 of the whole log), then publishes {@code {"url","generation"}} on the
 * coordination topic, once per rebalance. Every instance reads that topic to learn where to forward
 * writes; a record older than the instance's own group generation is ignored as stale.
 *
 * <p>States: FOLLOWER → (partition 0 assigned, caught up) → LEADER → (revoked or lost) → FOLLOWER.
 */
final class LeaderElection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String DEFAULT_GROUP_ID = "schema-registry";
    private static final String LEADER_KEY = "leader";

    private final Supplier<String> selfUrl;
    private final TopicPartition partition;
    private final Runnable catchUp;
    private final KafkaConsumer<String, String> member;
    private final KafkaConsumer<String, String> watcher;
    private final KafkaProducer<String, String> publisher;
    private final Thread memberThread;
    private final Thread watcherThread;
    private final Object changed = new Object();
    private volatile boolean running = true;
    private volatile boolean leader;
    private volatile boolean ownsPartition;
    private volatile boolean publishNeeded;
    private volatile int generation = -1;
    private volatile String publishedUrl;
    private volatile int publishedGeneration = -1;

    LeaderElection(Properties clientProps, String topic, String groupId, Supplier<String> selfUrl, Duration sessionTimeout, Runnable catchUp) {
        this.selfUrl = selfUrl;
        this.partition = new TopicPartition(topic, 0);
        this.catchUp = catchUp;
        String clientId = clientProps.getProperty("client.id", "registry");
        Properties m = copy(clientProps, clientId + "-member");
        m.put("group.id", groupId);
        m.put("group.protocol", "classic");
        m.put("partition.assignment.strategy", CooperativeStickyAssignor.class.getName());
        m.put("enable.auto.commit", "false");
        m.put("session.timeout.ms", Long.toString(sessionTimeout.toMillis()));
        m.put("heartbeat.interval.ms", Long.toString(Math.max(100, sessionTimeout.toMillis() / 4)));
        this.member = new KafkaConsumer<>(m, new StringDeserializer(), new StringDeserializer());
        Properties w = copy(clientProps, clientId + "-leader-watcher");
        w.put("enable.auto.commit", "false");
        this.watcher = new KafkaConsumer<>(w, new StringDeserializer(), new StringDeserializer());
        Properties p = copy(clientProps, clientId + "-leader-publisher");
        p.put("acks", "all");
        this.publisher = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        this.memberThread = new Thread(this::memberLoop, "registry-election");
        this.watcherThread = new Thread(this::watchLoop, "registry-leader-watcher");
        memberThread.setDaemon(true);
        watcherThread.setDaemon(true);
    }

    private static Properties copy(Properties base, String clientId) {
        Properties p = new Properties();
        p.putAll(base);
        p.put("client.id", clientId);
        return p;
    }

    void start() {
        watcher.assign(List.of(partition));
        watcher.seekToBeginning(List.of(partition));
        watcherThread.start();
        member.subscribe(List.of(partition.topic()), new Listener());
        memberThread.start();
    }

    boolean isLeader() {
        return leader;
    }

    /** The URL writes go to: this instance's if it leads, else the current leader's, if known. */
    Optional<String> leaderUrl() {
        if (leader) return Optional.of(selfUrl.get());
        String url = publishedUrl;
        return url != null && publishedGeneration >= generation && generation >= 0 ? Optional.of(url) : Optional.empty();
    }

    /** Waits until a leader is known (this instance or another); false on timeout. */
    boolean awaitLeader(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changed) {
            while (leaderUrl().isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                changed.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            return true;
        }
    }

    private void memberLoop() {
        try {
            while (running) {
                member.poll(Duration.ofMillis(200));
                if (ownsPartition && !leader) becomeLeader();
                if (ownsPartition && leader && publishNeeded) publishNeeded = !publish();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("registry leader election stopped; this instance no longer leads", e);
        } finally {
            stepDown("election stopped");
            member.close(Duration.ofSeconds(2));
        }
    }

    private void watchLoop() {
        try {
            while (running) {
                for (ConsumerRecord<String, String> r : watcher.poll(Duration.ofMillis(200))) {
                    if (!LEADER_KEY.equals(r.key()) || r.value() == null) continue;
                    JsonNode v = JSON.readTree(r.value());
                    publishedUrl = v.path("url").asText(null);
                    publishedGeneration = v.path("generation").asInt(-1);
                    signal();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Exception e) {
            LOG.error("registry leader watcher stopped", e);
        } finally {
            watcher.close(Duration.ofSeconds(2));
        }
    }

    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> added) {
            generation = member.groupMetadata().generationId();
            ownsPartition = member.assignment().contains(partition);
            publishNeeded = ownsPartition;
            signal();
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            if (revoked.contains(partition)) {
                ownsPartition = false;
                stepDown("partition revoked");
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            if (lost.contains(partition)) {
                ownsPartition = false;
                stepDown("membership lost");
            }
        }
    }

    /** Catches up with {@code _schemas} before taking writes; retried on the next poll if it fails. */
    private void becomeLeader() {
        try {
            catchUp.run();
        } catch (RuntimeException e) {
            LOG.warn("registry {} owns the leader partition but could not catch up yet: {}", selfUrl.get(), e.getMessage());
            return;
        }
        leader = true;
        LOG.info("registry {} is now the leader (generation {})", selfUrl.get(), generation);
        signal();
    }

    /** Tells the other instances where the leader is; true once written. */
    private boolean publish() {
        String value = JSON.createObjectNode().put("url", selfUrl.get()).put("generation", generation).toString();
        try {
            publisher.send(new ProducerRecord<>(partition.topic(), partition.partition(), LEADER_KEY, value)).get(10, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            LOG.warn("registry leader {} could not publish its URL: {}", selfUrl.get(), e.toString());
            return false;
        }
    }

    private void stepDown(String why) {
        if (leader) LOG.info("registry {} stops leading: {}", selfUrl.get(), why);
        leader = false;
        signal();
    }

    private void signal() {
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    @Override
    public void close() {
        running = false;
        stepDown("closing");
        if (memberThread.getState() == Thread.State.NEW) member.close(Duration.ofSeconds(2));
        else member.wakeup();
        if (watcherThread.getState() == Thread.State.NEW) watcher.close(Duration.ofSeconds(2));
        else watcher.wakeup();
        join(memberThread);
        join(watcherThread);
        publisher.close(io.berth.schemas.service.Shutdown.CLIENT_CLOSE);
    }

    private static void join(Thread t) {
        try {
            t.join(io.berth.schemas.service.Shutdown.THREAD_JOIN.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

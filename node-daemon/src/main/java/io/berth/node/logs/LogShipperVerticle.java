package io.berth.node.logs;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.berth.node.bus.Addresses;
import io.berth.node.bus.EventPublisher;
import io.berth.node.bus.TaskRunning;
import io.berth.node.docker.DockerRuntime;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.LogLine;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Ships container output to berth.logs (key task id), one LogLine per line, from the moment the
 * reconciler reports a container RUNNING.
 *
 * <p>How: as kubelet and Fluent Bit, it reads the engine's json-file log from disk ({@code LogPath}
 * of inspect) with a {@link LogFileTailer} per container, all polled by ONE thread
 * ({@code berth-logs-<node>}) every {@code pollMs}: no Docker API connection is held, so 110 or
 * 1,000 running containers cost open files, not the connections short Docker calls need. A
 * container's file is tailed until it is deleted (container removed); a restart of the same
 * container appends to the same file and is simply read on. When the log driver is not json-file or
 * the file is unreadable (a remote engine), it falls back to following the container over the
 * runtime's separate streams client ({@link DockerRuntime#streams()}), until that stream ends.
 */
public final class LogShipperVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(LogShipperVerticle.class);

    private final DockerRuntime docker;
    private final EventPublisher publisher;
    private final String nodeId;
    private final long pollMs;
    /** container id → its tailer or stream (a placeholder while the log path is being read) */
    private final Map<String, Object> following = new ConcurrentHashMap<>();
    private static final int ATTACH_ATTEMPTS = 30;
    private ScheduledExecutorService poller;
    private volatile long startedMillis;

    public LogShipperVerticle(DockerRuntime docker, EventPublisher publisher, String nodeId) {
        this(docker, publisher, nodeId, 200);
    }

    public LogShipperVerticle(DockerRuntime docker, EventPublisher publisher, String nodeId, long pollMs) {
        this.docker = docker;
        this.publisher = publisher;
        this.nodeId = nodeId;
        this.pollMs = pollMs;
    }

    @Override
    public Future<?> start() {
        startedMillis = System.currentTimeMillis();
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "berth-logs-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::pollAll, pollMs, pollMs, TimeUnit.MILLISECONDS);
        vertx.eventBus().<TaskRunning>localConsumer(new Addresses(nodeId).taskRunning(), m -> follow(m.body()));
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        ScheduledExecutorService p = poller;
        return vertx.executeBlocking(() -> {
            if (p != null) {
                p.shutdown();
                p.awaitTermination(5, TimeUnit.SECONDS);
            }
            Map<String, Object> open = Map.copyOf(following);
            following.clear();
            for (Object o : open.values()) {
                try {
                    if (o instanceof AutoCloseable c) c.close();
                } catch (Exception ignored) {
                    // stream already broken
                }
            }
            return null;
        });
    }

    /** How many containers are followed now (files tailed + streams), for tests and the README's figures. */
    public int following() {
        return following.size();
    }

    private void follow(TaskRunning t) {
        if (following.putIfAbsent(t.containerId(), t) != null) return; // claimed: a second RUNNING does not attach twice
        try {
            poller.execute(() -> attach(t)); // the inspect is a short call; the poller thread is not an event loop
        } catch (RejectedExecutionException e) {
            following.remove(t.containerId(), t); // stopping
        }
    }

    private void attach(TaskRunning t) {
        attach(t, 1);
    }

    /**
     * Inspects the container for its log file and start time, then tails the file (or follows the
     * stream). The inspect is a short Docker call that may wait for a pooled connection when many
     * containers start at once; a failed one is retried ({@link #ATTACH_ATTEMPTS} times, a second
     * apart) rather than guessing the start: a guess after the fact would skip the first lines.
     */
    private void attach(TaskRunning t, int attempt) {
        if (following.get(t.containerId()) != t) return; // removed or stopping meanwhile
        DockerRuntime.LogSource source;
        try {
            source = docker.logSource(t.containerId());
        } catch (RuntimeException e) {
            if (attempt < ATTACH_ATTEMPTS) {
                log.info("node {}: inspecting {} for its log failed (attempt {}), retrying: {}", nodeId, t.taskId(), attempt, e.toString());
                try {
                    poller.schedule(() -> attach(t, attempt + 1), 1, TimeUnit.SECONDS);
                } catch (RejectedExecutionException stopping) {
                    following.remove(t.containerId(), t);
                }
                return;
            }
            log.warn("node {}: no log source for {} after {} attempts, following its stream from when it was noticed: {}",
                    nodeId, t.taskId(), attempt, e.toString());
            source = new DockerRuntime.LogSource(null, 0);
        }
        long sinceMillis = sinceMillis(t.sinceEpochSeconds() * 1000L, source.startedAtMillis(), startedMillis);
        Path path = source.path();
        if (path != null && Files.isReadable(path)) {
            LogFileTailer tailer = new LogFileTailer(path, sinceMillis, (stream, line, at) -> ship(t, stream, line, at));
            if (!following.replace(t.containerId(), t, tailer)) tailer.close();
            else poll(t.containerId(), tailer);
        } else {
            log.debug("node {}: {} has no readable json-file log ({}): following its stream", nodeId, t.taskId(), path);
            stream(t, sinceMillis);
        }
    }

    /**
     * From when a container's output is shipped. A container that started while this shipper ran
     * has shipped nothing of its current run: everything from its own start goes (the reconciler
     * may notice the start seconds after the first line was written, when 110 containers start at
     * once). A container started before (adopted by a restarted daemon) ships from the moment it
     * was noticed, so what the previous daemon shipped is not shipped twice. The engine stamps
     * {@code StartedAt} after the process may already have written (measured: the first line at
     * 16:44:22.2146, {@code StartedAt} 16:44:22.2300), hence {@link #START_SLACK_MS} before it.
     */
    static long sinceMillis(long noticedMillis, long containerStartedMillis, long shipperStartedMillis) {
        if (containerStartedMillis > 0 && containerStartedMillis >= shipperStartedMillis) return Math.max(0, containerStartedMillis - START_SLACK_MS);
        return Math.max(0, noticedMillis);
    }

    /** How long before the engine's {@code StartedAt} a container's first line may be stamped. */
    static final long START_SLACK_MS = 1_000;

    private void pollAll() {
        for (Iterator<Map.Entry<String, Object>> it = following.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Object> e = it.next();
            if (e.getValue() instanceof LogFileTailer tailer) poll(e.getKey(), tailer);
        }
    }

    private void poll(String containerId, LogFileTailer tailer) {
        try {
            if (!tailer.poll()) following.remove(containerId, tailer); // the container was removed
        } catch (Exception e) {
            log.warn("node {}: reading {} failed: {}", nodeId, tailer.path(), e.toString());
            tailer.close();
            following.remove(containerId, tailer);
        }
    }

    /** The fallback: follow over the streams client until the stream ends (the container died). */
    private void stream(TaskRunning t, long sinceMillis) {
        LineSplitter out = new LineSplitter(line -> ship(t, "stdout", line, System.currentTimeMillis()));
        LineSplitter err = new LineSplitter(line -> ship(t, "stderr", line, System.currentTimeMillis()));
        ResultCallback.Adapter<Frame> cb = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame f) {
                (f.getStreamType() == StreamType.STDERR ? err : out).accept(f.getPayload());
            }

            @Override
            public void onError(Throwable e) {
                log.debug("node {}: log stream of {} ended: {}", nodeId, t.taskId(), e.toString());
                done();
            }

            @Override
            public void onComplete() {
                done();
            }

            private void done() {
                out.flush();
                err.flush();
                following.remove(t.containerId());
            }
        };
        following.replace(t.containerId(), t, (Closeable) cb);
        docker.streams().logContainerCmd(t.containerId())
                .withFollowStream(true).withStdOut(true).withStdErr(true)
                .withSince((int) (sinceMillis / 1000))
                .exec(cb); // asynchronous: the stream is read on docker-java's thread
    }

    private void ship(TaskRunning t, String stream, String line, long at) {
        LogLine l = LogLine.newBuilder().setTaskId(t.taskId()).setPodName(t.podName()).setNamespace(t.namespace())
                .setContainer(t.containerName()).setStream(stream).setLine(line)
                .setTimestamp(at).setNodeId(nodeId).build();
        publisher.publish(Topics.LOGS, t.taskId(), l);
    }
}

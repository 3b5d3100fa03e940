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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ships container output to berth.logs (key task id), one LogLine per line. It follows a container
 * from the moment the reconciler reports it RUNNING until its stream ends (the container died);
 * the next RUNNING of the task attaches again. docker-java reads each stream on its own thread.
 */
public final class LogShipperVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(LogShipperVerticle.class);

    private final DockerRuntime docker;
    private final EventPublisher publisher;
    private final String nodeId;
    private final Map<String, Closeable> following = new ConcurrentHashMap<>();

    public LogShipperVerticle(DockerRuntime docker, EventPublisher publisher, String nodeId) {
        this.docker = docker;
        this.publisher = publisher;
        this.nodeId = nodeId;
    }

    @Override
    public Future<?> start() {
        vertx.eventBus().<TaskRunning>localConsumer(new Addresses(nodeId).taskRunning(), m -> follow(m.body()));
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        Map<String, Closeable> open = Map.copyOf(following);
        following.clear();
        return vertx.executeBlocking(() -> {
            for (Closeable c : open.values()) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // stream already broken
                }
            }
            return null;
        });
    }

    private void follow(TaskRunning t) {
        if (following.containsKey(t.containerId())) return;
        LineSplitter out = new LineSplitter(line -> ship(t, "stdout", line));
        LineSplitter err = new LineSplitter(line -> ship(t, "stderr", line));
        ResultCallback.Adapter<Frame> cb = new ResultCallback.Adapter<>() {
            @Override
            public void onStart(Closeable stream) {
                super.onStart(stream);
                following.put(t.containerId(), stream);
            }

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
        following.put(t.containerId(), cb); // claim before the async start, so a second RUNNING does not attach twice
        docker.client().logContainerCmd(t.containerId())
                .withFollowStream(true).withStdOut(true).withStdErr(true)
                .withSince(Math.max(0, t.sinceEpochSeconds()))
                .exec(cb); // asynchronous: the stream is read on docker-java's thread
    }

    private void ship(TaskRunning t, String stream, String line) {
        LogLine l = LogLine.newBuilder().setTaskId(t.taskId()).setPodName(t.podName()).setNamespace(t.namespace())
                .setContainer(t.containerName()).setStream(stream).setLine(line)
                .setTimestamp(System.currentTimeMillis()).setNodeId(nodeId).build();
        publisher.publish(Topics.LOGS, t.taskId(), l);
    }
}

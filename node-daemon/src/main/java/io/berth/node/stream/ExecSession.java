package io.berth.node.stream;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecStartCmd;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One {@code docker exec} behind a WebSocket speaking Kubernetes' channel protocol ({@code v4.channel.k8s.io} /
 * {@code v5.channel.k8s.io}): each binary message starts with its channel — 0 stdin, 1 stdout, 2 stderr,
 * 3 error (a {@code metav1.Status} once the command ended: {@link ExitStatus}), 4 resize
 * ({@code {"Width":80,"Height":24}}), 255 close (v5: {@code [255, 0]} ends stdin). Docker calls run on the
 * worker pool and on docker-java's own threads, never on the event loop; output waits for the WebSocket to drain.
 */
final class ExecSession {
    private static final Logger LOG = LoggerFactory.getLogger(ExecSession.class);
    static final int STDIN = 0, STDOUT = 1, STDERR = 2, ERROR = 3, RESIZE = 4, CLOSE = 255;
    /** Input queued for the command beyond which the WebSocket is paused. */
    private static final long STDIN_HIGH_WATER = 1 << 20;

    private final Vertx vertx;
    private final WorkerExecutor worker;
    private final DockerClient shortCalls;
    private final DockerClient streams;
    private final String dockerHost;
    private final ServerWebSocket ws;
    private final String containerId;
    private final ExecRequest req;
    private final QueueInputStream stdin = new QueueInputStream();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile String execId;
    private volatile Closeable running;
    private final Runnable onEnd;

    ExecSession(Vertx vertx, WorkerExecutor worker, DockerClient shortCalls, DockerClient streams, String dockerHost, ServerWebSocket ws,
                String containerId, ExecRequest req, Runnable onEnd) {
        this.dockerHost = dockerHost;
        this.vertx = vertx;
        this.worker = worker;
        this.shortCalls = shortCalls;
        this.streams = streams;
        this.ws = ws;
        this.containerId = containerId;
        this.req = req;
        this.onEnd = onEnd;
    }

    void start() {
        ws.binaryMessageHandler(this::onMessage);
        ws.closeHandler(v -> {
            stdin.end();
            closeQuietly(running); // the command goes on in the container, as with docker exec
            end();
        });
        worker.executeBlocking(() -> {
            execId = shortCalls.execCreateCmd(containerId).withCmd(req.command().toArray(String[]::new))
                    .withAttachStdin(req.stdin()).withAttachStdout(req.stdout()).withAttachStderr(req.stderr()).withTty(req.tty())
                    .exec().getId();
            if (req.stdin()) {
                startHijacked(); // docker-java cannot end an exec's stdin: the engine's socket, directly
            } else {
                ExecStartCmd start = streams.execStartCmd(execId).withDetach(false).withTty(req.tty());
                running = start.exec(new Output());
            }
            return null;
        }, false).onFailure(e -> finish(ExitStatus.failure("failed to exec in container: " + e.getMessage(), "InternalError")));
    }

    private void onMessage(Buffer b) {
        if (b.length() == 0) return;
        int channel = b.getUnsignedByte(0);
        switch (channel) {
            case STDIN -> {
                if (!req.stdin()) return;
                stdin.offer(b.getBytes(1, b.length()));
                if (stdin.queued() > STDIN_HIGH_WATER) pauseUntilDrained();
            }
            case RESIZE -> resize(b.getString(1, b.length()));
            case CLOSE -> {
                if (b.length() > 1 && b.getUnsignedByte(1) == STDIN) stdin.end();
            }
            default -> { } // nothing else is the client's to send
        }
    }

    private void pauseUntilDrained() {
        ws.pause();
        vertx.setPeriodic(20, id -> {
            if (stdin.queued() <= STDIN_HIGH_WATER / 2 || finished.get()) {
                vertx.cancelTimer(id);
                ws.resume();
            }
        });
    }

    private void resize(String json) {
        if (!req.tty()) return;
        int w, h;
        try {
            JsonObject size = new JsonObject(json);
            w = size.getInteger("Width", 0);
            h = size.getInteger("Height", 0);
        } catch (RuntimeException e) {
            return; // a malformed resize is ignored, as the kubelet does
        }
        if (w <= 0 || h <= 0 || execId == null) return;
        String id = execId;
        worker.executeBlocking(() -> {
            shortCalls.resizeExecCmd(id).withSize(h, w).exec();
            return null;
        }, false).onFailure(e -> LOG.debug("exec resize failed: {}", e.toString()));
    }

    /**
     * With stdin: the exec started on a hijacked connection of its own ({@link io.berth.node.docker.HijackedExec}), one
     * thread copying stdin to it (and shutting its output down at stdin's end), one reading the output.
     */
    private void startHijacked() throws java.io.IOException {
        io.berth.node.docker.HijackedExec exec = io.berth.node.docker.HijackedExec.start(dockerHost, execId, req.tty());
        running = exec;
        Thread writer = new Thread(() -> {
            byte[] buf = new byte[16384];
            try {
                for (int n; (n = stdin.read(buf, 0, buf.length)) >= 0; ) {
                    if (n > 0) exec.write(java.util.Arrays.copyOf(buf, n));
                }
                exec.closeStdin();
            } catch (java.io.IOException e) {
                LOG.debug("exec stdin ended: {}", e.toString());
            }
        }, "berth-exec-stdin-" + execId.substring(0, Math.min(12, execId.length())));
        Thread reader = new Thread(() -> {
            try {
                for (io.berth.node.docker.HijackedExec.Chunk c; (c = exec.next()) != null; ) sendOutput(c.stream() == 2 ? STDERR : STDOUT, c.data());
            } catch (java.io.IOException e) {
                if (!ws.isClosed()) LOG.debug("exec output ended: {}", e.toString());
            }
            exited();
        }, "berth-exec-output-" + execId.substring(0, Math.min(12, execId.length())));
        writer.setDaemon(true);
        reader.setDaemon(true);
        writer.start();
        reader.start();
    }

    /** One piece of output as a channel message; waits (on the calling Docker thread) while the WebSocket is full. */
    private void sendOutput(int channel, byte[] payload) {
        if (payload == null || payload.length == 0 || ws.isClosed()) return;
        Buffer msg = Buffer.buffer(payload.length + 1).appendByte((byte) channel).appendBytes(payload);
        ws.writeBinaryMessage(msg);
        if (ws.writeQueueFull()) awaitDrain();
    }

    /** Docker's output frames (docker-java's stream, without stdin), sent as channel messages. */
    private final class Output extends ResultCallback.Adapter<Frame> {
        @Override
        public void onNext(Frame f) {
            sendOutput(f.getStreamType() == StreamType.STDERR ? STDERR : STDOUT, f.getPayload());
        }

        @Override
        public void onError(Throwable t) {
            if (!ws.isClosed()) LOG.debug("exec stream failed: {}", t.toString());
            super.onError(t);
            exited();
        }

        @Override
        public void onComplete() {
            super.onComplete();
            exited();
        }
    }

    private void awaitDrain() {
        Semaphore drained = new Semaphore(0);
        vertx.runOnContext(v -> {
            if (!ws.writeQueueFull() || ws.isClosed()) drained.release();
            else ws.drainHandler(d -> drained.release());
        });
        try {
            while (!drained.tryAcquire(200, TimeUnit.MILLISECONDS)) if (ws.isClosed()) return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The command's output ended: read its exit code, then send it and close. */
    private void exited() {
        if (finished.get() || execId == null) return;
        String id = execId;
        worker.executeBlocking(() -> {
            Long code = null;
            for (int i = 0; i < 50 && code == null; i++) { // the exit code can lag the end of output by a few ms
                var inspect = shortCalls.inspectExecCmd(id).exec();
                if (!Boolean.TRUE.equals(inspect.isRunning())) code = inspect.getExitCodeLong();
                else Thread.sleep(20);
            }
            return code;
        }, false).onComplete(ar -> finish(ar.succeeded()
                ? ExitStatus.of(req.command(), ar.result() == null ? null : ar.result().intValue())
                : ExitStatus.failure("could not read the exit code: " + ar.cause().getMessage(), "InternalError")));
    }

    private void finish(JsonObject status) {
        if (!finished.compareAndSet(false, true)) return;
        stdin.end();
        if (!ws.isClosed()) {
            ws.writeBinaryMessage(Buffer.buffer().appendByte((byte) ERROR).appendString(status.encode()));
            ws.close((short) 1000);
        }
        closeQuietly(running);
        end();
    }

    private final AtomicBoolean ended = new AtomicBoolean();

    private void end() {
        if (ended.compareAndSet(false, true)) onEnd.run();
    }

    private static void closeQuietly(Closeable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // already closed
        }
    }
}

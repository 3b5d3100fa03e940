package io.berth.node.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import io.berth.node.health.RuntimeHealth;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The gate against the real engine (no container started): a daemon given a pool of ONE connection
 * whose only connection is held by a stream (as every log follow used to hold one) gets
 * {@code Docker API busy} on its next short call after the wait, not after 3 minutes, and the health
 * detector reports it; closing the stream gives the connection back.
 */
class GatedClientDockerTest {
    @Test
    void aHeldStreamMakesTheNextCallFailFastAndVisibly() throws Exception {
        DockerCallStats stats = new DockerCallStats(1, 300);
        try (DockerClient docker = DockerRuntime.connectGated("unix:///var/run/docker.sock", 1, 300, stats)) {
            docker.pingCmd().exec();
            CountDownLatch attached = new CountDownLatch(1);
            ResultCallback.Adapter<Event> stream = docker.eventsCmd().withLabelFilter(Map.of(Labels.NODE, "gate-test-none"))
                    .exec(new ResultCallback.Adapter<>() {
                        @Override
                        public void onStart(java.io.Closeable c) {
                            super.onStart(c);
                            attached.countDown();
                        }
                    });
            assertTrue(attached.await(10, TimeUnit.SECONDS), "events stream attached");
            assertEquals(1, stats.snapshot().inFlight(), "the stream holds the only connection");

            long t0 = System.nanoTime();
            GatedHttpClient.DockerBusyException busy = assertThrows(GatedHttpClient.DockerBusyException.class,
                    () -> docker.listContainersCmd().exec());
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(waitedMs < Duration.ofSeconds(10).toMillis(), "failed after the wait, not httpclient's 3 minutes: " + waitedMs);
            assertTrue(busy.getMessage().startsWith("Docker API busy: no connection of 1 free within 300 ms for GET"), busy.getMessage());
            RuntimeHealth.Verdict v = RuntimeHealth.judge(stats.snapshot(), System.currentTimeMillis(), System.currentTimeMillis(),
                    RuntimeHealth.Thresholds.DEFAULT);
            assertEquals(RuntimeHealth.EXHAUSTED, v.reason(), v.message());

            stream.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (stats.snapshot().inFlight() > 0 && System.nanoTime() < deadline) Thread.sleep(20); // poll until the closed stream returned its permit
            assertEquals(0, stats.snapshot().inFlight(), "closing the stream frees its connection");
            assertNotNull(docker.listContainersCmd().withLabelFilter(Map.of(Labels.NODE, "gate-test-none")).exec());
        }
    }
}

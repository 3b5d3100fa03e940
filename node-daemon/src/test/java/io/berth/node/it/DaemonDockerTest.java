package io.berth.node.it;

import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.util.function.Predicate;

/**
 * Base of the daemon tests against a real Kafka and the real Docker engine: one {@link DaemonFixture}
 * for the whole class, the containers of its daemons removed after each test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DaemonDockerTest {
    DaemonFixture fx;

    @BeforeAll
    void startKafka() throws Exception {
        fx = new DaemonFixture();
    }

    @AfterEach
    void removeContainers() {
        fx.cleanUp();
    }

    @AfterAll
    void stopKafka() throws Exception {
        fx.close();
    }

    static Predicate<TaskStatus> status(String taskId, TaskState state) {
        return s -> s.getTaskId().equals(taskId) && s.getState() == state;
    }

    /** A (re)start: RUNNING, or READY at once for a container without readiness probes (one status, as the kubelet sends). */
    static Predicate<TaskStatus> started(String taskId) {
        return s -> s.getTaskId().equals(taskId) && isStart(s);
    }

    static boolean isStart(TaskStatus s) {
        return s.getState() == TaskState.RUNNING || s.getState() == TaskState.READY;
    }
}

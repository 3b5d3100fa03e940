package io.berth.state;

import io.berth.schemas.avro.ContainerStatus;
import io.berth.schemas.avro.PublishedPort;
import io.berth.schemas.avro.TaskPhase;
import io.berth.schemas.avro.TaskView;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which task view changes reach the single-partition endpoints controller ({@link EndpointsTopology#changesEndpoints}). */
class EndpointsRelevanceTest {
    private static TaskView task(TaskPhase phase) {
        return TaskView.newBuilder().setTaskId("web-abc-12345").setPodName("web-abc-12345").setWorkloadKey("default/deployment/web")
                .setNamespace("default").setNodeId("n1").setPhase(phase).setLabels(Map.of("app", "web"))
                .setTemplate(Fixtures.template("berth/busybox:latest")).build();
    }

    private static TaskView with(TaskView t, java.util.function.Consumer<TaskView.Builder> change) {
        TaskView.Builder b = TaskView.newBuilder(t);
        change.accept(b);
        return b.build();
    }

    @Test
    void aTaskThatIsNotListedIsNotSent() {
        TaskView pending = task(TaskPhase.PENDING);
        assertFalse(EndpointsTopology.changesEndpoints(null, pending), "created PENDING: no Service lists it yet");
        assertFalse(EndpointsTopology.changesEndpoints(pending, with(pending, b -> b.setMessage("waiting").setResourceVersion("7"))));
        TaskView terminating = with(task(TaskPhase.TERMINATING), b -> b.setDesiredStop(true));
        assertFalse(EndpointsTopology.changesEndpoints(terminating, with(terminating, b -> b.setReason("Killing"))));
    }

    @Test
    void listingUnlistingAndWhatEndpointsReadAreSent() {
        TaskView pending = task(TaskPhase.PENDING), scheduled = task(TaskPhase.SCHEDULED), running = task(TaskPhase.RUNNING);
        assertTrue(EndpointsTopology.changesEndpoints(pending, scheduled), "listed (not ready)");
        assertTrue(EndpointsTopology.changesEndpoints(null, scheduled), "first seen listed");
        assertTrue(EndpointsTopology.changesEndpoints(scheduled, running));
        assertTrue(EndpointsTopology.changesEndpoints(running, with(running, b -> b.setReady(true))));
        assertTrue(EndpointsTopology.changesEndpoints(running, with(running, b -> b.setPodIP("172.17.0.5"))));
        assertTrue(EndpointsTopology.changesEndpoints(running, with(running, b -> b.setLabels(Map.of("app", "web", "track", "canary")))));
        assertTrue(EndpointsTopology.changesEndpoints(running, with(running, b -> b.setPublishedPorts(
                List.of(PublishedPort.newBuilder().setContainerPort(8080).setHostPort(31000).build())))));
        assertTrue(EndpointsTopology.changesEndpoints(running, with(running, b -> b.setDesiredStop(true))), "unlisted: stopping");
        TaskView marked = with(running, b -> b.setDesiredStop(true)); // a pod delete's mark, in the store only
        assertTrue(EndpointsTopology.changesEndpoints(marked, with(marked, b -> b.setPhase(TaskPhase.TERMINATING))), "the stop after a mark");
        assertTrue(EndpointsTopology.changesEndpoints(running, with(running, b -> b.setPhase(TaskPhase.FAILED))), "unlisted: failed");
        assertTrue(EndpointsTopology.changesEndpoints(running, null), "a tombstone always");
        assertTrue(EndpointsTopology.changesEndpoints(pending, null), "a tombstone always");
    }

    @Test
    void detailsOfAListedTaskAreNotSent() {
        TaskView running = with(task(TaskPhase.RUNNING), b -> b.setReady(true).setPodIP("172.17.0.5"));
        assertFalse(EndpointsTopology.changesEndpoints(running, with(running, b -> b.setRestartCount(2).setMessage("restarted")
                .setReason("Completed").setResourceVersion("12").setUpdatedAt(99L)
                .setContainerStatuses(List.of(ContainerStatus.newBuilder().setName("main").setState("running").build())))));
    }
}

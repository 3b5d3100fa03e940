package io.berth.node.image;

import io.berth.node.image.ImageDrift.Running;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ImageDriftTest {
    static final String A = "sha256:" + "a".repeat(64), B = "sha256:" + "b".repeat(64);

    static Running pod(String task, String workload, String ref, String id) {
        return new Running(task, workload, "default", task, ref, id);
    }

    @Test
    void shouldReportOneDriftPerWorkloadReferenceAndNewImageThenRepeatOnlyAfterTheInterval() {
        ImageDrift d = new ImageDrift(60_000);
        List<Running> running = List.of(pod("web-1", "default/deployment/web", "app:latest", A), pod("web-2", "default/deployment/web", "app:latest", A),
                pod("api-1", "default/deployment/api", "app:latest", A), pod("bare", "", "app:latest", A), pod("db-1", "default/deployment/db", "db:1", A));
        assertEquals(java.util.Set.of("app:latest", "db:1"), ImageDrift.refs(running));
        assertEquals(List.of(), d.detect(running, Map.of("app:latest", A, "db:1", A), 0), "nothing moved");

        List<ImageDrift.Drift> moved = d.detect(running, Map.of("app:latest", B, "db:1", A), 1_000);
        assertEquals(List.of("default/deployment/api", "default/deployment/web"), moved.stream().map(ImageDrift.Drift::workloadKey).toList(),
                "a bare pod has no rollout; db's tag did not move");
        assertEquals(B, moved.get(0).currentId());
        assertEquals(A, moved.get(0).runningId());
        assertEquals(List.of(), d.detect(running, Map.of("app:latest", B, "db:1", A), 30_000), "reported once per interval");
        assertEquals(2, d.detect(running, Map.of("app:latest", B, "db:1", A), 61_000).size(), "repeated while it lasts");
    }

    @Test
    void shouldForgetADriftThatEndedAndIgnoreATagThatIsGone() {
        ImageDrift d = new ImageDrift(60_000);
        List<Running> old = List.of(pod("web-1", "default/deployment/web", "app:latest", A));
        assertEquals(1, d.detect(old, Map.of("app:latest", B), 0).size());
        assertEquals(List.of(), d.detect(List.of(pod("web-2", "default/deployment/web", "app:latest", B)), Map.of("app:latest", B), 1_000));
        assertEquals(1, d.detect(old, Map.of("app:latest", B), 2_000).size(), "a drift seen again after it ended is new");
        assertEquals(List.of(), new ImageDrift(60_000).detect(old, Map.of(), 0), "the tag is gone: nothing to roll out to");
    }
}

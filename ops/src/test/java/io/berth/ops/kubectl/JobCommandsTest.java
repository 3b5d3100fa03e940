package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.schemas.avro.ResourceKind;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@code berth get|describe|delete|wait job}: the type names, the table, the description (pure, from a Job as the gateway serves it). */
class JobCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOW = Instant.parse("2026-12-06T05:10:00Z").toEpochMilli();

    static JsonNode job(String status) throws Exception {
        return JSON.readTree("""
                {"apiVersion":"batch/v1","kind":"Job",
                 "metadata":{"name":"pi","namespace":"default","labels":{"team":"math"},"uid":"u1","creationTimestamp":"2026-12-06T05:00:00Z"},
                 "spec":{"parallelism":2,"completions":4,"backoffLimit":6,"selector":{"matchLabels":{"batch.kubernetes.io/job-name":"pi","job-name":"pi"}},
                   "template":{"metadata":{"labels":{"batch.kubernetes.io/job-name":"pi","job-name":"pi"}},
                     "spec":{"containers":[{"name":"pi","image":"perl:5.34","command":["perl","-e","print 3"]}],"restartPolicy":"Never"}},
                   "completionMode":"NonIndexed","suspend":false},
                 "status":%s}
                """.formatted(status));
    }

    @Test
    void shouldResolveEveryNameKubectlTakesForJobs() {
        for (String t : List.of("job", "jobs", "job.batch", "jobs.batch", "Jobs")) assertSame(ResourceTypes.JOBS, ResourceTypes.resource(t), t);
        assertEquals(ResourceKind.JOB, ResourceTypes.kind("jobs"));
        assertEquals("job.batch", ResourceTypes.JOBS.printed());
        assertEquals("jobs.batch", ResourceTypes.plural(ResourceKind.JOB));
        assertEquals("job.batch", ResourceTypes.singular(ResourceKind.JOB));
        assertEquals("/apis/batch/v1/namespaces/ns1/jobs/pi", Gateway.item("jobs", "ns1", "pi"));
        assertEquals("/apis/batch/v1/jobs", Gateway.collection("jobs", null));
        assertTrue(GetCommand.ALL.contains(ResourceTypes.JOBS), "get all lists jobs, as kubectl does");
        assertArrayEquals(new String[]{"batch", "jobs"}, AuthCommand.CanI.resolve("job"));
    }

    @Test
    void shouldPrintTheJobTableAsKubectl() throws Exception {
        JsonNode running = job("{\"startTime\":\"2026-12-06T05:00:05Z\",\"active\":2,\"ready\":2,\"succeeded\":1}");
        String table = JsonTables.render(ResourceTypes.JOBS, List.of(running), false, false, NOW);
        assertEquals("""
                NAME   STATUS    COMPLETIONS   DURATION   AGE
                pi     Running   1/4           9m55s      10m
                """, table);
        List<String> wide = JsonTables.row(ResourceTypes.JOBS, running, true, false, NOW);
        assertEquals(List.of("pi", "Running", "1/4", "9m55s", "10m", "pi", "perl:5.34", "batch.kubernetes.io/job-name=pi,job-name=pi"), wide);
    }

    @Test
    void shouldDescribeAJobAsKubectl() throws Exception {
        JsonNode done = job("""
                {"conditions":[{"type":"Complete","status":"True","reason":"Completed","message":"Reached expected number of succeeded pods",
                  "lastProbeTime":"2026-12-06T05:01:40Z","lastTransitionTime":"2026-12-06T05:01:40Z"}],
                 "startTime":"2026-12-06T05:00:05Z","completionTime":"2026-12-06T05:01:40Z","succeeded":4,"ready":0}""");
        String d = DescribeCommand.describe(ResourceTypes.JOBS, done, List.of(), NOW);
        assertTrue(d.startsWith("Name:"), d);
        for (String line : List.of(
                "Namespace:        default",
                "Selector:         batch.kubernetes.io/job-name=pi,job-name=pi",
                "Labels:           team=math",
                "Parallelism:      2",
                "Completions:      4",
                "Completion Mode:  NonIndexed",
                "Suspend:          false",
                "Backoff Limit:    6",
                "Start Time:       Sun, 06 Dec 2026 05:00:05 +0000",
                "Completed At:     Sun, 06 Dec 2026 05:01:40 +0000",
                "Duration:         95s",
                "Pods Statuses:    0 Active (0 Ready) / 4 Succeeded / 0 Failed",
                "Pod Template:",
                "    Image:",
                "Events:           <none>")) {
            assertTrue(d.contains(line), "missing \"" + line + "\" in\n" + d);
        }
        String workQueue = DescribeCommand.describe(ResourceTypes.JOBS,
                ((com.fasterxml.jackson.databind.node.ObjectNode) job("{}")).put("spec", JSON.readTree("{\"parallelism\":3}")), List.of(), NOW);
        assertTrue(workQueue.contains("Completions:      <unset>"), workQueue);
        assertFalse(workQueue.contains("Start Time"), workQueue);
    }

    @Test
    void shouldWaitForTheCompleteConditionAsKubectlWaitDoes() throws Exception {
        WaitCommand.Condition complete = WaitCommand.Condition.parse("condition=complete");
        assertTrue(complete.met(job("{\"conditions\":[{\"type\":\"Complete\",\"status\":\"True\"}]}")));
        assertFalse(complete.met(job("{\"active\":1}")));
        assertFalse(complete.met(job("{\"conditions\":[{\"type\":\"Failed\",\"status\":\"True\"}]}")));
    }
}

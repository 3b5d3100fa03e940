package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.berth.schemas.avro.ResourceKind;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code berth get|describe|delete cronjob} and {@code berth create job --from=cronjob/NAME | --image}: the type
 * names, the table, the description (pure, from a CronJob as the gateway serves it) and the Job posted (against a
 * stand-in gateway that records the requests).
 */
class CronJobCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOW = Instant.parse("2026-12-06T05:10:00Z").toEpochMilli();

    static JsonNode cronJob(String status) throws Exception {
        return JSON.readTree("""
                {"apiVersion":"batch/v1","kind":"CronJob",
                 "metadata":{"name":"nightly","namespace":"default","labels":{"team":"ops"},"uid":"uid-nightly","creationTimestamp":"2026-12-06T05:00:00Z"},
                 "spec":{"schedule":"0 3 * * *","concurrencyPolicy":"Forbid","suspend":false,
                   "jobTemplate":{"metadata":{"labels":{"kind":"report"},"annotations":{"owner":"ops"}},
                     "spec":{"parallelism":1,"completions":1,"backoffLimit":6,
                       "template":{"metadata":{"labels":{"app":"report"}},
                         "spec":{"containers":[{"name":"report","image":"busybox:1.36","command":["date"]}],"restartPolicy":"OnFailure"}},
                       "completionMode":"NonIndexed","suspend":false}},
                   "successfulJobsHistoryLimit":3,"failedJobsHistoryLimit":1},
                 "status":%s}
                """.formatted(status));
    }

    @Test
    void shouldResolveEveryNameKubectlTakesForCronJobs() {
        for (String t : List.of("cronjob", "cronjobs", "cj", "cronjob.batch", "cronjobs.batch", "CronJobs")) {
            assertSame(ResourceTypes.CRONJOBS, ResourceTypes.resource(t), t);
        }
        assertEquals(ResourceKind.CRONJOB, ResourceTypes.kind("cj"));
        assertEquals("cronjob.batch", ResourceTypes.CRONJOBS.printed());
        assertEquals("cronjobs.batch", ResourceTypes.plural(ResourceKind.CRONJOB));
        assertEquals("cronjob.batch", ResourceTypes.singular(ResourceKind.CRONJOB));
        assertSame(ResourceTypes.CRONJOBS, ResourceTypes.resource(ResourceKind.CRONJOB.name()), "delete finds the resource of the kind");
        assertEquals("/apis/batch/v1/namespaces/ns1/cronjobs/nightly", Gateway.item("cronjobs", "ns1", "nightly"));
        assertEquals("/apis/batch/v1/cronjobs", Gateway.collection("cronjobs", null));
        // kubectl's all: ..., replicasets, cronjobs, jobs
        assertEquals(List.of(ResourceTypes.CRONJOBS, ResourceTypes.JOBS), GetCommand.ALL.subList(GetCommand.ALL.size() - 2, GetCommand.ALL.size()));
        assertArrayEquals(new String[]{"batch", "cronjobs"}, AuthCommand.CanI.resolve("cj"));
    }

    @Test
    void shouldPrintTheCronJobTableAsKubectl() throws Exception {
        JsonNode running = cronJob("{\"active\":[{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"name\":\"nightly-29419380\",\"namespace\":\"default\"}],"
                + "\"lastScheduleTime\":\"2026-12-06T05:07:00Z\"}");
        assertEquals("""
                NAME      SCHEDULE    TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE
                nightly   0 3 * * *   <none>     False     1        3m              10m
                """, JsonTables.render(ResourceTypes.CRONJOBS, List.of(running), false, false, NOW));
        assertEquals(List.of("nightly", "0 3 * * *", "<none>", "False", "0", "<none>", "10m", "report", "busybox:1.36", "<none>"),
                JsonTables.row(ResourceTypes.CRONJOBS, cronJob("{}"), true, false, NOW));
    }

    @Test
    void shouldDescribeACronJobAsKubectl() throws Exception {
        String d = DescribeCommand.describe(ResourceTypes.CRONJOBS, cronJob("{\"active\":[{\"name\":\"nightly-1\"},{\"name\":\"nightly-2\"}],"
                + "\"lastScheduleTime\":\"2026-12-06T05:07:00Z\"}"), List.of(), NOW);
        assertTrue(d.startsWith("Name:"), d);
        String[] lines = {
                "Namespace:                     default",
                "Labels:                        team=ops",
                "Annotations:                   <none>",
                "Schedule:                      0 3 * * *",
                "Concurrency Policy:            Forbid",
                "Suspend:                       False",
                "Successful Job History Limit:  3",
                "Failed Job History Limit:      1",
                "Starting Deadline Seconds:     <unset>",
                "Selector:                      <unset>",
                "Parallelism:                   1",
                "Completions:                   1",
                "Pod Template:",
                "  Labels:  app=report",
                "    Image:",
                "Last Schedule Time:            Sun, 06 Dec 2026 05:07:00 +0000",
                "Active Jobs:                   nightly-1, nightly-2",
                "Events:                        <none>"};
        int at = 0;
        for (String line : lines) {
            int found = d.indexOf(line, at);
            assertTrue(found >= 0, "missing (or out of order) \"" + line + "\" in\n" + d);
            at = found;
        }
        String idle = DescribeCommand.describe(ResourceTypes.CRONJOBS, cronJob("{}"), List.of(), NOW);
        assertTrue(idle.contains("Last Schedule Time:            <unset>"), idle);
        assertTrue(idle.contains("Active Jobs:                   <none>"), idle);
    }

    @Test
    void shouldMakeTheJobOfACronJobAsKubectlCreateJobFromDoes() throws Exception {
        ObjectNode job = CreateCommand.fromCronJob("nightly-manual", cronJob("{}"));
        assertEquals("Job", job.path("kind").asText());
        assertEquals("batch/v1", job.path("apiVersion").asText());
        assertEquals("nightly-manual", job.path("metadata").path("name").asText());
        assertEquals("{\"cronjob.kubernetes.io/instantiate\":\"manual\",\"owner\":\"ops\"}", job.path("metadata").path("annotations").toString());
        assertEquals("{\"kind\":\"report\"}", job.path("metadata").path("labels").toString());
        assertEquals("{\"apiVersion\":\"batch/v1\",\"kind\":\"CronJob\",\"name\":\"nightly\",\"uid\":\"uid-nightly\",\"controller\":true}",
                job.path("metadata").path("ownerReferences").get(0).toString());
        assertEquals(cronJob("{}").path("spec").path("jobTemplate").path("spec"), job.path("spec"));
        ObjectNode plain = CreateCommand.withImage("once", "busybox", List.of("sh", "-c", "echo hi"));
        assertEquals("{\"containers\":[{\"name\":\"once\",\"image\":\"busybox\",\"command\":[\"sh\",\"-c\",\"echo hi\"]}],\"restartPolicy\":\"Never\"}",
                plain.path("spec").path("template").path("spec").toString());
    }

    /** {@code berth create ARGS}, exactly these (no connection options added). */
    private static InProcessControlPlaneTest.Run run(String... args) {
        java.io.StringWriter out = new java.io.StringWriter(), err = new java.io.StringWriter();
        picocli.CommandLine cl = new picocli.CommandLine(new CreateCommand());
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        int exit = cl.execute(args);
        return new InProcessControlPlaneTest.Run(exit, out.toString(), err.toString());
    }

    /** The command against a stand-in gateway: GET the CronJob, POST the Job; kubectl's output and errors. */
    @Test
    void shouldGetTheCronJobAndPostItsJob() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        List<String> posted = new CopyOnWriteArrayList<>();
        String cronJob = cronJob("{}").toString();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            requests.add(exchange.getRequestMethod() + " " + path);
            byte[] body;
            int code;
            if (exchange.getRequestMethod().equals("GET") && path.equals("/apis/batch/v1/namespaces/default/cronjobs/nightly")) {
                code = 200;
                body = cronJob.getBytes(StandardCharsets.UTF_8);
            } else if (exchange.getRequestMethod().equals("POST") && path.equals("/apis/batch/v1/namespaces/default/jobs")) {
                posted.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                code = 201;
                body = posted.get(posted.size() - 1).getBytes(StandardCharsets.UTF_8);
            } else {
                code = 404;
                body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404,\"message\":\"cronjobs.batch \\\"absent\\\" not found\"}"
                        .getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(code, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            InProcessControlPlaneTest.Run ok = InProcessControlPlaneTest.execute(new CreateCommand(), url, "job", "nightly-manual", "--from=cronjob/nightly");
            assertEquals(0, ok.exit, ok.err);
            assertEquals("job.batch/nightly-manual created\n", ok.out);
            assertEquals(List.of("GET /apis/batch/v1/namespaces/default/cronjobs/nightly", "POST /apis/batch/v1/namespaces/default/jobs"), requests);
            JsonNode job = JSON.readTree(posted.get(0));
            assertEquals("CronJob", job.path("metadata").path("ownerReferences").get(0).path("kind").asText());
            assertEquals("manual", job.path("metadata").path("annotations").path("cronjob.kubernetes.io/instantiate").asText());

            // the connection options go before "--": what follows is the container's command
            InProcessControlPlaneTest.Run image = run("job", "once", "--image=busybox", "--server=" + url, "--token=t", "--", "echo", "hi");
            assertEquals(0, image.exit, image.err);
            assertEquals("[\"echo\",\"hi\"]", JSON.readTree(posted.get(1)).path("spec").path("template").path("spec").path("containers").get(0).path("command").toString());

            InProcessControlPlaneTest.Run missing = InProcessControlPlaneTest.execute(new CreateCommand(), url, "job", "x", "--from=cj/absent");
            assertEquals(1, missing.exit);
            assertTrue(missing.err.contains("cronjobs.batch \"absent\" not found"), missing.err);
            assertEquals(1, InProcessControlPlaneTest.execute(new CreateCommand(), url, "job", "x").exit, "--image or --from");
            assertEquals(1, InProcessControlPlaneTest.execute(new CreateCommand(), url, "job", "x", "--from=deployment/web").exit);
            assertEquals(1, InProcessControlPlaneTest.execute(new CreateCommand(), url, "job", "x", "--from=cj/nightly", "--", "date").exit);
            assertEquals(2, posted.size(), "no POST for a refused command");
        } finally {
            server.stop(0);
        }
    }
}

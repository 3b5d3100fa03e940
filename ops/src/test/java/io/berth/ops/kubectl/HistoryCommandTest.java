package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code berth history} against the real control loop (broker, state-streams, gateway in-process, no
 * node): apply a deployment, scale it, and read back who did it. The assertions rely only on the audit
 * contract (record key = resource key, actor = the gateway's {@code api:<user>}, change names such as
 * WorkloadChanged), not on the exact set of records state-streams writes for each step.
 */
class HistoryCommandTest extends InProcessControlPlaneTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String WEB = io.berth.ops.Examples.NGINX.replace("name: nginx-deployment", "name: web").replace("replicas: 3", "replicas: 2");

    Run history(String... args) {
        return run(new HistoryCommand(), "", args);
    }

    List<JsonNode> items(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("-o");
        all.add("json");
        Run r = history(all.toArray(String[]::new));
        assertEquals(0, r.exit, r.err);
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(r.out).path("items").forEach(out::add);
        return out;
    }

    static long count(List<JsonNode> items, String change) {
        return items.stream().filter(i -> i.path("change").asText().equals(change)).count();
    }

    @BeforeAll
    void applyAndScale() throws Exception {
        Run apply = run(new ApplyCommand(), WEB, "-f", "-");
        assertEquals(0, apply.exit, apply.err);
        Run scale = run(new ScaleCommand(), "", "deployment/web", "--replicas=4");
        assertEquals(0, scale.exit, scale.err);
        eventually("the apply and the scale are audited", () -> {
            try {
                return items("deployment/web").stream().filter(i -> i.path("actor").asText().equals("api:" + USER)).count() >= 2
                        && count(items("deployment/web"), "WorkloadChanged") >= 1;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void historyOfADeploymentListsItsStepsWithActorAndCause() throws Exception {
        List<JsonNode> items = items("deployment/web");
        long last = 0;
        for (JsonNode i : items) {
            assertEquals("default/deployment/web", i.path("resource").path("key").asText(), "only that resource: " + i);
            long t = java.time.Instant.parse(i.path("time").asText()).toEpochMilli();
            assertTrue(t >= last, "oldest first");
            last = t;
        }
        Run table = history("deployment/web");
        assertEquals(0, table.exit, table.err);
        List<String> lines = table.out.lines().toList();
        assertTrue(lines.get(0).matches("TIME +ACTOR +CHANGE +CAUSE +DETAILS"), table.out);
        assertEquals(items.size() + 1, lines.size(), table.out);
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z +api:tester +WorkloadChanged +\\S.*")),
                table.out);
        // kubectl's other forms name the same resource
        assertEquals(table.out, history("deploy", "web").out);
        assertEquals(table.out, history("deployments/web", "-n", "default").out);
        assertEquals("No history found for deployment/web.\n", history("deployment/web", "-n", "other").err);
    }

    @Test
    void filtersAndOutputs() throws Exception {
        List<JsonNode> changed = items("deployment/web", "--change", "WorkloadChanged");
        assertFalse(changed.isEmpty());
        changed.forEach(i -> assertEquals("WorkloadChanged", i.path("change").asText()));
        List<JsonNode> byActor = items("deployment/web", "--actor", "api:" + USER);
        assertTrue(byActor.size() >= 2);
        byActor.forEach(i -> assertEquals("api:" + USER, i.path("actor").asText()));
        assertEquals(List.of(), items("deployment/web", "--since", "+1h"));
        assertEquals(items("deployment/web").size(), items("deployment/web", "--since", "-1h", "--until", "now").size());
        assertEquals(1, items("deployment/web", "--limit", "1").size());

        Run yaml = history("deployment/web", "-o", "yaml");
        assertTrue(yaml.out.startsWith("apiVersion: berth.io/v1\nkind: AuditList\nmetadata:\n"), yaml.out);
        // everything: a RESOURCE column, and NAMESPACE since no -n narrows it
        Run all = history();
        assertEquals(0, all.exit, all.err);
        assertTrue(all.out.lines().findFirst().orElse("").matches("TIME +NAMESPACE +RESOURCE +ACTOR +CHANGE +CAUSE +DETAILS"), all.out);
        assertTrue(all.out.contains(" deployment/web "), all.out);
        Run kind = history("deployments", "-n", "default");
        assertTrue(kind.out.lines().findFirst().orElse("").matches("TIME +RESOURCE +ACTOR +CHANGE +CAUSE +DETAILS"), kind.out);
    }

    @Test
    void badInputIsRefused() {
        Run widgets = history("widgets/x");
        assertEquals(1, widgets.exit);
        assertEquals("error: the server doesn't have a resource type \"widgets\"\n", widgets.err);
        Run since = history("deployment/web", "--since", "yesterday");
        assertEquals(1, since.exit);
        assertTrue(since.err.startsWith("Error from server (BadRequest): since: "), since.err);
        Run out = history("deployment/web", "-o", "xml");
        assertEquals(1, out.exit);
        assertTrue(out.err.contains("allowed formats are: json,wide,yaml"), out.err);
    }

    @Test
    void watchFollowsLiveWithoutDuplicatesOrGaps() throws Exception {
        int before = items("deployment/web").size();
        StringWriter out = new StringWriter(), err = new StringWriter();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread t = new Thread(() -> {
            CommandLine cl = new CommandLine(new HistoryCommand());
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            exit.set(cl.execute("deployment/web", "-w", "-o", "json", "--timeout", "10s", "--server=" + server, "--token=" + TOKEN));
        });
        t.start();
        eventually("the listed records are printed", () -> out.toString().lines().count() >= before);
        Run scale = run(new ScaleCommand(), "", "deployment/web", "--replicas=1");
        assertEquals(0, scale.exit, scale.err);
        eventually("the scale comes through the watch", () -> out.toString().lines().count() > before);
        t.join(30_000);
        assertEquals(0, exit.get(), err.toString());
        List<JsonNode> watched = new ArrayList<>();
        for (String line : out.toString().lines().toList()) {
            JsonNode e = JSON.readTree(line);
            assertEquals("ADDED", e.path("type").asText());
            ObjectNode o = (ObjectNode) e.path("object");
            o.remove("metadata");
            watched.add(o);
        }
        List<JsonNode> now = items("deployment/web");
        now.forEach(i -> ((ObjectNode) i).remove("metadata"));
        assertTrue(watched.size() > before);
        assertEquals(now.subList(0, watched.size()), watched, "the watch printed the history once each, in order");
        assertTrue(count(watched.subList(before, watched.size()), "WorkloadChanged") >= 1, "the scale arrived live");
    }
}

package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.schemas.avro.IntentAction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code berth drain NODE}: cordons the node, asks the gateway to drain it (replacements start elsewhere
 * before the old pods stop, within each workload's budget) and waits until no pod is left on it, printing
 * what kubectl prints: {@code node/n1 cordoned}, {@code evicting pod default/web-…}, {@code pod/web-… evicted},
 * {@code node/n1 drained}.
 */
@Command(name = "drain", mixinStandardHelpOptions = true, description = "Cordon a node and move its pods elsewhere; waits until it is empty.")
public final class DrainCommand extends NodeIntentCommand {

    @Option(names = "--timeout", defaultValue = "300s", paramLabel = "DURATION",
            description = "how long to wait for the node to empty, e.g. 90s or 5m; 0 waits forever (default: ${DEFAULT-VALUE})")
    String waitTimeout;

    @Option(names = "--poll-interval", hidden = true, defaultValue = "500")
    long pollMillis;

    public DrainCommand() {}

    @Override
    IntentAction action() {
        return IntentAction.DRAIN;
    }

    @Override
    String done() {
        return "drained";
    }

    @Override
    int viaGateway(Gateway gw) {
        long limit = GoDuration.parse(waitTimeout, "--timeout").toMillis();
        String path = Gateway.item("nodes", null, node);
        JsonNode current = gw.get(path);
        if (current.path("spec").path("unschedulable").asBoolean()) {
            out().println("node/" + node + " already cordoned");
        } else {
            gw.call("PATCH", path, "{\"spec\":{\"unschedulable\":true}}", "application/merge-patch+json");
            out().println("node/" + node + " cordoned");
        }
        Map<String, String> pending = podsOn(gw);
        pending.forEach((key, ns) -> out().println("evicting pod " + key));
        out().flush();
        gw.call("POST", "/apis/berth.io/v1/nodes/" + java.net.URLEncoder.encode(node, java.nio.charset.StandardCharsets.UTF_8) + "/drain",
                "{}", "application/json");
        long deadline = limit <= 0 ? Long.MAX_VALUE : System.currentTimeMillis() + limit;
        while (true) {
            Map<String, String> now = podsOn(gw);
            for (String key : pending.keySet().toArray(String[]::new)) {
                if (!now.containsKey(key)) {
                    out().println("pod/" + key.substring(key.indexOf('/') + 1) + " evicted");
                    pending.remove(key);
                }
            }
            out().flush();
            if (now.isEmpty()) break;
            if (System.currentTimeMillis() > deadline) {
                err().println("error: unable to drain node \"" + node + "\" due to error: global timeout reached: " + waitTimeout
                        + ", continuing command...");
                err().println("There are pending nodes to be drained:");
                err().println(" " + node);
                err().println("error: global timeout reached: " + waitTimeout);
                err().flush();
                return 1;
            }
            try {
                Thread.sleep(pollMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
        out().println("node/" + node + " drained");
        out().flush();
        return 0;
    }

    /** {@code namespace/name} of every pod still on the node (terminal pods included: they too must go). */
    private Map<String, String> podsOn(Gateway gw) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode list = gw.get("/api/v1/pods" + Gateway.query(Gateway.params("fieldSelector", "spec.nodeName=" + node)));
        for (JsonNode p : list.path("items")) {
            String ns = p.path("metadata").path("namespace").asText();
            out.put(ns + "/" + p.path("metadata").path("name").asText(), ns);
        }
        return out;
    }
}

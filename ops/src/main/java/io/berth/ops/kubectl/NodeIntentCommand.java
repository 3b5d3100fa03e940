package io.berth.ops.kubectl;

import io.berth.gateway.manifest.Intents;
import io.berth.gateway.view.KubeObjects;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.IntentAction;
import io.berth.schemas.avro.NodeView;
import io.berth.schemas.avro.ResourceKind;
import picocli.CommandLine.Parameters;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code cordon|uncordon|drain NODE}: one node intent (kind NODE, name = node id, key {@code /node/<id>}).
 * NODE may be the name {@code get nodes} shows or the node id; it must be in the nodes view.
 */
abstract class NodeIntentCommand extends KubectlCommand {

    @Parameters(index = "0", paramLabel = "NODE", description = "node name or id")
    String node;

    abstract IntentAction action();

    /** Through the gateway: cordon/uncordon patch {@code spec.unschedulable}; drain overrides this. */
    int viaGateway(Gateway gw) {
        boolean cordon = action() != IntentAction.UNCORDON;
        String path = Gateway.item("nodes", null, node);
        JsonNode current = gw.get(path);
        if (current.path("spec").path("unschedulable").asBoolean() == cordon) {
            out().println("node/" + node + " already " + (cordon ? "cordoned" : "uncordoned"));
        } else {
            gw.call("PATCH", path, "{\"spec\":{\"unschedulable\":" + cordon + "}}", "application/merge-patch+json");
            out().println("node/" + node + " " + (cordon ? "cordoned" : "uncordoned"));
        }
        out().flush();
        return 0;
    }

    /** The past tense kubectl prints: cordoned, uncordoned, drained. */
    abstract String done();

    @Override
    public Integer call() {
        if (!connection.direct()) {
            try {
                return viaGateway(gateway());
            } catch (Gateway.ApiException e) {
                return fail(e);
            }
        }
        try {
            Bus bus = bus();
            Optional<NodeView> found = bus.read(Topics.NODES, m -> {}).values().stream()
                    .filter(n -> n.getNodeId().equals(node) || KubeObjects.nodeName(n).equals(node)).findFirst();
            if (found.isEmpty()) {
                err().println("Error from server (NotFound): nodes \"" + node + "\" not found");
                err().flush();
                return 1;
            }
            Intent intent = Intent.newBuilder(new Intents(actor(), clock, () -> UUID.randomUUID().toString())
                    .delete(ResourceKind.NODE, "", found.get().getNodeId())).setAction(action()).build();
            bus.produce(List.of(intent));
        } catch (Exception e) {
            return fail(e.getCause() != null && !(e instanceof IllegalStateException) ? e.getCause().getMessage() : e.getMessage());
        }
        out().println("node/" + node + " " + done());
        out().flush();
        return 0;
    }
}

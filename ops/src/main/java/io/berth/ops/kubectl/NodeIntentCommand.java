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
        try {
            return viaGateway(gateway());
        } catch (Gateway.ApiException e) {
            return fail(e);
        }
    }
}

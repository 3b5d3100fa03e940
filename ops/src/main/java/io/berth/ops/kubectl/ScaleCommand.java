package io.berth.ops.kubectl;

import io.berth.schemas.limits.Limits;

import io.berth.gateway.manifest.Intents;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.ResourceKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.UUID;

/** {@code berth scale deployment|statefulset/NAME --replicas N}: a SCALE intent. */
@Command(name = "scale", mixinStandardHelpOptions = true, description = "Set a new size for a deployment or a stateful set.")
public final class ScaleCommand extends KubectlCommand {

    @Parameters(arity = "1..2", paramLabel = "TYPE/NAME | TYPE NAME", description = "e.g. deployment/web or deployment web")
    List<String> target;

    @Option(names = "--replicas", required = true, description = "the new desired number of replicas (>= 0)")
    int replicas;

    @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "namespace (default: ${DEFAULT-VALUE})")
    String namespace;

    public ScaleCommand() {}

    @Override
    public Integer call() {
        String[] typeAndName = target.size() == 2 ? new String[]{target.get(0), target.get(1)} : ResourceTypes.typeAndName(target.get(0));
        if (typeAndName == null) return fail("specify the deployment as deployment/NAME or deployment NAME");
        ResourceKind kind = ResourceTypes.kind(typeAndName[0]);
        if (kind != ResourceKind.DEPLOYMENT && kind != ResourceKind.STATEFULSET) {
            return fail("cannot scale \"" + typeAndName[0] + "\": only deployments and statefulsets can be scaled");
        }
        if (replicas < 0) return fail("--replicas: Invalid value: " + replicas + ": must be greater than or equal to 0");
        String name = typeAndName[1];
        if (name.isEmpty()) return fail("resource name may not be empty");
        // the limits the gateway and state-streams check again (io.berth.schemas.limits.Limits), before anything is sent
        List<Limits.Violation> beyond;
        try {
            beyond = Limits.forClient().checkAll(new Intents(actor(), clock, () -> "check").scale(kind, namespace, name, replicas));
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage());
        }
        if (!beyond.isEmpty()) {
            Limits.Violation v = beyond.get(0);
            return fail((v.field().equals("spec.replicas") ? "--replicas" : v.field()) + ": " + v.detail());
        }
        try {
            String path = Gateway.item(kind == ResourceKind.STATEFULSET ? "statefulsets" : "deployments", namespace, name) + "/scale";
            gateway().call("PUT", path, "{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"Scale\",\"spec\":{\"replicas\":" + replicas + "}}",
                    "application/json");
        } catch (Gateway.ApiException e) {
            return fail(e);
        }
        out().println(ResourceTypes.singular(kind) + "/" + name + " scaled");
        out().flush();
        return 0;
    }
}

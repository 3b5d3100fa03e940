package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.schemas.avro.ResourceKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/**
 * {@code berth autoscale deployment/NAME --min N --max M --cpu-percent P}: creates an autoscaling/v2
 * HorizontalPodAutoscaler named after the deployment (kubectl's flags and defaults: --min unset = 1, --cpu-percent
 * unset = the server's default, 80 %). The gateway validates it (e.g. {@code spec.maxReplicas}) in Kubernetes' words.
 */
@Command(name = "autoscale", mixinStandardHelpOptions = true, description = "Create a HorizontalPodAutoscaler for a deployment.")
public final class AutoscaleCommand extends KubectlCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(arity = "1..2", paramLabel = "TYPE/NAME | TYPE NAME", description = "e.g. deployment/web or deployment web")
    List<String> target;

    @Option(names = "--min", defaultValue = "-1", description = "the lower limit for the number of pods (default: 1)")
    int min;

    @Option(names = "--max", required = true, description = "the upper limit for the number of pods")
    int max;

    @Option(names = "--cpu-percent", defaultValue = "-1", description = "the target average CPU utilization over all the pods, as a percentage of the requested CPU (default: 80)")
    int cpuPercent;

    @Option(names = "--name", description = "the name of the HorizontalPodAutoscaler (default: the deployment's)")
    String name;

    @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "namespace (default: ${DEFAULT-VALUE})")
    String namespace;

    public AutoscaleCommand() {}

    @Override
    public Integer call() {
        String[] typeAndName = target.size() == 2 ? new String[]{target.get(0), target.get(1)} : ResourceTypes.typeAndName(target.get(0));
        if (typeAndName == null) return fail("specify the deployment as deployment/NAME or deployment NAME");
        if (ResourceTypes.kind(typeAndName[0]) != ResourceKind.DEPLOYMENT) {
            return fail("cannot autoscale a " + typeAndName[0] + ": only deployments can be autoscaled");
        }
        String deployment = typeAndName[1];
        if (deployment.isEmpty()) return fail("resource name may not be empty");
        String hpa = name == null || name.isEmpty() ? deployment : name;
        ObjectNode o = JSON.createObjectNode().put("apiVersion", "autoscaling/v2").put("kind", "HorizontalPodAutoscaler");
        o.putObject("metadata").put("name", hpa).put("namespace", namespace);
        ObjectNode spec = o.putObject("spec");
        spec.putObject("scaleTargetRef").put("apiVersion", "apps/v1").put("kind", "Deployment").put("name", deployment);
        if (min >= 0) spec.put("minReplicas", min);
        spec.put("maxReplicas", max);
        if (cpuPercent >= 0) {
            spec.putArray("metrics").addObject().put("type", "Resource").putObject("resource").put("name", "cpu")
                    .putObject("target").put("type", "Utilization").put("averageUtilization", cpuPercent);
        }
        try {
            gateway().call("POST", Gateway.collection("horizontalpodautoscalers", namespace) + "?wait=false", o.toString(), "application/json");
        } catch (Gateway.ApiException e) {
            return fail(e);
        }
        out().println("horizontalpodautoscaler.autoscaling/" + hpa + " autoscaled");
        out().flush();
        return 0;
    }
}

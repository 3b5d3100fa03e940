package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/**
 * {@code berth cluster-info}: where the control plane answers, and what the gateway's {@code /version}
 * says of the schema registry and Kafka.
 */
@Command(name = "cluster-info", mixinStandardHelpOptions = true, description = "Display addresses of the control plane and its services.")
public final class ClusterInfoCommand extends KubectlCommand {

    public ClusterInfoCommand() {}

    @Override
    public Integer call() {
        Gateway gw = gateway();
        JsonNode version;
        try {
            version = gw.get("/version");
        } catch (Gateway.ApiException e) {
            err().println();
            err().println("To further debug and diagnose cluster problems, use 'berth status'.");
            return fail(e);
        }
        out().println("Berth control plane is running at " + gw.server());
        // the gateway's /version may name them; else the running launcher's state does (when it is this gateway)
        java.util.Properties launcher = ConnectionOptions.read(ConnectionOptions.stateDir(System.getenv(), System.getProperty("user.home")));
        boolean same = gw.server().equals(launcher.getProperty("gateway.url", "").replaceAll("/$", ""));
        String registry = first(version, "registryUrl", "registry", "schemaRegistryUrl");
        if (registry == null && same) registry = launcher.getProperty("registry.url");
        if (registry != null) out().println("Schema registry is running at " + registry);
        String kafka = first(version, "bootstrapServers", "kafka", "kafkaBootstrapServers");
        if (kafka == null && same) kafka = launcher.getProperty("bootstrap.servers");
        if (kafka != null) out().println("Kafka bootstrap servers are at " + kafka);
        out().println();
        out().println("To further debug and diagnose cluster problems, use 'berth status'.");
        out().flush();
        return 0;
    }

    private static String first(JsonNode o, String... fields) {
        for (String f : fields) {
            JsonNode v = o.path(f);
            if (v.isTextual() && !v.asText().isEmpty()) return v.asText();
        }
        return null;
    }
}

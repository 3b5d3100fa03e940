package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth version}: the client's and the gateway's versions, as {@code kubectl version} prints them. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the client and server version information.")
public final class VersionCommand extends KubectlCommand {
    public static final String CLIENT_VERSION = "v0.1.0";

    @Option(names = "--client", description = "print the client version only")
    boolean clientOnly;

    @Option(names = {"-o", "--output"}, paramLabel = "json", description = "json prints {clientVersion, serverVersion}")
    String output;

    public VersionCommand() {}

    @Override
    public Integer call() {
        com.fasterxml.jackson.databind.node.ObjectNode doc = Gateway.object();
        doc.putObject("clientVersion").put("gitVersion", CLIENT_VERSION).put("platform", System.getProperty("os.name").toLowerCase()
                + "/" + System.getProperty("os.arch"));
        if (!"json".equals(output)) out().println("Client Version: " + CLIENT_VERSION);
        out().flush();
        if (clientOnly) {
            if ("json".equals(output)) out().println(doc.toPrettyString());
            out().flush();
            return 0;
        }
        try {
            JsonNode server = gateway().get("/version");
            doc.set("serverVersion", server);
            if ("json".equals(output)) out().println(doc.toPrettyString());
            else out().println("Server Version: " + server.path("gitVersion").asText("unknown"));
        } catch (Gateway.ApiException e) {
            if ("json".equals(output)) out().println(doc.toPrettyString());
            out().flush();
            return fail(e);
        }
        out().flush();
        return 0;
    }
}

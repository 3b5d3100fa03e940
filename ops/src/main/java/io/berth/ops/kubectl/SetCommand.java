package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code berth set image deployment/NAME CONTAINER=IMAGE [...]}: kubectl's {@code set image}, a merge patch of the pod template. */
@Command(name = "set", mixinStandardHelpOptions = true, description = "Set specific features on objects.",
        subcommands = {SetCommand.Image.class})
public final class SetCommand extends KubectlCommand {
    public SetCommand() {}

    @Override
    public Integer call() {
        spec.commandLine().usage(out());
        out().flush();
        return 0;
    }

    @Command(name = "image", mixinStandardHelpOptions = true,
            description = "Update the image of containers of a deployment's pod template ('*' names every container). A new revision "
                    + "rolls out; an existing kubernetes.io/change-cause annotation is kept as it is.")
    public static final class Image extends KubectlCommand {
        @Parameters(arity = "2..*", paramLabel = "TYPE/NAME | TYPE NAME, CONTAINER=IMAGE...",
                description = "e.g. deployment/web web=berth/busybox:2")
        List<String> args;

        @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "namespace (default: ${DEFAULT-VALUE})")
        String namespace;

        public Image() {}

        @Override
        public Integer call() {
            List<String> rest = new ArrayList<>(args);
            String first = rest.remove(0);
            String[] typeAndName = ResourceTypes.typeAndName(first);
            if (typeAndName == null) {
                if (rest.isEmpty() || rest.get(0).contains("=")) return fail("you must provide one or more resources by argument or filename");
                typeAndName = new String[]{first, rest.remove(0)};
            }
            ResourceTypes.Resource r = ResourceTypes.resource(typeAndName[0]);
            if (r == null) return fail("the server doesn't have a resource type \"" + typeAndName[0] + "\"");
            if (r != ResourceTypes.DEPLOYMENTS) return fail("setting images of \"" + r.printed() + "\" is not supported: only deployments");
            String name = typeAndName[1];
            Map<String, String> images = new LinkedHashMap<>();
            for (String pair : rest) {
                int eq = pair.indexOf('=');
                if (eq <= 0 || eq == pair.length() - 1) return fail("all resources must be specified before image changes: " + pair);
                images.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
            if (images.isEmpty()) return fail("at least one image update is required");
            try {
                Gateway gw = gateway();
                String path = Gateway.item("deployments", namespace, name);
                JsonNode d = gw.get(path);
                ObjectNode podSpec = Gateway.object();
                boolean changed = false;
                for (String field : List.of("initContainers", "containers")) {
                    JsonNode containers = d.path("spec").path("template").path("spec").path(field);
                    if (containers.isMissingNode() || containers.isEmpty()) continue;
                    ArrayNode patched = containers.deepCopy();
                    for (JsonNode c : patched) {
                        String image = images.getOrDefault(c.path("name").asText(), images.get("*"));
                        if (image != null && !image.equals(c.path("image").asText())) {
                            ((ObjectNode) c).put("image", image);
                            changed = true;
                        }
                    }
                    podSpec.set(field, patched);
                }
                for (String container : images.keySet()) {
                    if (container.equals("*")) continue;
                    boolean found = false;
                    for (String field : List.of("initContainers", "containers")) {
                        for (JsonNode c : d.path("spec").path("template").path("spec").path(field)) found |= c.path("name").asText().equals(container);
                    }
                    if (!found) return fail("unable to find container named \"" + container + "\"");
                }
                // kubectl prints nothing when no image changes (an empty patch is not sent)
                if (!changed) return 0;
                ObjectNode patch = Gateway.object();
                patch.putObject("spec").putObject("template").set("spec", podSpec);
                gw.call("PATCH", path, patch.toString(), "application/merge-patch+json");
            } catch (Gateway.ApiException e) {
                return fail(e);
            }
            out().println("deployment.apps/" + name + " image updated");
            out().flush();
            return 0;
        }
    }
}

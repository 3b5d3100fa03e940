package io.berth.ops.kubectl;

import io.berth.gateway.manifest.ManifestOptions;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.gateway.manifest.ManifestProblem;
import io.berth.gateway.manifest.ManifestResult;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.avro.TaskPhase;
import io.berth.schemas.avro.TaskView;
import io.berth.schemas.avro.WorkloadView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

/**
 * {@code berth apply -f FILE|DIR|-}: validates every manifest first; if anything is invalid, prints
 * every error and produces nothing. Otherwise appends one APPLY intent per object and prints
 * {@code deployment.apps/web created} (or {@code configured} when the views already hold it).
 */
@Command(name = "apply", mixinStandardHelpOptions = true,
        description = "Apply manifests (Deployment, Pod, Service, Namespace) by producing intents.")
public final class ApplyCommand extends KubectlCommand {

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE|DIR|-",
            description = "manifest file, directory of .yaml/.yml/.json files, or - for stdin (repeatable)")
    List<String> files;

    @Option(names = "--strict", description = "unknown fields are errors (the default; same as --validate=strict)")
    boolean strict;

    /** As kubectl since 1.27: strict by default, so a misspelt field never silently does nothing. */
    @Option(names = "--validate", defaultValue = "strict", paramLabel = "strict|warn",
            description = "strict: unknown fields are errors (default, as kubectl); warn: they are printed as warnings")
    String validate;

    @Option(names = {"-n", "--namespace"}, description = "namespace for objects that name none; objects naming another are refused")
    String namespace;

    @Option(names = "--dry-run", description = "validate and print what would be applied, produce nothing")
    boolean dryRun;

    public ApplyCommand() {}

    @Override
    public Integer call() {
        ManifestResult result;
        try {
            result = parse();
        } catch (IllegalArgumentException | UncheckedIOException e) {
            return fail(e.getMessage());
        }
        for (ManifestProblem w : result.warnings()) err().println("Warning: " + warning(w));
        if (!result.ok()) {
            for (ManifestProblem e : result.errors()) err().println("error: " + e.describe());
            err().flush();
            return 1;
        }
        if (dryRun) {
            result.intents().forEach(i -> out().println(ResourceTypes.singular(i.getKind()) + "/" + i.getName() + " created (dry run)"));
            out().flush();
            return 0;
        }
        if (!connection.direct()) {
            try {
                return viaGateway(gateway(), result);
            } catch (Gateway.ApiException e) {
                return fail(e);
            }
        }
        Bus bus = bus();
        Existing existing = Existing.read(bus, err());
        try {
            bus.produce(result.intents());
        } catch (ExecutionException e) {
            return fail("producing intents to " + Topics.INTENTS.name() + " failed: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        } catch (RuntimeException e) {
            return fail("producing intents to " + Topics.INTENTS.name() + " failed: " + e.getMessage());
        }
        for (Intent i : result.intents()) {
            out().println(ResourceTypes.singular(i.getKind()) + "/" + i.getName() + (existing.has(i) ? " configured" : " created"));
        }
        out().flush();
        return 0;
    }

    /**
     * Sends every file as it is (multi-document YAML or JSON) to {@code POST /apis/berth.io/v1/apply}
     * ({@code ?fieldValidation=Strict} when strict) and prints the gateway's verdict per object, as kubectl:
     * {@code deployment.apps/web created|configured|unchanged}. With {@code -n} the documents naming no
     * namespace get it before sending.
     */
    private int viaGateway(Gateway gw, ManifestResult parsed) {
        boolean isStrict = strict || !"warn".equalsIgnoreCase(validate);
        java.util.Set<String> warned = new java.util.HashSet<>();
        parsed.warnings().forEach(w -> warned.add(w.message()));
        String path = Gateway.APPLY + Gateway.query(Gateway.params("fieldValidation", isStrict ? "Strict" : "Warn"));
        for (ManifestFiles.Source s : ManifestFiles.read(files, stdin)) {
            String body = namespace == null ? s.text() : withNamespace(s.text(), namespace);
            Gateway.Response r = gw.call("POST", path, body, "application/yaml");
            for (String w : r.warnings()) {
                if (warned.stream().noneMatch(w::contains)) err().println("Warning: " + w);
            }
            for (String line : results(r.body())) out().println(line);
            out().flush();
            err().flush();
        }
        return 0;
    }

    /** {@code deployment.apps/web created} lines from the apply endpoint's List of results (tolerant of its exact shape). */
    static List<String> results(com.fasterxml.jackson.databind.JsonNode body) {
        List<String> lines = new java.util.ArrayList<>();
        if (body == null) return lines;
        com.fasterxml.jackson.databind.JsonNode items = body.isArray() ? body : body.has("items") ? body.path("items") : null;
        if (items == null) {
            lines.add(result(body));
            return lines;
        }
        for (com.fasterxml.jackson.databind.JsonNode item : items) lines.add(result(item));
        return lines;
    }

    private static String result(com.fasterxml.jackson.databind.JsonNode item) {
        com.fasterxml.jackson.databind.JsonNode obj = item.has("object") ? item.path("object") : item;
        String kind = item.path("kind").asText("");
        if (kind.isEmpty() || kind.equals("ApplyResult") || kind.equals("Status")) kind = obj.path("kind").asText(kind);
        String name = item.path("name").asText(obj.path("metadata").path("name").asText(""));
        String verdict = "";
        for (String f : new String[]{"operation", "result", "action", "outcome"}) {
            if (item.path(f).isTextual()) {
                verdict = item.path(f).asText();
                break;
            }
        }
        if (verdict.isEmpty()) verdict = obj.path("metadata").path("annotations").path("berth.io/apply-result").asText("configured");
        verdict = verdict.toLowerCase(java.util.Locale.ROOT);
        ResourceTypes.Resource r = ResourceTypes.ofKind(kind);
        return (r == null ? kind.toLowerCase(java.util.Locale.ROOT) : r.printed()) + "/" + name + " " + verdict;
    }

    /** The documents with {@code metadata.namespace} set where absent (cluster-scoped kinds untouched), as JSON documents. */
    static String withNamespace(String text, String ns) {
        try {
            com.fasterxml.jackson.databind.ObjectMapper yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
            StringBuilder out = new StringBuilder();
            try (com.fasterxml.jackson.databind.MappingIterator<com.fasterxml.jackson.databind.JsonNode> docs =
                         yaml.readerFor(com.fasterxml.jackson.databind.JsonNode.class).readValues(text)) {
                while (docs.hasNext()) {
                    com.fasterxml.jackson.databind.JsonNode d = docs.next();
                    if (d == null || d.isNull() || d.isMissingNode()) continue;
                    if (d.isObject() && !d.path("kind").asText().equals("Namespace") && !d.path("kind").asText().equals("Node")) {
                        com.fasterxml.jackson.databind.node.ObjectNode meta = d.has("metadata") && d.get("metadata").isObject()
                                ? (com.fasterxml.jackson.databind.node.ObjectNode) d.get("metadata")
                                : ((com.fasterxml.jackson.databind.node.ObjectNode) d).putObject("metadata");
                        if (!meta.hasNonNull("namespace")) meta.put("namespace", ns);
                    }
                    if (out.length() > 0) out.append("---\n");
                    out.append(d).append('\n');
                }
            }
            return out.toString();
        } catch (java.io.IOException e) {
            return text; // the client-side parse already accepted it; let the server judge
        }
    }

    private ManifestResult parse() {
        ManifestOptions options = ManifestOptions.defaults().withStrict(strict || !"warn".equalsIgnoreCase(validate)).withActor(actor())
                .withClock(clock, () -> UUID.randomUUID().toString())
                .withNamespace(namespace == null ? "default" : namespace, namespace != null);
        ManifestParser parser = new ManifestParser(options);
        ManifestResult all = ManifestResult.empty();
        for (ManifestFiles.Source s : ManifestFiles.read(files, stdin)) all = all.plus(parser.parse(s.name(), s.text()));
        return all;
    }

    private static String warning(ManifestProblem w) {
        return (w.source().isEmpty() ? "" : w.source() + ": ") + w.message();
    }

    /** What the views hold already, to say "configured" rather than "created" as kubectl does. */
    record Existing(Map<String, WorkloadView> workloads, Map<String, TaskView> tasks) {
        static Existing read(Bus bus, java.io.PrintWriter err) {
            try {
                return new Existing(bus.read(Topics.WORKLOADS, m -> {}), bus.read(Topics.TASKS, m -> {}));
            } catch (RuntimeException e) {
                return new Existing(Map.of(), Map.of());
            }
        }

        boolean has(Intent i) {
            String ns = i.getNamespace();
            return switch (i.getKind()) {
                case DEPLOYMENT, SERVICE -> {
                    WorkloadView w = workloads.get(Topics.resourceKey(ns, i.getKind(), i.getName()));
                    yield w != null && !w.getDeleted();
                }
                case POD -> tasks.values().stream().anyMatch(t -> t.getNamespace().equals(ns)
                        && (t.getPodName().equals(i.getName()) || t.getTaskId().equals(i.getName()))
                        && t.getPhase() != TaskPhase.TERMINATING);
                case NAMESPACE -> workloads.values().stream().anyMatch(w -> w.getNamespace().equals(i.getName()) && !w.getDeleted())
                        || workloads.containsKey(Topics.resourceKey("", ResourceKind.NAMESPACE, i.getName()));
                default -> false;
            };
        }
    }
}

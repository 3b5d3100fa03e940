package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.gateway.manifest.Intents;
import io.berth.ops.plan.Plan;
import io.berth.ops.plan.PlanPrinter;
import io.berth.ops.plan.Planner;
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
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

/**
 * {@code berth apply -f FILE|DIR|-}: validates every manifest first; if anything is invalid, prints
 * every error and produces nothing. Otherwise appends one APPLY intent per object and prints
 * {@code deployment.apps/web created} (or {@code configured} when the views already hold it).
 * {@code --plan} changes nothing and shows what each object would become and where its new pods
 * would be placed ({@link Planner}, Nomad's {@code job plan}).
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

    @Option(names = "--plan", description = "change nothing: show per object created/configured/unchanged with the spec diff, "
            + "and where each new pod would be placed or why not (needs --server)")
    boolean plan;

    @Option(names = {"-o", "--output"}, paramLabel = "json", description = "with --plan: json prints the plan as JSON")
    String output;

    /** How many RBAC objects the files hold (they go through the gateway only). */
    private int rbacObjects;
    /** The documents only the gateway parses (RBAC objects, Secrets, ConfigMaps): what they were before is asked for too. */
    private final List<JsonNode> gatewayDocs = new java.util.ArrayList<>();

    public ApplyCommand() {}

    @Override
    public Integer call() {
        ManifestResult result;
        List<ManifestFiles.Source> sources;
        try {
            sources = ManifestFiles.read(files, stdin);
            result = parse(sources);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            return fail(e.getMessage());
        }
        for (ManifestProblem w : result.warnings()) err().println("Warning: " + warning(w));
        if (!result.ok()) {
            for (ManifestProblem e : result.errors()) err().println("error: " + e.describe());
            err().flush();
            return 1;
        }
        if (rbacObjects > 0 && (plan || dryRun)) {
            return fail("Role, ClusterRole, RoleBinding, ClusterRoleBinding, Secret and ConfigMap are applied for real only (without --plan or --dry-run)");
        }
        if (plan) return plan(result);
        if (dryRun) {
            result.intents().forEach(i -> out().println(ResourceTypes.singular(i.getKind()) + "/" + i.getName() + " created (dry run)"));
            out().flush();
            return 0;
        }
        try {
            return viaGateway(gateway(), result, sources);
        } catch (Gateway.ApiException e) {
            return fail(e);
        }
    }

    /**
     * Sends every file as it is (multi-document YAML or JSON) to {@code POST /apis/berth.io/v1/apply}
     * ({@code ?fieldValidation=Strict} when strict, {@code ?namespace=} with {@code -n}) and prints, per
     * object, what kubectl prints: {@code deployment.apps/web created}, {@code configured} when the gateway
     * already served it, {@code unchanged} when its resourceVersion did not move. A Status among the
     * results is printed as kubectl prints server errors, and the exit code is 1.
     */
    private int viaGateway(Gateway gw, ManifestResult parsed, List<ManifestFiles.Source> sources) {
        boolean isStrict = strict || !"warn".equalsIgnoreCase(validate);
        java.util.Set<String> warned = new java.util.HashSet<>();
        parsed.warnings().forEach(w -> warned.add(w.message()));
        java.util.Map<String, String> before = new java.util.HashMap<>(); // ns/kind/name -> resourceVersion, for objects that exist
        for (Intent i : parsed.intents()) {
            ResourceTypes.Resource r = ResourceTypes.resource(i.getKind().name());
            String rv = r == null ? null : resourceVersion(gw, r, r.namespaced() ? i.getNamespace() : null, i.getName());
            if (rv != null) before.put(Intents.key(i), rv);
        }
        for (JsonNode doc : gatewayDocs) { // else a Secret re-applied said "created" every time
            ResourceTypes.Resource r = ResourceTypes.ofKind(doc.path("kind").asText(""));
            String name = doc.path("metadata").path("name").asText("");
            if (r == null || name.isEmpty()) continue;
            String ns = doc.path("metadata").path("namespace").asText(namespace == null ? "default" : namespace);
            String rv = resourceVersion(gw, r, r.namespaced() ? ns : null, name);
            if (rv != null) before.put(key(r, ns, name), rv);
        }
        String path = Gateway.APPLY + Gateway.query(Gateway.params("fieldValidation", isStrict ? "Strict" : "Warn", "namespace", namespace));
        int exit = 0;
        for (ManifestFiles.Source s : sources) {
            Gateway.Response r = gw.call("POST", path, s.text(), "application/yaml");
            for (String w : r.warnings()) {
                if (warned.stream().noneMatch(w::contains)) err().println("Warning: " + w);
            }
            com.fasterxml.jackson.databind.JsonNode items = r.body() == null ? null : r.body().path("items");
            if (items == null || !items.isArray()) continue;
            for (com.fasterxml.jackson.databind.JsonNode item : items) {
                if (item.path("kind").asText().equals("Status") && item.path("status").asText().equals("Failure")) {
                    err().println(Gateway.error(item.path("code").asInt(), item, null).getMessage());
                    exit = 1;
                    continue;
                }
                out().println(result(item, before));
            }
            out().flush();
            err().flush();
        }
        return exit;
    }

    /**
     * {@code --plan}: reads the objects the file names, the nodes and the pods through the gateway, and
     * prints what {@link Planner} makes of them. Writes nothing: only GETs are sent.
     */
    private int plan(ManifestResult parsed) {
        if (output != null && !output.equals("json")) return fail("--plan prints text or -o json, not " + output);
        try {
            Gateway gw = gateway();
            JsonNode nodes = gw.get(Gateway.collection("nodes", null));
            JsonNode pods = gw.get(Gateway.collection("pods", null));
            Plan p = new Planner(i -> current(gw, i), nodes, pods)
                    .plan(parsed.intents(), i -> printed(i));
            out().print(output == null ? PlanPrinter.text(p) : Gateway.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(PlanPrinter.json(p)) + "\n");
        } catch (Gateway.ApiException e) {
            return fail(e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return fail(e.getMessage());
        }
        out().flush();
        return 0;
    }

    /** The object as the gateway serves it now; empty when it has none (404). */
    private static Optional<JsonNode> current(Gateway gw, Intent i) {
        ResourceTypes.Resource r = ResourceTypes.resource(i.getKind().name());
        if (r == null) return Optional.empty();
        try {
            JsonNode o = gw.get(Gateway.item(r.plural(), r.namespaced() ? i.getNamespace() : null, i.getName()));
            return o.path("metadata").path("deletionTimestamp").isTextual() ? Optional.empty() : Optional.of(o);
        } catch (Gateway.ApiException e) {
            if (e.code == 0) throw e;
            return Optional.empty();
        }
    }

    /** {@code deployment.apps/web}, as apply prints an object. */
    private static String printed(Intent i) {
        ResourceTypes.Resource r = ResourceTypes.resource(i.getKind().name());
        return (r == null ? ResourceTypes.singular(i.getKind()) : r.printed()) + "/" + i.getName();
    }

    /** The served resourceVersion of an object, or null when the gateway does not have it. */
    private static String resourceVersion(Gateway gw, ResourceTypes.Resource r, String namespace, String name) {
        try {
            com.fasterxml.jackson.databind.JsonNode o = gw.get(Gateway.item(r.plural(), namespace, name));
            return o.path("metadata").path("resourceVersion").asText("");
        } catch (Gateway.ApiException e) {
            if (e.code == 0) throw e;
            return null;
        }
    }

    /** {@code deployment.apps/web created|configured|unchanged} for one result (the applied object, or a receipt with wait=false). */
    static String result(com.fasterxml.jackson.databind.JsonNode item, java.util.Map<String, String> before) {
        com.fasterxml.jackson.databind.JsonNode meta = item.path("metadata");
        String kind = item.path("kind").asText("");
        String name = meta.path("name").asText("");
        String ns = meta.path("namespace").asText("");
        if (kind.equals("IntentReceipt")) { // answered before it was applied: key is ns/kind/name
            String[] key = item.path("key").asText("//").split("/", 3);
            ns = key[0];
            kind = key.length > 1 ? key[1] : "";
            name = key.length > 2 ? key[2] : "";
        }
        ResourceTypes.Resource r = ResourceTypes.ofKind(kind);
        String lower = r == null ? kind.toLowerCase(java.util.Locale.ROOT) : r.singular();
        String key = r == null ? ns + "/" + lower + "/" + name : key(r, ns, name);
        String verdict;
        if (!before.containsKey(key)) verdict = "created";
        else if (!meta.path("resourceVersion").asText("").isEmpty() && meta.path("resourceVersion").asText().equals(before.get(key))) verdict = "unchanged";
        else verdict = "configured";
        return (r == null ? lower : r.printed()) + "/" + name + " " + verdict;
    }

    /** {@code ns/singular/name}, the empty namespace for cluster-scoped kinds ({@link Intents#key}'s shape). */
    static String key(ResourceTypes.Resource r, String ns, String name) {
        return (r.namespaced() ? ns : "") + "/" + r.singular() + "/" + name;
    }

    private ManifestResult parse(List<ManifestFiles.Source> sources) {
        ManifestOptions options = ManifestOptions.defaults().withStrict(strict || !"warn".equalsIgnoreCase(validate)).withActor(actor())
                .withClock(clock, () -> UUID.randomUUID().toString())
                .withNamespace(namespace == null ? "default" : namespace, namespace != null)
                .withLimits(io.berth.schemas.limits.Limits.forClient());  // refused here, before anything is sent
        ManifestParser parser = new ManifestParser(options);
        ManifestResult all = ManifestResult.empty();
        for (ManifestFiles.Source s : sources) {
            // RBAC objects are the gateway's to check (it refuses the whole apply, naming the field); the rest is parsed here
            // so are Secrets and ConfigMaps (only the gateway holds the key that encrypts a Secret's values)
            io.berth.gateway.rbac.RbacApi.Split split = io.berth.gateway.rbac.RbacApi.split(s.text());
            io.berth.gateway.config.ConfigApi.Split configs = io.berth.gateway.config.ConfigApi.split(split.rest());
            rbacObjects += split.rbac().size() + configs.configs().size();
            gatewayDocs.addAll(split.rbac());
            gatewayDocs.addAll(configs.configs());
            boolean gatewayOnly = !split.rbac().isEmpty() || !configs.configs().isEmpty();
            if (!gatewayOnly || !configs.rest().isBlank()) all = all.plus(parser.parse(s.name(), configs.rest()));
        }
        return all;
    }

    private static String warning(ManifestProblem w) {
        return (w.source().isEmpty() ? "" : w.source() + ": ") + w.message();
    }
}

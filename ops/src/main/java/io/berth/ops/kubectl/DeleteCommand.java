package io.berth.ops.kubectl;

import io.berth.gateway.manifest.Intents;
import io.berth.gateway.manifest.ManifestOptions;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.gateway.manifest.ManifestProblem;
import io.berth.gateway.manifest.ManifestResult;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.ResourceKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code berth delete pod NAME…}, {@code delete deployment/NAME}, {@code delete -f FILE}: DELETE intents.
 * The control loop is level-triggered, so deleting something that does not exist is harmless and no
 * existence check (which would race the views) is made.
 */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Delete pods, deployments, services or namespaces by name or by manifest.")
public final class DeleteCommand extends KubectlCommand {

    @Parameters(arity = "0..*", paramLabel = "TYPE NAME… | TYPE/NAME…", description = "e.g. pod web-1 or deployment/web")
    List<String> args = new ArrayList<>();

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE|DIR|-", description = "delete the objects these manifests name")
    List<String> files = new ArrayList<>();

    @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "namespace (default: ${DEFAULT-VALUE})")
    String namespace;

    public DeleteCommand() {}

    @Override
    public Integer call() {
        Intents intents = new Intents(actor(), clock, () -> UUID.randomUUID().toString());
        List<Intent> deletes = new ArrayList<>();
        try {
            if (!files.isEmpty() && !args.isEmpty()) return fail("give either -f or TYPE NAME, not both");
            if (!files.isEmpty()) {
                ManifestParser parser = new ManifestParser(ManifestOptions.defaults().withNamespace(namespace, false));
                ManifestResult all = ManifestResult.empty();
                for (ManifestFiles.Source s : ManifestFiles.read(files, stdin)) all = all.plus(parser.parseForDelete(s.name(), s.text()));
                if (!all.ok()) {
                    for (ManifestProblem e : all.errors()) err().println("error: " + e.describe());
                    err().flush();
                    return 1;
                }
                all.intents().forEach(i -> deletes.add(intents.deleteOf(i)));
            } else {
                String problem = byName(intents, deletes);
                if (problem != null) return fail(problem);
            }
        } catch (IllegalArgumentException | UncheckedIOException e) {
            return fail(e.getMessage());
        }
        return viaGateway(gateway(), deletes);
    }

    private static final java.util.Set<String> PATH_ONLY = java.util.Set.of("resourcequotas", "limitranges", "configmaps", "secrets");

    @Option(names = "--wait", arity = "0..1", defaultValue = "true", fallbackValue = "true",
            description = "wait for a namespace to be gone (its objects deleted) before returning, as kubectl does (default: ${DEFAULT-VALUE})")
    boolean waitForGone = true;

    @Option(names = "--timeout", defaultValue = "120s", description = "how long --wait waits (default: ${DEFAULT-VALUE})")
    String timeout;

    /** {@code DELETE} at each object's Kubernetes path; a missing one is reported as kubectl does and the rest go on. */
    private int viaGateway(Gateway gw, List<Intent> deletes) {
        int exit = 0;
        for (String[] pn : byPath) {
            ResourceTypes.Resource r = ResourceTypes.resource(pn[0]);
            try {
                gw.call("DELETE", Gateway.item(r.plural(), namespace, pn[1]), null, null);
                out().println(r.printed() + " \"" + pn[1] + "\" deleted");
            } catch (Gateway.ApiException e) {
                err().println(e.getMessage());
                exit = 1;
                if (e.code == 0) break;
            }
            out().flush();
            err().flush();
        }
        for (Intent i : deletes) {
            ResourceTypes.Resource r = ResourceTypes.resource(i.getKind().name());
            try {
                gw.call("DELETE", Gateway.item(r.plural(), r.namespaced() ? i.getNamespace() : null, i.getName()), null, null);
                out().println(r.printed() + " \"" + i.getName() + "\" deleted");
                if (i.getKind() == ResourceKind.NAMESPACE && waitForGone) awaitGone(gw, Gateway.item(r.plural(), null, i.getName()));
            } catch (Gateway.ApiException e) {
                err().println(e.getMessage());
                exit = 1;
                if (e.code == 0) break; // nothing answers: do not repeat the same error
            }
            out().flush();
            err().flush();
        }
        return exit;
    }

    /** A namespace is Terminating until its objects are deleted: kubectl delete waits until a get says NotFound. */
    private void awaitGone(Gateway gw, String path) {
        long deadline = System.nanoTime() + GoDuration.parse(timeout, "--timeout").toNanos();
        while (System.nanoTime() < deadline) {
            try {
                gw.get(path);
            } catch (Gateway.ApiException e) {
                if (e.code == 404) return;
                throw e;
            }
            try {
                Thread.sleep(250); // a poll of the object, as kubectl's wait does
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new Gateway.ApiException(0, "", "error: timed out waiting for " + path + " to be deleted");
    }

    /** Fills {@code deletes} from {@code TYPE NAME…} or {@code TYPE/NAME…}; returns an error message or null. */
    private String byName(Intents intents, List<Intent> deletes) {
        if (args.isEmpty()) return "You must provide one or more resources by argument or filename.";
        if (ResourceTypes.typeAndName(args.get(0)) != null) {
            for (String a : args) {
                String[] tn = ResourceTypes.typeAndName(a);
                if (tn == null) return "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form";
                String problem = add(intents, deletes, tn[0], tn[1]);
                if (problem != null) return problem;
            }
            return null;
        }
        if (args.size() < 2) return "resource(s) were provided, but no name was specified";
        for (String name : args.subList(1, args.size())) {
            String problem = add(intents, deletes, args.get(0), name);
            if (problem != null) return problem;
        }
        return null;
    }

    /** Served objects that are not intents (ResourceQuotas, LimitRanges, ConfigMaps, Secrets): deleted at their path. */
    private final List<String[]> byPath = new ArrayList<>();

    private String add(Intents intents, List<Intent> deletes, String type, String name) {
        ResourceKind kind = ResourceTypes.kind(type);
        ResourceTypes.Resource served = ResourceTypes.resource(type);
        if (kind == null && served != null && PATH_ONLY.contains(served.plural())) {
            if (name.isEmpty()) return "resource name may not be empty";
            byPath.add(new String[]{served.plural(), name});
            return null;
        }
        if (kind == null || kind == ResourceKind.NODE) return "the server doesn't have a resource type \"" + type + "\" that can be deleted";
        if (name.isEmpty()) return "resource name may not be empty";
        deletes.add(intents.delete(kind, namespace, name));
        return null;
    }
}

package io.berth.gateway.manifest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.berth.schemas.avro.*;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static io.berth.gateway.manifest.Fields.child;
import static io.berth.gateway.manifest.Fields.get;

/**
 * Kubernetes manifests (YAML or JSON, several documents, {@code v1 List}s) → Berth {@link Intent}s.
 *
 * <p>Supported: {@code apps/v1 Deployment}, {@code apps/v1 DaemonSet}, {@code apps/v1 StatefulSet}, {@code batch/v1 Job}, {@code batch/v1 CronJob}, {@code v1 Pod}, {@code v1 Service}, {@code v1 Namespace}.
 * Validation follows Kubernetes' own rules and wording ({@code spec.replicas: Invalid value: -1: must
 * be greater than or equal to 0}); all errors of all documents are collected. Fields Berth does not
 * know are warnings ({@code unknown field "spec.replica"}), errors in strict mode. Pure: no I/O
 * beyond the given text, clock and ids come from {@link ManifestOptions}.
 */
public final class ManifestParser {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final List<String> KINDS = List.of("Deployment", "DaemonSet", "StatefulSet", "Job", "CronJob", "Pod", "Service", "Namespace", "HorizontalPodAutoscaler");
    static final List<String> STRATEGIES = List.of("Canary", "Recreate", "RollingUpdate");
    /** Berth's rollout annotations, read into the DeploymentSpec (the spec.strategy fields win). */
    public static final String UPDATE_DELAY = "berth.io/update-delay";
    public static final String ROLLBACK_ON_FAILURE = "berth.io/rollback-on-failure";
    /** Set by the server on every Deployment it renders; a manifest echoing it back does not carry it into the intent. */
    public static final String REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
    static final List<String> SERVICE_TYPES = List.of("ClusterIP", "NodePort", "LoadBalancer");
    private static final Set<String> TOP_FIELDS = Set.of("apiVersion", "kind", "metadata", "spec");
    private static final Set<String> METADATA_FIELDS = Set.of("name", "namespace", "labels", "annotations");
    private static final Set<String> JOB_METADATA_FIELDS = Set.of("name", "namespace", "labels", "annotations", "ownerReferences");
    /** Set by a server; kubectl echoes them in {@code get -o yaml}, so they are accepted and ignored. */
    private static final Set<String> METADATA_IGNORED = Set.of("uid", "resourceVersion", "generation",
            "creationTimestamp", "managedFields", "selfLink");
    private static final Pattern INT_OR_PERCENT = Pattern.compile("[0-9]+%?");

    static {
        io.berth.schemas.AvroTrust.ensure();
    }

    private final ManifestOptions options;
    private final Intents intents;

    public ManifestParser(ManifestOptions options) {
        this.options = options;
        this.intents = new Intents(options);
    }

    public ManifestParser() {
        this(ManifestOptions.defaults());
    }

    /** Parses every document of {@code text}; {@code source} names it in messages (a file name, or empty). */
    public ManifestResult parse(String source, String text) {
        return each(source, text, (f, doc, out) -> resource(f, doc, "", out));
    }

    /**
     * DELETE intents for the objects a manifest names ({@code kubectl delete -f}): only apiVersion,
     * kind, metadata.name and metadata.namespace matter, so a manifest that no longer validates can
     * still be deleted.
     */
    public ManifestResult parseForDelete(String source, String text) {
        return each(source, text, this::reference);
    }

    private interface DocumentHandler {
        void handle(Fields f, JsonNode doc, List<Intent> out);
    }

    private ManifestResult each(String source, String text, DocumentHandler handler) {
        List<Intent> out = new ArrayList<>();
        List<ManifestProblem> warnings = new ArrayList<>();
        List<ManifestProblem> errors = new ArrayList<>();
        List<JsonNode> docs = new ArrayList<>();
        try (JsonParser p = YAML.getFactory().createParser(text)) {
            while (p.nextToken() != null) docs.add(YAML.readTree(p));
        } catch (IOException | RuntimeException e) {
            errors.add(new ManifestProblem(source, docs.size() + 1, "", "", syntaxError(e)));
        }
        int document = 0;
        for (JsonNode doc : docs) {
            document++;
            if (doc == null || doc.isNull() || doc.isMissingNode()) continue;
            Fields f = new Fields(source, document, options.strict());
            handler.handle(f, doc, out);
            warnings.addAll(f.warnings);
            errors.addAll(f.errors);
        }
        if (out.isEmpty() && errors.isEmpty() && docs.stream().allMatch(d -> d == null || d.isNull() || d.isMissingNode())) {
            errors.add(new ManifestProblem(source, 1, "", "", "no objects passed"));
        }
        return new ManifestResult(out, warnings, errors);
    }

    private void reference(Fields f, JsonNode doc, List<Intent> out) {
        if (!doc.isObject()) {
            f.invalid("", doc.isContainerNode() ? "[...]" : Fields.render(doc), "a manifest must be an object with apiVersion and kind");
            return;
        }
        String kind = f.string(doc, "kind", "kind");
        if (get(doc, "kind") == null) f.required("kind");
        if ("List".equals(kind)) {
            List<JsonNode> items = f.array(doc, "items", "items");
            items.forEach(item -> reference(f, item, out));
            return;
        }
        if (kind != null && !KINDS.contains(kind)) f.unsupported("kind", get(doc, "kind"), KINDS);
        JsonNode metadata = f.object(doc, "metadata", "metadata");
        String name = f.string(metadata, "name", "metadata.name");
        if (name == null || name.isEmpty()) f.required("metadata.name");
        String ns = f.string(metadata, "namespace", "metadata.namespace");
        if (ns == null || ns.isEmpty()) ns = options.namespace();
        if (f.errors.isEmpty()) {
            out.add(intents.delete(ResourceKind.valueOf(kind.toUpperCase(java.util.Locale.ROOT)), ns, name));
        }
    }

    private static String syntaxError(Exception e) {
        if (e instanceof JsonProcessingException j) {
            JsonLocation l = j.getLocation();
            String where = l == null ? "" : " at line " + l.getLineNr() + ", column " + l.getColumnNr();
            return "error parsing YAML" + where + ": " + j.getOriginalMessage();
        }
        Throwable c = e.getCause() instanceof JsonProcessingException ? e.getCause() : e;
        return "error parsing YAML: " + (c instanceof JsonProcessingException j ? j.getOriginalMessage() : c.getMessage());
    }

    /** One object; {@code v1 List} recurses into its items. {@code path} is empty except inside a List. */
    private void resource(Fields f, JsonNode doc, String path, List<Intent> out) {
        if (!doc.isObject()) {
            f.invalid(path, doc.isContainerNode() ? "[...]" : Fields.render(doc), "a manifest must be an object with apiVersion and kind");
            return;
        }
        String apiVersion = f.string(doc, "apiVersion", child(path, "apiVersion"));
        String kind = f.string(doc, "kind", child(path, "kind"));
        if (get(doc, "apiVersion") == null) f.required(child(path, "apiVersion"));
        if (get(doc, "kind") == null) f.required(child(path, "kind"));
        if (kind == null) return;
        if (kind.equals("List") && "v1".equals(apiVersion)) {
            List<JsonNode> items = f.array(doc, "items", child(path, "items"));
            for (int i = 0; i < items.size(); i++) resource(f, items.get(i), Fields.index(child(path, "items"), i), out);
            return;
        }
        if (!KINDS.contains(kind)) {
            f.unsupported(child(path, "kind"), get(doc, "kind"), KINDS);
            return;
        }
        String expectedApi = apiVersion(kind);
        boolean hpaV1 = kind.equals("HorizontalPodAutoscaler") && "autoscaling/v1".equals(apiVersion);
        if (apiVersion != null && !apiVersion.equals(expectedApi) && !hpaV1) {
            f.unsupported(child(path, "apiVersion"), get(doc, "apiVersion"),
                    kind.equals("HorizontalPodAutoscaler") ? List.of("autoscaling/v2", "autoscaling/v1") : List.of(expectedApi));
        }
        JsonNode metadata = f.object(doc, "metadata", child(path, "metadata"));
        String name = metadata == null ? null : f.string(metadata, "name", child(path, "metadata.name"));
        f.resource(kind + " \"" + (name == null ? "" : name) + "\"");
        f.onlyKnown(doc, path, TOP_FIELDS, Set.of("status"));
        Meta meta = metadata(f, metadata, child(path, "metadata"), kind);
        switch (kind) {
            case "Deployment" -> add(out, f, path, deployment(f, doc, path, meta));
            case "DaemonSet" -> add(out, f, path, daemonSet(f, doc, path, meta));
            case "StatefulSet" -> add(out, f, path, statefulSet(f, doc, path, meta));
            case "Job" -> add(out, f, path, job(f, doc, path, meta));
            case "CronJob" -> add(out, f, path, cronJob(f, doc, path, meta));
            case "Pod" -> add(out, f, path, pod(f, doc, path, meta));
            case "Service" -> add(out, f, path, service(f, doc, path, meta));
            case "HorizontalPodAutoscaler" -> {
                HpaSpec h = HpaManifest.parse(f, doc, path, hpaV1, meta.annotations);
                // the annotations v1's conversion owns are not the object's own (kube-apiserver drops them from what it stores)
                Map<String, String> annotations = io.berth.gateway.view.HpaV1.withoutRoundTrip(meta.annotations);
                if (h != null && f.errors.isEmpty()) add(out, f, path, intents.hpa(meta.namespace, meta.name, meta.labels, annotations, h));
            }
            default -> add(out, f, path, intents.apply(ResourceKind.NAMESPACE, "", meta.name, meta.labels, meta.annotations, null));
        }
    }

    /**
     * Adds a well-formed object's intent once it is also within {@link io.berth.schemas.limits.Limits}
     * (replicas, revision history, field sizes and counts, the encoded size): the same check state-streams
     * makes for records produced straight onto the bus, reported on the object's own field paths.
     */
    private void add(List<Intent> out, Fields f, String path, Intent intent) {
        if (!f.errors.isEmpty() || intent == null) return;
        for (io.berth.schemas.limits.Limits.Violation v : options.limits().checkAll(intent)) f.error(v.field().isEmpty() ? path : child(path, v.field()), v.detail());
        if (f.errors.isEmpty()) out.add(intent);
    }

    private record Meta(String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {}

    private Meta metadata(Fields f, JsonNode m, String path, String kind) {
        if (m == null) {
            f.required(child(path, "name"));
            return new Meta("", options.namespace(), Map.of(), Map.of());
        }
        // a Job's owner (a CronJob) is read from its ownerReferences (owner); other kinds have none to give
        f.onlyKnown(m, path, kind.equals("Job") ? JOB_METADATA_FIELDS : METADATA_FIELDS, METADATA_IGNORED);
        String name = f.string(m, "name", child(path, "name"));
        if (name == null || name.isEmpty()) {
            if (get(m, "name") == null || name != null) f.required(child(path, "name"));
        } else {
            String problem = switch (kind) {
                case "Service" -> Names.dns1035Label(name);
                case "Namespace" -> Names.dns1123Label(name);
                default -> Names.dns1123Subdomain(name);
            };
            if (problem != null) f.invalid(child(path, "name"), get(m, "name"), problem);
        }
        String ns = f.string(m, "namespace", child(path, "namespace"));
        if (kind.equals("Namespace")) {
            ns = "";
        } else if (ns == null || ns.isEmpty()) {
            ns = options.namespace();
        } else if (Names.dns1123Label(ns) != null) {
            f.invalid(child(path, "namespace"), get(m, "namespace"), Names.dns1123Label(ns));
        } else if (options.enforceNamespace() && !ns.equals(options.namespace())) {
            f.invalid(child(path, "namespace"), get(m, "namespace"), "does not match the namespace \"" + options.namespace()
                    + "\"; pass --namespace=" + ns + " to apply it");
        }
        Map<String, String> labels = f.stringMap(m, "labels", child(path, "labels"));
        Names.labels(f, labels, child(path, "labels"));
        Map<String, String> annotations = f.stringMap(m, "annotations", child(path, "annotations"));
        Names.annotationKeys(f, annotations, child(path, "annotations"));
        return new Meta(name == null ? "" : name, ns, labels, annotations);
    }

    private Intent deployment(Fields f, JsonNode doc, String path, Meta meta) {
        RolloutTriggers.check(f, meta.annotations, path);
        String sp = child(path, "spec");
        JsonNode spec = f.object(doc, "spec", sp);
        if (spec == null) {
            if (get(doc, "spec") == null) f.required(sp);
            return null;
        }
        f.onlyKnown(spec, sp, Set.of("replicas", "selector", "template", "strategy", "minReadySeconds",
                "progressDeadlineSeconds", "revisionHistoryLimit", "paused"));
        DeploymentSpec.Builder d = DeploymentSpec.newBuilder();
        d.setReplicas(f.integerAtLeast(spec, "replicas", child(sp, "replicas"), 0, 1));
        Map<String, String> selector = selector(f, spec, child(sp, "selector"), "deployment");

        String tp = child(sp, "template");
        JsonNode template = f.object(spec, "template", tp);
        if (template == null && get(spec, "template") == null) f.required(tp);
        JsonNode tmeta = f.object(template, "metadata", child(tp, "metadata"));
        f.onlyKnown(template, tp, Set.of("metadata", "spec"));
        f.onlyKnown(tmeta, child(tp, "metadata"), Set.of("labels", "annotations"), Set.of("name", "creationTimestamp"));
        Map<String, String> tlabels = f.stringMap(tmeta, "labels", child(tp, "metadata.labels"));
        Names.labels(f, tlabels, child(tp, "metadata.labels"));
        Map<String, String> tannotations = f.stringMap(tmeta, "annotations", child(tp, "metadata.annotations"));
        if (template != null && selector != null && !selector.isEmpty()
                && !selector.entrySet().stream().allMatch(e -> e.getValue().equals(tlabels.get(e.getKey())))) {
            f.invalid(child(tp, "metadata.labels"), Fields.render(tlabels), "`selector` does not match template `labels`");
        }
        JsonNode podSpec = template == null ? null : f.object(template, "spec", child(tp, "spec"));
        if (template != null) {
            d.setTemplate(PodSpecParser.parse(f, podSpec, child(tp, "spec"), tlabels, tannotations, true));
        }
        strategy(f, spec, child(sp, "strategy"), d);
        rolloutAnnotations(f, meta, child(path, "metadata.annotations"), get(get(spec, "strategy"), "updateDelaySeconds") == null,
                get(get(spec, "strategy"), "rollbackOnFailure") == null, d);
        int minReady = f.integerAtLeast(spec, "minReadySeconds", child(sp, "minReadySeconds"), 0, 0);
        Integer given = f.integer(spec, "progressDeadlineSeconds", child(sp, "progressDeadlineSeconds"));
        int deadline = given == null ? 600 : given;
        if (deadline <= minReady) {
            f.invalid(child(sp, "progressDeadlineSeconds"), Integer.toString(deadline), "must be greater than minReadySeconds");
        }
        d.setMinReadySeconds(minReady).setProgressDeadlineSeconds(deadline);
        d.setRevisionHistoryLimit(f.integerAtLeast(spec, "revisionHistoryLimit", child(sp, "revisionHistoryLimit"), 0, 10));
        Boolean paused = f.bool(spec, "paused", child(sp, "paused"));
        d.setPaused(paused != null && paused);
        if (!f.errors.isEmpty()) return null;
        d.setSelector(selector);
        Map<String, String> annotations = meta.annotations;
        if (annotations.containsKey(REVISION_ANNOTATION)) {
            annotations = new java.util.LinkedHashMap<>(annotations);
            annotations.remove(REVISION_ANNOTATION);
        }
        return intents.apply(ResourceKind.DEPLOYMENT, meta.namespace, meta.name, meta.labels, annotations, d.build());
    }

    /** The apiVersion a supported kind is served at. */
    static String apiVersion(String kind) {
        return switch (kind) {
            case "Deployment", "DaemonSet", "StatefulSet" -> "apps/v1";
            case "Job", "CronJob" -> "batch/v1";
            case "HorizontalPodAutoscaler" -> "autoscaling/v2";
            default -> "v1";
        };
    }

    private Intent daemonSet(Fields f, JsonNode doc, String path, Meta meta) {
        RolloutTriggers.check(f, meta.annotations, path);
        DeploymentSpec d = DaemonSetManifest.parse(f, doc, path);
        if (d == null || !f.errors.isEmpty()) return null;
        Map<String, String> annotations = meta.annotations;
        if (annotations.containsKey(DaemonSetManifest.TEMPLATE_GENERATION)) {
            annotations = new java.util.LinkedHashMap<>(annotations);
            annotations.remove(DaemonSetManifest.TEMPLATE_GENERATION);
        }
        return intents.apply(ResourceKind.DAEMONSET, meta.namespace, meta.name, meta.labels, annotations, d);
    }

    private Intent statefulSet(Fields f, JsonNode doc, String path, Meta meta) {
        StatefulSetManifest.Parsed p = StatefulSetManifest.parse(f, doc, path);
        if (p == null || !f.errors.isEmpty()) return null;
        return intents.statefulSet(meta.namespace, meta.name, meta.labels, meta.annotations, p.deployment(), p.statefulSet());
    }

    private Intent job(Fields f, JsonNode doc, String path, Meta meta) {
        JobManifest.Parsed p = JobManifest.parse(f, doc, path, meta.name, options.limits().maxReplicas());
        Map<String, String> annotations = owner(f, get(doc, "metadata"), child(path, "metadata.ownerReferences"), meta.annotations);
        if (p == null || !f.errors.isEmpty()) return null;
        return intents.job(meta.namespace, meta.name, meta.labels, annotations, p.payload(), p.job());
    }

    private Intent cronJob(Fields f, JsonNode doc, String path, Meta meta) {
        CronJobManifest.Parsed p = CronJobManifest.parse(f, doc, path, meta.name, options.limits().maxReplicas());
        if (p == null || !f.errors.isEmpty()) return null;
        return intents.cronJob(meta.namespace, meta.name, meta.labels, meta.annotations, p.payload(), p.cronJob());
    }

    /**
     * A Job's {@code metadata.ownerReferences}: one naming a CronJob (what {@code kubectl create job --from=cronjob/NAME}
     * sends, and what a Job a CronJob created shows) becomes the {@link io.berth.schemas.Topics#OWNER_ANNOTATION}
     * annotation, {@code CronJob/NAME}, which Berth keeps its owner in; any other reference is ignored (Berth has no
     * garbage collector to act on it). The annotations to carry.
     */
    private static Map<String, String> owner(Fields f, JsonNode metadata, String path, Map<String, String> annotations) {
        List<JsonNode> refs = f.array(metadata, "ownerReferences", path);
        for (int n = 0; n < refs.size(); n++) {
            JsonNode ref = refs.get(n);
            String rp = Fields.index(path, n);
            if (!ref.isObject()) {
                f.invalid(rp, ref, "must be an object");
                continue;
            }
            if (!"CronJob".equals(ref.path("kind").asText("")) || !ref.path("apiVersion").asText("").startsWith("batch/")) continue;
            String owner = ref.path("name").asText("");
            if (owner.isEmpty()) {
                f.invalid(child(rp, "name"), "\"\"", "name must not be empty");
                continue;
            }
            Map<String, String> out = new java.util.TreeMap<>(annotations);
            out.put(io.berth.schemas.Topics.OWNER_ANNOTATION, "CronJob/" + owner);
            annotations = out;
        }
        return annotations;
    }

    /** {@code spec.selector} of a Deployment or DaemonSet ({@code kind} names it in Kubernetes' message): required, matchLabels only, not empty. */
    static Map<String, String> selector(Fields f, JsonNode spec, String path, String kind) {
        JsonNode sel = f.object(spec, "selector", path);
        if (sel == null) {
            if (get(spec, "selector") == null) f.required(path);
            return null;
        }
        f.onlyKnown(sel, path, Set.of("matchLabels"));
        if (get(sel, "matchExpressions") != null) {
            f.forbidden(child(path, "matchExpressions"), "not supported by Berth; use matchLabels");
        }
        Map<String, String> match = f.stringMap(sel, "matchLabels", child(path, "matchLabels"));
        Names.labels(f, match, child(path, "matchLabels"));
        if (match.isEmpty() && get(sel, "matchExpressions") == null) {
            f.invalid(path, "{}", "empty selector is invalid for " + kind);
        }
        return match;
    }

    private static void strategy(Fields f, JsonNode spec, String path, DeploymentSpec.Builder d) {
        JsonNode s = f.object(spec, "strategy", path);
        if (s == null) return;
        f.onlyKnown(s, path, Set.of("type", "rollingUpdate", "canary", "updateDelaySeconds", "rollbackOnFailure"));
        String type = f.string(s, "type", child(path, "type"));
        if (type != null && !STRATEGIES.contains(type)) {
            f.unsupported(child(path, "type"), get(s, "type"), STRATEGIES);
            return;
        }
        if (type != null) d.setStrategyType(type);
        d.setUpdateDelaySeconds(f.integerAtLeast(s, "updateDelaySeconds", child(path, "updateDelaySeconds"), 0, 0));
        Boolean rollback = f.bool(s, "rollbackOnFailure", child(path, "rollbackOnFailure"));
        if (rollback != null) d.setRollbackOnFailure(rollback);
        String cp = child(path, "canary");
        JsonNode canary = f.object(s, "canary", cp);
        if (canary != null && !"Canary".equals(type)) {
            f.forbidden(cp, "may not be specified when strategy `type` is '" + (type == null ? "RollingUpdate" : type) + "'");
        } else if (canary != null) {
            f.onlyKnown(canary, cp, Set.of("steps", "maxSurge", "maxUnavailable"));
            d.setCanarySteps(canarySteps(f, canary, child(cp, "steps")));
        }
        String rp = child(path, "rollingUpdate");
        JsonNode ru = f.object(s, "rollingUpdate", rp);
        // Argo Rollouts writes maxSurge/maxUnavailable under canary; Berth takes them from either place
        if (ru == null && canary != null && (get(canary, "maxSurge") != null || get(canary, "maxUnavailable") != null)) {
            ru = canary;
            rp = cp;
        } else if (ru == null) {
            return;
        } else {
            if ("Recreate".equals(type)) {
                f.forbidden(rp, "may not be specified when strategy `type` is 'Recreate'");
                return;
            }
            f.onlyKnown(ru, rp, Set.of("maxSurge", "maxUnavailable"));
        }
        String surge = intOrPercent(f, ru, "maxSurge", child(rp, "maxSurge"));
        String unavailable = intOrPercent(f, ru, "maxUnavailable", child(rp, "maxUnavailable"));
        if (surge != null && isZero(surge) && unavailable != null && isZero(unavailable)) {
            f.invalid(child(rp, "maxUnavailable"), get(ru, "maxUnavailable"), "may not be 0 when `maxSurge` is 0");
        }
        d.setRollingUpdate(new RollingUpdate(surge == null ? "25%" : surge, unavailable == null ? "25%" : unavailable));
    }

    /** Argo Rollouts' canary steps: {@code {setWeight: N}} or {@code {pause: {}}} / {@code {pause: {duration: 30 | "30s"}}}. */
    private static List<CanaryStep> canarySteps(Fields f, JsonNode canary, String path) {
        List<CanaryStep> out = new ArrayList<>();
        List<JsonNode> items = f.array(canary, "steps", path);
        for (int i = 0; i < items.size(); i++) {
            JsonNode step = items.get(i);
            String p = Fields.index(path, i);
            if (!step.isObject()) {
                f.invalid(p, step, "must be an object");
                continue;
            }
            f.onlyKnown(step, p, Set.of("setWeight", "pause"));
            boolean weight = get(step, "setWeight") != null, pause = step.has("pause");
            if (weight && pause) {
                f.forbidden(p, "may not specify more than 1 step type");
                continue;
            }
            if (!weight && !pause) {
                f.required(p, "must specify a step type: setWeight or pause");
                continue;
            }
            if (weight) {
                Integer w = f.integer(step, "setWeight", child(p, "setWeight"));
                if (w != null && (w < 0 || w > 100)) f.invalid(child(p, "setWeight"), get(step, "setWeight"), "must be between 0 and 100");
                else if (w != null) out.add(CanaryStep.newBuilder().setSetWeight(w).build());
                continue;
            }
            JsonNode pn = step.get("pause");
            if (pn != null && !pn.isNull() && !pn.isObject()) {
                f.invalid(child(p, "pause"), pn, "must be an object");
                continue;
            }
            f.onlyKnown(pn, child(p, "pause"), Set.of("duration"));
            JsonNode dn = get(pn, "duration");
            int seconds = 0;
            if (dn != null) {
                String dp = child(p, "pause.duration");
                long s = -1;
                if (dn.isIntegralNumber() && dn.canConvertToInt()) s = dn.intValue();
                else if (dn.isTextual()) {
                    try {
                        s = Durations.seconds(dn.textValue());
                    } catch (IllegalArgumentException | ArithmeticException e) {
                        s = -2;
                    }
                }
                if (s == -2 || (!dn.isTextual() && !dn.isIntegralNumber())) {
                    f.invalid(dp, dn, "must be a number of seconds or a duration such as 30s or 1m");
                    continue;
                }
                if (s <= 0 || s > Integer.MAX_VALUE) {
                    f.invalid(dp, dn, "must be greater than 0 (omit it to pause until promoted)");
                    continue;
                }
                seconds = (int) s;
            }
            out.add(CanaryStep.newBuilder().setPause(true).setPauseSeconds(seconds).build());
        }
        return out;
    }

    /** {@code berth.io/update-delay} and {@code berth.io/rollback-on-failure}, unless the spec.strategy field is given. */
    private static void rolloutAnnotations(Fields f, Meta meta, String path, boolean delayFromAnnotation, boolean rollbackFromAnnotation,
                                           DeploymentSpec.Builder d) {
        String delay = meta.annotations.get(UPDATE_DELAY);
        if (delay != null) {
            long s = -1;
            try {
                s = Durations.seconds(delay);
            } catch (IllegalArgumentException | ArithmeticException e) {
                // reported below
            }
            if (s < 0 || s > Integer.MAX_VALUE) {
                f.invalid(child(path, UPDATE_DELAY), "\"" + delay + "\"", "must be a number of seconds or a duration such as 10s or 1m30s");
            } else if (delayFromAnnotation) {
                d.setUpdateDelaySeconds((int) s);
            }
        }
        String rollback = meta.annotations.get(ROLLBACK_ON_FAILURE);
        if (rollback != null) {
            if (!rollback.equals("true") && !rollback.equals("false")) {
                f.invalid(child(path, ROLLBACK_ON_FAILURE), "\"" + rollback + "\"", "must be \"true\" or \"false\"");
            } else if (rollbackFromAnnotation) {
                d.setRollbackOnFailure(rollback.equals("true"));
            }
        }
    }

    static boolean isZero(String intOrPercent) {
        return intOrPercent.equals("0") || intOrPercent.equals("0%");
    }

    /** Kubernetes' IntOrString for maxSurge/maxUnavailable: {@code 2} or {@code "25%"}; null when absent or invalid. */
    static String intOrPercent(Fields f, JsonNode parent, String field, String path) {
        JsonNode n = get(parent, field);
        if (n == null) return null;
        String text = n.isIntegralNumber() ? Long.toString(n.longValue()) : n.isTextual() ? n.textValue() : null;
        if (text != null && text.startsWith("-")) {
            f.invalid(path, n, "must be greater than or equal to 0");
            return null;
        }
        if (text == null || !INT_OR_PERCENT.matcher(text).matches()) {
            f.invalid(path, n, "must be an integer or percentage (e.g. '5%')");
            return null;
        }
        if (field.equals("maxUnavailable") && text.endsWith("%")
                && (text.length() > 5 || Long.parseLong(text.substring(0, text.length() - 1)) > 100)) {
            f.invalid(path, n, "must not be greater than 100%");
            return null;
        }
        return text;
    }

    private Intent pod(Fields f, JsonNode doc, String path, Meta meta) {
        String sp = child(path, "spec");
        JsonNode spec = f.object(doc, "spec", sp);
        if (spec == null && get(doc, "spec") != null) return null;
        PodTemplate t = PodSpecParser.parse(f, spec, sp, meta.labels, meta.annotations, false);
        if (!f.errors.isEmpty()) return null;
        return intents.apply(ResourceKind.POD, meta.namespace, meta.name, meta.labels, meta.annotations, new PodSpec(t));
    }

    private Intent service(Fields f, JsonNode doc, String path, Meta meta) {
        String sp = child(path, "spec");
        JsonNode spec = f.object(doc, "spec", sp);
        if (spec == null) {
            if (get(doc, "spec") == null) f.required(sp);
            return null;
        }
        f.onlyKnown(spec, sp, Set.of("type", "selector", "ports", "clusterIP"),
                Set.of("clusterIPs", "sessionAffinity", "ipFamilies", "ipFamilyPolicy", "internalTrafficPolicy", "externalTrafficPolicy"));
        String type = f.string(spec, "type", child(sp, "type"));
        if (type != null && !SERVICE_TYPES.contains(type)) f.unsupported(child(sp, "type"), get(spec, "type"), SERVICE_TYPES);
        String effectiveType = type == null ? "ClusterIP" : type;
        Map<String, String> selector = f.stringMap(spec, "selector", child(sp, "selector"));
        Names.labels(f, selector, child(sp, "selector"));
        List<ServicePort> ports = servicePorts(f, spec, child(sp, "ports"), effectiveType);
        String clusterIP = clusterIP(f, spec, child(sp, "clusterIP"), effectiveType);
        if (!f.errors.isEmpty()) return null;
        ServiceSpec s = ServiceSpec.newBuilder().setType(effectiveType).setSelector(selector).setPorts(ports)
                .setClusterIP(clusterIP == null ? "" : clusterIP).build();
        return intents.apply(ResourceKind.SERVICE, meta.namespace, meta.name, meta.labels, meta.annotations, s);
    }

    /** {@code spec.clusterIP}: empty (allocated), {@code None} (headless, ClusterIP only) or an address of 10.96.0.0/16. */
    private static String clusterIP(Fields f, JsonNode spec, String path, String type) {
        String ip = f.string(spec, "clusterIP", path);
        if (ip == null || ip.isEmpty()) return ip;
        if (ip.equals("None")) {
            if (!type.equals("ClusterIP")) f.invalid(path, get(spec, "clusterIP"), "may not be set to 'None' for " + type + " services");
            return ip;
        }
        String[] parts = ip.split("\\.", -1);
        boolean inRange = parts.length == 4 && parts[0].equals("10") && parts[1].equals("96");
        for (String b : parts) inRange &= b.matches("[0-9]{1,3}") && Integer.parseInt(b) <= 255;
        if (inRange && parts[2].equals("0") && (parts[3].equals("0") || parts[3].equals("1"))) inRange = false;
        if (inRange && parts[2].equals("255") && parts[3].equals("255")) inRange = false;
        if (!inRange) {
            f.invalid(path, get(spec, "clusterIP"), "provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/16");
        }
        return ip;
    }

    private static List<ServicePort> servicePorts(Fields f, JsonNode spec, String path, String type) {
        List<ServicePort> out = new ArrayList<>();
        List<JsonNode> items = f.array(spec, "ports", path);
        if (items.isEmpty() && f.errors.stream().noneMatch(e -> e.field().equals(path))) f.required(path);
        java.util.Set<String> names = new java.util.HashSet<>();
        java.util.Set<String> portProtocols = new java.util.HashSet<>();
        java.util.Set<Integer> nodePorts = new java.util.HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode p = items.get(i);
            String pp = Fields.index(path, i);
            f.onlyKnown(p, pp, Set.of("name", "port", "targetPort", "nodePort", "protocol"), Set.of("appProtocol"));
            String name = f.string(p, "name", child(pp, "name"));
            if ((name == null || name.isEmpty()) && items.size() > 1) f.required(child(pp, "name"));
            else if (name != null && !name.isEmpty() && !names.add(name)) f.duplicate(child(pp, "name"), name);
            else if (name != null && !name.isEmpty() && Names.dns1123Label(name) != null) {
                f.invalid(child(pp, "name"), get(p, "name"), Names.dns1123Label(name));
            }
            Integer port = f.integer(p, "port", child(pp, "port"));
            if (port == null && get(p, "port") == null) f.required(child(pp, "port"));
            else if (port != null) PodSpecParser.checkPort(f, p, "port", child(pp, "port"));
            int target = port == null ? 0 : port;
            JsonNode tn = get(p, "targetPort");
            if (tn != null && tn.isTextual()) {
                f.invalid(child(pp, "targetPort"), tn, "named target ports are not supported by Berth; use the port number");
            } else if (tn != null) {
                Integer t = f.integer(p, "targetPort", child(pp, "targetPort"));
                if (t != null && PodSpecParser.checkPort(f, p, "targetPort", child(pp, "targetPort"))) target = t;
            }
            Integer nodePort = f.integer(p, "nodePort", child(pp, "nodePort"));
            if (nodePort != null && nodePort != 0 && SERVICE_TYPES.contains(type)) {
                if (type.equals("ClusterIP")) {
                    f.forbidden(child(pp, "nodePort"), "may not be used when `type` is '" + type + "'");
                } else if (nodePort < 30000 || nodePort > 32767) {
                    f.invalid(child(pp, "nodePort"), get(p, "nodePort"),
                            "provided port is not in the valid range. The range of valid ports is 30000-32767");
                } else if (!nodePorts.add(nodePort)) {
                    f.error(child(pp, "nodePort"), "Duplicate value: " + nodePort);
                }
            }
            String protocol = PodSpecParser.protocol(f, p, child(pp, "protocol"));
            if (port != null && protocol != null && !portProtocols.add(port + "/" + protocol)) f.duplicate(pp, port + "/" + protocol);
            out.add(ServicePort.newBuilder().setName(name == null ? "" : name).setPort(port == null ? 0 : port)
                    .setTargetPort(target).setNodePort(nodePort == null ? 0 : nodePort).setProtocol(protocol).build());
        }
        return out;
    }
}

package io.berth.gateway.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Rollout triggers (kubernetes#22368): a Deployment or DaemonSet annotated
 * {@code berth.io/rollout-on: configmap/app-config,secret/db,image} rolls out when one of the named objects
 * changes. Pure: parsing and checking the annotation, deciding whether a workload asked for a trigger,
 * and the restart the trigger makes (the same template change {@code kubectl rollout restart} makes, plus
 * {@link #TRIGGERED_BY} and a change-cause naming the trigger). No Kafka, no Vert.x.
 *
 * <p>Example: {@code configmap/app-config} changed at resourceVersion 42 → the template gets
 * {@code kubectl.kubernetes.io/restartedAt: <now>} and {@code berth.io/triggered-by: configmap/app-config@42}, the
 * Deployment {@code kubernetes.io/change-cause: rollout-on: configmap/app-config changed}.
 */
public final class RolloutTriggers {
    public static final String ANNOTATION = "berth.io/rollout-on";
    /** The template annotation that records which change rolled the workload out last. */
    public static final String TRIGGERED_BY = "berth.io/triggered-by";
    public static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
    public static final String CHANGE_CAUSE = "kubernetes.io/change-cause";
    /** The field path a bad annotation is reported on. */
    public static final String FIELD = "metadata.annotations[" + ANNOTATION + "]";
    /** A DNS-1123 subdomain: what a ConfigMap's or Secret's name must be. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private RolloutTriggers() {}

    /** One trigger: {@code configmap/NAME}, {@code secret/NAME} or {@code image} (name empty). */
    public record Trigger(String kind, String name) {
        public static final String CONFIGMAP = "configmap", SECRET = "secret", IMAGE = "image";

        public static Trigger of(String kind, String name) {
            return new Trigger(kind, name);
        }

        /** How the annotation spells it: {@code configmap/app-config}, {@code image}. */
        public String text() {
            return name.isEmpty() ? kind : kind + "/" + name;
        }
    }

    /** The annotation's triggers, or the reason it is not a valid list. */
    public record Parsed(List<Trigger> triggers, String problem) {
        public boolean ok() {
            return problem == null;
        }
    }

    /**
     * Parses a comma list of {@code configmap/NAME}, {@code secret/NAME} and {@code image}
     * (whitespace around items allowed; {@code cm/} is not: the annotation names kinds in full).
     */
    public static Parsed parse(String value) {
        if (value == null || value.isBlank()) return new Parsed(List.of(), "must name at least one of configmap/NAME, secret/NAME, image");
        List<Trigger> out = new ArrayList<>();
        for (String raw : value.split(",", -1)) {
            String item = raw.strip();
            if (item.isEmpty()) return new Parsed(List.of(), "empty item in the comma list");
            Trigger t;
            if (item.equals(Trigger.IMAGE)) {
                t = new Trigger(Trigger.IMAGE, "");
            } else {
                int slash = item.indexOf('/');
                String kind = slash < 0 ? item : item.substring(0, slash);
                String name = slash < 0 ? "" : item.substring(slash + 1);
                if (!kind.equals(Trigger.CONFIGMAP) && !kind.equals(Trigger.SECRET)) {
                    return new Parsed(List.of(), "\"" + item + "\" is not one of configmap/NAME, secret/NAME, image");
                }
                if (name.isEmpty() || name.length() > 253 || !NAME.matcher(name).matches()) {
                    return new Parsed(List.of(), "\"" + item + "\": the name must be a lowercase RFC 1123 subdomain (e.g. " + kind + "/app-config)");
                }
                t = new Trigger(kind, name);
            }
            if (!out.contains(t)) out.add(t);
        }
        return new Parsed(List.copyOf(out), null);
    }

    /** Reports a bad annotation on {@link #FIELD}; a workload without one is fine. */
    static void check(Fields f, Map<String, String> annotations, String path) {
        String value = annotations.get(ANNOTATION);
        if (value == null) return;
        Parsed p = parse(value);
        if (!p.ok()) f.invalid(Fields.child(path, FIELD), "\"" + value + "\"", p.problem());
    }

    /** Whether a workload's metadata annotations ask to roll out on {@code trigger}. */
    public static boolean asks(Map<String, String> annotations, Trigger trigger) {
        String value = annotations == null ? null : annotations.get(ANNOTATION);
        if (value == null) return false;
        Parsed p = parse(value);
        return p.ok() && p.triggers().contains(trigger);
    }

    /** The workload's metadata annotations as the API renders them. */
    public static Map<String, String> annotations(JsonNode workload) {
        Map<String, String> out = new TreeMap<>();
        workload.path("metadata").path("annotations").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** What {@link #TRIGGERED_BY} says for one change: {@code configmap/app-config@42}. */
    public static String stamp(Trigger trigger, String version) {
        return trigger.text() + "@" + version;
    }

    /** Whether this change already rolled the workload out (its template carries the stamp): a retry fires nothing. */
    public static boolean alreadyTriggered(JsonNode workload, String stamp) {
        return stamp.equals(template(workload).path("metadata").path("annotations").path(TRIGGERED_BY).asText(null));
    }

    /** {@code rollout-on: configmap/app-config changed} (an image: {@code rollout-on: image app:latest changed to sha256:…}). */
    public static String changeCause(Trigger trigger, String detail) {
        return "rollout-on: " + trigger.text() + (detail == null || detail.isEmpty() ? " changed" : " " + detail);
    }

    /**
     * The workload restarted by a change: a copy of the rendered object without status, its template annotated
     * {@link #RESTARTED_AT} (now, in seconds, as kubectl writes it) and {@link #TRIGGERED_BY}, and its
     * change-cause set. The store's object is never changed.
     */
    public static ObjectNode restarted(JsonNode workload, String stamp, String changeCause, Instant now) {
        ObjectNode copy = workload.deepCopy();
        copy.remove("status");
        ObjectNode meta = copy.with("metadata");
        meta.with("annotations").put(CHANGE_CAUSE, changeCause);
        ObjectNode templateAnnotations = copy.with("spec").with("template").with("metadata").with("annotations");
        templateAnnotations.put(RESTARTED_AT, now.truncatedTo(ChronoUnit.SECONDS).toString());
        templateAnnotations.put(TRIGGERED_BY, stamp);
        return copy;
    }

    /**
     * The intent id of the rollout one change makes of one workload: the same for the same (workload key,
     * stamp), so a retry or a second gateway producing it is applied once (state-streams' IntentDeduplicator).
     */
    public static String intentId(String workloadKey, String stamp) {
        return "rollout-on-" + sha256(workloadKey + "\u0000" + stamp).substring(0, 32);
    }

    /**
     * A digest of a ConfigMap's or Secret's decoded content ({@code data} and {@code binaryData}, sorted): equal for
     * equal content, whatever the encoding or a Secret's ciphertext. Kept in memory only, never written (a Secret's
     * digest would let a short value be guessed).
     */
    public static String contentHash(Map<String, byte[]> data, Map<String, String> binaryData) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> e : new TreeMap<>(data).entrySet()) {
                update(md, "d:" + e.getKey());
                md.update(e.getValue());
                md.update((byte) 0);
            }
            for (Map.Entry<String, String> e : new TreeMap<>(binaryData).entrySet()) {
                update(md, "b:" + e.getKey());
                update(md, e.getValue());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest md, String s) {
        md.update(s.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
    }

    /** Whether a container (or init container) of the workload's template runs {@code ref} ({@code app} is {@code app:latest}). */
    public static boolean runs(JsonNode workload, String ref) {
        String wanted = io.berth.schemas.ImageTagMoved.normalize(ref);
        JsonNode spec = template(workload).path("spec");
        for (String list : List.of("containers", "initContainers")) {
            for (JsonNode c : spec.path(list)) if (io.berth.schemas.ImageTagMoved.normalize(c.path("image").asText()).equals(wanted)) return true;
        }
        return false;
    }

    private static JsonNode template(JsonNode workload) {
        return workload.path("spec").path("template");
    }

    /** The trigger a ConfigObject kind ({@code ConfigMap}, {@code Secret}) and name make. */
    public static Optional<Trigger> forConfig(String kind, String name) {
        return switch (kind) {
            case "ConfigMap" -> Optional.of(new Trigger(Trigger.CONFIGMAP, name));
            case "Secret" -> Optional.of(new Trigger(Trigger.SECRET, name));
            default -> Optional.empty();
        };
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.berth.gateway.audit;

import io.berth.gateway.manifest.Durations;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One audit query, parsed and validated from the request's parameters (pure: "now" is given). Every
 * malformed parameter is an {@link IllegalArgumentException} whose message starts with the
 * parameter's name, so the API can answer 400 naming it.
 *
 * <p>{@code resource=KIND/NAME} (kubectl's aliases: {@code deploy}, {@code po}, {@code svc}, {@code no}, …)
 * names one record key and so one partition of {@code berth.audit}; {@code resource=KIND} keeps that
 * kind only (all partitions). {@code namespace} defaults to {@code default} with a named resource,
 * and filters nothing unless given otherwise; cluster-scoped kinds (nodes, namespaces) ignore it.
 */
public record AuditQuery(String key, String kind, String namespace, String actor, Set<String> changes,
                         long since, long until, int limit, String continueToken, boolean watch,
                         String resourceVersion, long timeoutSeconds) {
    /** The largest page one request answers; a larger {@code limit} is cut to it (the rest comes with {@code continue}). */
    public static final int MAX_LIMIT = 5000;

    private static final Map<String, String> KINDS = Map.ofEntries(
            Map.entry("pod", "pod"), Map.entry("pods", "pod"), Map.entry("po", "pod"),
            Map.entry("deployment", "deployment"), Map.entry("deployments", "deployment"), Map.entry("deploy", "deployment"),
            Map.entry("deployment.apps", "deployment"), Map.entry("deployments.apps", "deployment"),
            Map.entry("daemonset", "daemonset"), Map.entry("daemonsets", "daemonset"), Map.entry("ds", "daemonset"),
            Map.entry("daemonset.apps", "daemonset"), Map.entry("daemonsets.apps", "daemonset"),
            Map.entry("statefulset", "statefulset"), Map.entry("statefulsets", "statefulset"), Map.entry("sts", "statefulset"),
            Map.entry("statefulset.apps", "statefulset"), Map.entry("statefulsets.apps", "statefulset"),
            Map.entry("job", "job"), Map.entry("jobs", "job"), Map.entry("job.batch", "job"), Map.entry("jobs.batch", "job"),
            Map.entry("cronjob", "cronjob"), Map.entry("cronjobs", "cronjob"), Map.entry("cj", "cronjob"),
            Map.entry("cronjob.batch", "cronjob"), Map.entry("cronjobs.batch", "cronjob"),
            Map.entry("service", "service"), Map.entry("services", "service"), Map.entry("svc", "service"),
            Map.entry("endpoints", "endpoints"), Map.entry("ep", "endpoints"),
            Map.entry("node", "node"), Map.entry("nodes", "node"), Map.entry("no", "node"),
            Map.entry("namespace", "namespace"), Map.entry("namespaces", "namespace"), Map.entry("ns", "namespace"));
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.:]*[A-Za-z0-9])?");
    private static final Pattern CHANGE = Pattern.compile("[A-Z][A-Za-z0-9]*");
    private static final Pattern DAYS = Pattern.compile("([0-9]+)d(.*)");

    /** The lower-case Kubernetes kind of a kubectl type name ({@code deploy} → {@code deployment}), or null. */
    public static String kindOf(String type) {
        return type == null ? null : KINDS.get(type.toLowerCase(Locale.ROOT));
    }

    /** Whether a kind is cluster-scoped (its key has an empty namespace: {@code /node/n1}). */
    public static boolean clusterScoped(String kind) {
        return kind.equals("node") || kind.equals("namespace");
    }

    /** Parses the query parameters ({@code param.apply(name)} is null when absent). */
    public static AuditQuery parse(Function<String, String> param, long now) {
        String resource = blankToNull(param.apply("resource"));
        String nsParam = blankToNull(param.apply("namespace"));
        if (nsParam != null && (nsParam.length() > 63 || !NAMESPACE.matcher(nsParam).matches())) {
            throw bad("namespace", "\"" + nsParam + "\" is not a valid namespace (a lowercase RFC 1123 label)");
        }
        String key = null, kind = null, namespace = nsParam;
        if (resource != null) {
            int slash = resource.indexOf('/');
            String type = slash < 0 ? resource : resource.substring(0, slash);
            kind = kindOf(type);
            if (kind == null) {
                throw bad("resource", "the server doesn't have a resource type \"" + type
                        + "\" (pods, deployments, daemonsets, statefulsets, jobs, cronjobs, services, endpoints, nodes, namespaces and their short names)");
            }
            if (slash >= 0) {
                String name = resource.substring(slash + 1);
                if (name.isEmpty() || name.length() > 253 || !NAME.matcher(name).matches()) {
                    throw bad("resource", "\"" + resource + "\" must be KIND/NAME with a valid name");
                }
                String ns = clusterScoped(kind) ? "" : nsParam == null ? "default" : nsParam;
                key = ns + "/" + kind + "/" + name;
                namespace = ns;
            }
        }
        if (kind != null && clusterScoped(kind)) namespace = "";
        String actor = blankToNull(param.apply("actor"));
        if (actor != null && (actor.length() > 256 || actor.chars().anyMatch(Character::isWhitespace))) {
            throw bad("actor", "\"" + actor + "\" must be a principal such as user:alice, node/n1 or controller/* (no spaces)");
        }
        Set<String> changes = new LinkedHashSet<>();
        String change = blankToNull(param.apply("change"));
        if (change != null) {
            for (String c : change.split(",")) {
                String t = c.strip();
                if (!CHANGE.matcher(t).matches()) {
                    throw bad("change", "\"" + t + "\" is not a change name (UpperCamelCase, e.g. WorkloadChanged,TaskPlaced)");
                }
                changes.add(t);
            }
        }
        long since = time("since", param.apply("since"), now, Long.MIN_VALUE);
        long until = time("until", param.apply("until"), now, Long.MAX_VALUE);
        if (since != Long.MIN_VALUE && until != Long.MAX_VALUE && since > until) {
            throw bad("since", "must not be after until");
        }
        int limit = MAX_LIMIT;
        String l = blankToNull(param.apply("limit"));
        if (l != null) {
            if (!l.matches("[0-9]{1,10}")) throw bad("limit", "\"" + l + "\" must be a non-negative integer");
            long n = Long.parseLong(l);
            limit = n == 0 ? MAX_LIMIT : (int) Math.min(n, MAX_LIMIT);
        }
        String w = blankToNull(param.apply("watch"));
        boolean watch;
        if (w == null || w.equals("false") || w.equals("0")) watch = false;
        else if (w.equals("true") || w.equals("1")) watch = true;
        else throw bad("watch", "\"" + w + "\" must be true or false");
        String cont = blankToNull(param.apply("continue"));
        if (cont != null && watch) throw bad("continue", "may not be used with watch (resume a watch with resourceVersion)");
        String rv = blankToNull(param.apply("resourceVersion"));
        if (rv != null && rv.equals("0")) rv = null; // Kubernetes' "any"
        long timeout = 0;
        String t = blankToNull(param.apply("timeoutSeconds"));
        if (t != null) {
            if (!t.matches("[0-9]{1,9}")) throw bad("timeoutSeconds", "\"" + t + "\" must be a non-negative integer");
            timeout = Long.parseLong(t);
        }
        return new AuditQuery(key, kind, namespace, actor, Set.copyOf(changes), since, until, limit, cont, watch, rv, timeout);
    }

    /**
     * A time: RFC 3339 ({@code 2026-12-03T23:10:04.123Z}, an offset allowed), {@code now}, or relative to
     * now ({@code -10m}, {@code 10m}: ten minutes ago; {@code +5m}: in five minutes; {@code 1h30m}, {@code 2d}).
     */
    public static long time(String param, String text, long now, long absent) {
        String t = blankToNull(text);
        if (t == null) return absent;
        if (t.equals("now")) return now;
        if (Character.isDigit(t.charAt(0)) && t.length() >= 10 && t.charAt(4) == '-') {
            try {
                return OffsetDateTime.parse(t).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                throw bad(param, "\"" + t + "\" is not an RFC 3339 time (e.g. 2026-12-03T23:10:04Z) nor a relative one (e.g. -10m)");
            }
        }
        int sign = -1;
        String d = t;
        if (d.startsWith("-")) d = d.substring(1);
        else if (d.startsWith("+")) {
            sign = 1;
            d = d.substring(1);
        }
        try {
            long ms = 0;
            Matcher days = DAYS.matcher(d);
            if (days.matches()) {
                ms = Math.multiplyExact(Long.parseLong(days.group(1)), 86_400_000L);
                d = days.group(2);
            }
            if (!d.isEmpty()) {
                if (d.matches("[0-9]+")) throw new IllegalArgumentException("unit missing");
                ms = Math.addExact(ms, Durations.millis(d));
            }
            return Math.addExact(now, sign * ms);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw bad(param, "\"" + t + "\" is not an RFC 3339 time (e.g. 2026-12-03T23:10:04Z) nor a relative one (e.g. -10m, 2h, 1d)");
        }
    }

    /** The record key's partition when the query names one resource (Kafka's default partitioner), else -1. */
    public int partition(int partitions) {
        if (key == null) return -1;
        return (org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(StandardCharsets.UTF_8)) & 0x7fffffff) % partitions;
    }

    /** Whether a record of this key, kind, actor, change and time is selected. */
    public boolean matches(String recordKey, String recordActor, String recordChange, long time) {
        if (time < since || time > until) return false;
        if (key != null) {
            if (!key.equals(recordKey)) return false;
        } else {
            String[] parts = recordKey == null ? new String[0] : recordKey.split("/", 3);
            if (kind != null && (parts.length < 3 || !parts[1].equals(kind))) return false;
            if (namespace != null && (parts.length < 3 || !parts[0].equals(namespace))) return false;
        }
        if (actor != null) {
            if (actor.endsWith("*")) {
                if (recordActor == null || !recordActor.startsWith(actor.substring(0, actor.length() - 1))) return false;
            } else if (!actor.equals(recordActor)) return false;
        }
        return changes.isEmpty() || changes.contains(recordChange);
    }

    public boolean hasSince() {
        return since != Long.MIN_VALUE;
    }

    public boolean hasUntil() {
        return until != Long.MAX_VALUE;
    }

    static IllegalArgumentException bad(String param, String why) {
        return new IllegalArgumentException(param + ": " + why);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** For messages. */
    @Override
    public String toString() {
        return "AuditQuery{key=" + key + ", kind=" + kind + ", namespace=" + namespace + ", actor=" + actor + ", changes=" + changes
                + ", since=" + (hasSince() ? Instant.ofEpochMilli(since) : "-") + ", until=" + (hasUntil() ? Instant.ofEpochMilli(until) : "-")
                + ", limit=" + limit + "}";
    }
}

package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Kubernetes label selectors ({@code app=web,tier!=db,env in (a,b),!canary}) and field selectors
 * ({@code spec.nodeName=n1,status.phase!=Running}) as predicates over rendered objects. Pure.
 */
public final class Selectors {
    private Selectors() {}

    /** The fields a field selector may name (Kubernetes supports a fixed set per kind, too). */
    public static final Set<String> FIELDS = Set.of("metadata.name", "metadata.namespace", "spec.nodeName", "status.phase",
            "spec.unschedulable", "involvedObject.name", "involvedObject.kind", "involvedObject.namespace", "reason", "type",
            "source.component");

    public static Predicate<JsonNode> labels(String selector) {
        Predicate<JsonNode> all = o -> true;
        if (selector == null || selector.isBlank()) return all;
        for (String req : split(selector)) all = all.and(labelRequirement(req.trim()));
        return all;
    }

    public static Predicate<JsonNode> fields(String selector) {
        Predicate<JsonNode> all = o -> true;
        if (selector == null || selector.isBlank()) return all;
        for (String req : split(selector)) all = all.and(fieldRequirement(req.trim()));
        return all;
    }

    /**
     * The equality requirements of a label selector ({@code k=v}, {@code k==v}, {@code k in (v)}), which an
     * index can answer; the others ({@code !=}, {@code notin}, sets of several values, existence) are left
     * to the predicate. Call after {@link #labels} has validated the selector.
     */
    public static Map<String, String> labelEqualities(String selector) {
        Map<String, String> out = new LinkedHashMap<>();
        if (selector == null || selector.isBlank()) return out;
        for (String raw : split(selector)) {
            String req = raw.trim();
            String lower = req.replaceAll("\\s+", " ");
            if (req.isEmpty() || req.startsWith("!") || indexOfWord(lower, " notin ") > 0) continue;
            int in = indexOfWord(lower, " in ");
            if (in > 0) {
                String rest = lower.substring(in + 4).trim();
                if (!rest.startsWith("(") || !rest.endsWith(")")) continue;
                String[] values = rest.substring(1, rest.length() - 1).split(",");
                if (values.length == 1) out.putIfAbsent(lower.substring(0, in).trim(), values[0].trim());
                continue;
            }
            String[] op = operator(req);
            if (op != null && !op[1].equals("!=")) out.putIfAbsent(op[0], op[2]);
        }
        return out;
    }

    private static Predicate<JsonNode> labelRequirement(String req) {
        if (req.isEmpty()) throw Status.badRequest("unable to parse requirement: empty requirement");
        String lower = req.replaceAll("\\s+", " ");
        int in = indexOfWord(lower, " in ");
        int notin = indexOfWord(lower, " notin ");
        if (notin > 0 || in > 0) {
            boolean negate = notin > 0;
            int at = negate ? notin : in;
            String key = lower.substring(0, at).trim();
            String rest = lower.substring(at + (negate ? 7 : 4)).trim();
            if (!rest.startsWith("(") || !rest.endsWith(")")) throw Status.badRequest("unable to parse requirement: " + req + ": expected a set in parentheses");
            Set<String> values = new java.util.HashSet<>();
            for (String v : rest.substring(1, rest.length() - 1).split(",")) values.add(v.trim());
            validKey(key, req);
            return o -> {
                JsonNode v = o.path("metadata").path("labels").get(key);
                boolean member = v != null && values.contains(v.asText());
                return negate ? !member : member;
            };
        }
        if (req.startsWith("!")) {
            String key = req.substring(1).trim();
            validKey(key, req);
            return o -> !o.path("metadata").path("labels").has(key);
        }
        String[] op = operator(req);
        if (op == null) {
            validKey(req, req);
            return o -> o.path("metadata").path("labels").has(req);
        }
        String key = op[0], value = op[2];
        validKey(key, req);
        boolean equal = !op[1].equals("!=");
        return o -> {
            JsonNode v = o.path("metadata").path("labels").get(key);
            boolean same = v != null && v.asText().equals(value);
            return equal == same;
        };
    }

    private static Predicate<JsonNode> fieldRequirement(String req) {
        String[] op = operator(req);
        if (op == null) throw Status.badRequest("invalid selector: '" + req + "'; can't understand '" + req + "'");
        String field = op[0], value = op[2];
        if (!FIELDS.contains(field)) throw Status.badRequest("field label not supported: " + field);
        boolean equal = !op[1].equals("!=");
        return o -> {
            JsonNode n = o;
            for (String part : field.split("\\.")) n = n.path(part);
            String actual = n.isMissingNode() || n.isNull() ? "" : n.asText();
            return equal == actual.equals(value);
        };
    }

    /** {key, op, value} for {@code =}, {@code ==}, {@code !=}; null when the requirement has no operator. */
    private static String[] operator(String req) {
        int ne = req.indexOf("!=");
        if (ne > 0) return new String[] {req.substring(0, ne).trim(), "!=", req.substring(ne + 2).trim()};
        int eq = req.indexOf("==");
        if (eq > 0) return new String[] {req.substring(0, eq).trim(), "==", req.substring(eq + 2).trim()};
        int e = req.indexOf('=');
        if (e > 0) return new String[] {req.substring(0, e).trim(), "=", req.substring(e + 1).trim()};
        if (e == 0 || eq == 0 || ne == 0) throw Status.badRequest("unable to parse requirement: " + req + ": missing key");
        return null;
    }

    private static void validKey(String key, String req) {
        if (key.isEmpty() || !key.matches("([A-Za-z0-9.-]+/)?[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?")) {
            throw Status.badRequest("unable to parse requirement: " + req + ": invalid label key \"" + key + "\"");
        }
    }

    private static int indexOfWord(String s, String word) {
        return s.indexOf(word);
    }

    /** Splits on commas outside parentheses. */
    static List<String> split(String selector) {
        List<String> out = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < selector.length(); i++) {
            char c = selector.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == ',' && depth == 0) {
                out.add(selector.substring(start, i));
                start = i + 1;
            }
        }
        out.add(selector.substring(start));
        return out;
    }
}

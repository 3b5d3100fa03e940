package io.berth.ops.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Compose's variable interpolation, as {@code docker stack deploy} does it on every string value:
 * {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-default}} (unset or empty), {@code ${VAR-default}} (unset),
 * {@code ${VAR:?message}} / {@code ${VAR?message}} (an error), {@code ${VAR:+alt}} / {@code ${VAR+alt}},
 * and {@code $$} for a literal dollar. An unset variable without a default is blank, with docker's warning.
 */
final class Interpolation {
    private final Function<String, String> lookup;
    final List<String> warnings = new ArrayList<>();
    final List<String> errors = new ArrayList<>();

    /** @param lookup a variable's value, or null when unset (the shell's environment first, then {@code .env}) */
    Interpolation(Function<String, String> lookup) {
        this.lookup = lookup;
    }

    /** Interpolates every string scalar of the tree in place (keys are left as written, as docker does). */
    JsonNode apply(JsonNode node, String path) {
        if (node instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                e.setValue(apply(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey()));
            }
            return o;
        }
        if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) a.set(i, apply(a.get(i), path + "[" + i + "]"));
            return a;
        }
        if (node != null && node.isTextual() && node.textValue().indexOf('$') >= 0) return TextNode.valueOf(string(node.textValue(), path));
        return node;
    }

    String string(String s, String path) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '$' || i + 1 >= s.length()) {
                out.append(c);
                i++;
                continue;
            }
            char n = s.charAt(i + 1);
            if (n == '$') {
                out.append('$');
                i += 2;
            } else if (n == '{') {
                int end = closing(s, i + 2);
                if (end < 0) {
                    errors.add("key \"" + path + "\": invalid interpolation format for \"" + s + "\": no closing brace");
                    return s;
                }
                out.append(braced(s.substring(i + 2, end), path));
                i = end + 1;
            } else if (Character.isLetter(n) || n == '_') {
                int j = i + 1;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) j++;
                out.append(value(s.substring(i + 1, j)));
                i = j;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** The index of the brace closing the one opened before {@code from}, nested {@code ${…}} counted; -1 when none. */
    private static int closing(String s, int from) {
        int depth = 1;
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) == '{') depth++;
            else if (s.charAt(i) == '}' && --depth == 0) return i;
        }
        return -1;
    }

    private String braced(String expr, String path) {
        int j = 0;
        while (j < expr.length() && (Character.isLetterOrDigit(expr.charAt(j)) || expr.charAt(j) == '_')) j++;
        String name = expr.substring(0, j);
        String rest = expr.substring(j);
        if (name.isEmpty()) {
            errors.add("key \"" + path + "\": invalid interpolation format \"${" + expr + "}\"");
            return "";
        }
        String v = lookup.apply(name);
        if (rest.isEmpty()) return value(name);
        boolean colon = rest.startsWith(":");
        String op = colon ? rest.substring(1, Math.min(2, rest.length())) : rest.substring(0, 1);
        String arg = rest.substring(colon ? 2 : 1);
        boolean missing = v == null || (colon && v.isEmpty());
        switch (op) {
            case "-":
                return missing ? string(arg, path) : v;
            case "?":
                if (missing) errors.add("key \"" + path + "\": required variable " + name + " is missing a value: " + string(arg, path));
                return missing ? "" : v;
            case "+":
                return missing ? "" : string(arg, path);
            default:
                errors.add("key \"" + path + "\": invalid interpolation format \"${" + expr + "}\"");
                return "";
        }
    }

    private String value(String name) {
        String v = lookup.apply(name);
        if (v != null) return v;
        String w = "The \"" + name + "\" variable is not set. Defaulting to a blank string.";
        if (!warnings.contains(w)) warnings.add(w);
        return "";
    }

    /** A {@code .env} / {@code env_file} file: {@code KEY=VALUE} lines, {@code #} comments, optional quotes and {@code export}. */
    static Map<String, String> envFile(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            if (line.startsWith("export ")) line = line.substring(7).strip();
            int eq = line.indexOf('=');
            if (eq < 0) {
                out.put(line, null); // a name alone: its value comes from the environment
                continue;
            }
            String k = line.substring(0, eq).strip();
            String v = line.substring(eq + 1).strip();
            if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
                boolean dq = v.startsWith("\"");
                v = v.substring(1, v.length() - 1);
                if (dq) v = v.replace("\\n", "\n").replace("\\\"", "\"");
            } else {
                int hash = v.indexOf(" #");
                if (hash >= 0) v = v.substring(0, hash).strip();
            }
            out.put(k, v);
        }
        return out;
    }
}

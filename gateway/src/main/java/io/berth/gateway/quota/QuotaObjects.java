package io.berth.gateway.quota;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.schemas.avro.ConfigObject;
import io.berth.schemas.avro.Resources;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * v1 ResourceQuota and v1 LimitRange specs: checked with the API server's field paths, stored as the
 * spec's JSON (data key {@code spec}) of a {@link ConfigObject} on {@code berth.configs}, and read back as
 * {@link Quotas.Quota} / {@link LimitRanges.Range}. Pure: no Kafka, no Vert.x.
 */
public final class QuotaObjects {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> LIMIT_FIELDS = List.of("default", "defaultRequest", "min", "max");

    private QuotaObjects() {}

    /** Checks a ResourceQuota's {@code spec}; the canonical spec to store (hard amounts as written). */
    public static ObjectNode quotaSpec(JsonNode spec, BiConsumer<String, String> problem) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode hard = out.putObject("hard");
        JsonNode h = spec.path("hard");
        if (!h.isObject()) {
            problem.accept("spec.hard", "Required value");
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String r = e.getKey(), path = "spec.hard[" + r + "]";
            if (!Quotas.RESOURCES.contains(r)) {
                problem.accept(path, "Unsupported value: \"" + r + "\": supported values: \"cpu\", \"limits.cpu\", \"limits.memory\", \"memory\", \"pods\", \"requests.cpu\", \"requests.memory\"");
                continue;
            }
            String text = e.getValue().asText();
            if (!e.getValue().isValueNode() || !quantity(r, text)) problem.accept(path, "Invalid value: \"" + text + "\": must be a quantity such as 500m, 64Mi or 10");
            else hard.put(r, text);
        }
        return out;
    }

    /** Checks a LimitRange's {@code spec}: items of {@code type: Container} with default, defaultRequest, min, max of cpu and memory. */
    public static ObjectNode limitRangeSpec(JsonNode spec, BiConsumer<String, String> problem) {
        ObjectNode out = JSON.createObjectNode();
        var limits = out.putArray("limits");
        JsonNode items = spec.path("limits");
        if (!items.isArray()) {
            problem.accept("spec.limits", "Required value");
            return out;
        }
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String path = "spec.limits[" + i + "]";
            String type = item.path("type").asText("");
            if (type.isEmpty()) problem.accept(path + ".type", "Required value");
            else if (!type.equals("Container")) problem.accept(path + ".type", "Unsupported value: \"" + type + "\": supported values: \"Container\"");
            ObjectNode o = limits.addObject().put("type", type);
            for (Iterator<String> it = item.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!f.equals("type") && !LIMIT_FIELDS.contains(f)) problem.accept(path + "." + f, "Unsupported value: \"" + f + "\": Berth supports \"default\", \"defaultRequest\", \"max\", \"min\"");
            }
            for (String f : LIMIT_FIELDS) {
                JsonNode m = item.get(f);
                if (m == null || m.isNull()) continue;
                ObjectNode to = o.putObject(f);
                for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String r = e.getKey(), text = e.getValue().asText(), rp = path + "." + f + "[" + r + "]";
                    if (!r.equals("cpu") && !r.equals("memory")) problem.accept(rp, "Unsupported value: \"" + r + "\": supported values: \"cpu\", \"memory\"");
                    else if (!quantity(r, text)) problem.accept(rp, "Invalid value: \"" + text + "\": must be a quantity such as 500m or 64Mi");
                    else to.put(r, text);
                }
            }
            if (problems(o, path, problem)) continue;
        }
        return out;
    }

    /** Kubernetes' consistency rules of one item: min ≤ defaultRequest ≤ default ≤ max. */
    private static boolean problems(ObjectNode o, String path, BiConsumer<String, String> problem) {
        boolean any = false;
        for (String r : List.of("cpu", "memory")) {
            long min = amount(o, "min", r), max = amount(o, "max", r), def = amount(o, "default", r), req = amount(o, "defaultRequest", r);
            if (min > 0 && max > 0 && min > max) {
                problem.accept(path + ".min[" + r + "]", "Invalid value: \"" + o.path("min").path(r).asText() + "\": min value " + o.path("min").path(r).asText()
                        + " is greater than max value " + o.path("max").path(r).asText());
                any = true;
            }
            if (req > 0 && def > 0 && req > def) {
                problem.accept(path + ".defaultRequest[" + r + "]", "Invalid value: \"" + o.path("defaultRequest").path(r).asText()
                        + "\": default request value " + o.path("defaultRequest").path(r).asText() + " is greater than default limit value " + o.path("default").path(r).asText());
                any = true;
            }
            if (def > 0 && max > 0 && def > max) {
                problem.accept(path + ".default[" + r + "]", "Invalid value: \"" + o.path("default").path(r).asText()
                        + "\": default value " + o.path("default").path(r).asText() + " is greater than max value " + o.path("max").path(r).asText());
                any = true;
            }
        }
        return any;
    }

    private static long amount(JsonNode item, String field, String resource) {
        JsonNode v = item.path(field).path(resource);
        return v.isMissingNode() ? 0 : Quotas.parse(resource, v.asText());
    }

    private static boolean quantity(String resource, String text) {
        try {
            Quotas.parse(resource, text);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The stored spec of an object ({} when unreadable). */
    public static JsonNode spec(ConfigObject o) {
        try {
            return JSON.readTree(o.getData().getOrDefault("spec", "{}"));
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    public static Quotas.Quota quota(ConfigObject o) {
        Map<String, Long> hard = new TreeMap<>();
        spec(o).path("hard").fields().forEachRemaining(e -> hard.put(e.getKey(), Quotas.parse(e.getKey(), e.getValue().asText())));
        return new Quotas.Quota(o.getName(), hard);
    }

    public static List<LimitRanges.Range> ranges(ConfigObject o) {
        List<LimitRanges.Range> out = new ArrayList<>();
        for (JsonNode item : spec(o).path("limits")) {
            if (!item.path("type").asText().equals("Container")) continue;
            Map<String, String> text = new TreeMap<>();
            for (String f : LIMIT_FIELDS) item.path(f).fields().forEachRemaining(e -> text.put(f + "." + e.getKey(), e.getValue().asText()));
            out.add(new LimitRanges.Range(o.getName(), res(item, "default"), res(item, "defaultRequest"), res(item, "min"), res(item, "max"), text));
        }
        return out;
    }

    private static Resources res(JsonNode item, String field) {
        return new Resources(amount(item, field, "cpu"), amount(item, field, "memory"));
    }

    /** A quota's {@code status}: {@code hard} as written and {@code used} of the resources it names. */
    public static ObjectNode quotaStatus(ConfigObject o, Map<String, Long> used) {
        ObjectNode status = JSON.createObjectNode();
        JsonNode hard = spec(o).path("hard");
        status.set("hard", hard.deepCopy());
        ObjectNode u = status.putObject("used");
        hard.fieldNames().forEachRemaining(r -> u.put(r, Quotas.format(r, used.getOrDefault(r, 0L))));
        return status;
    }
}

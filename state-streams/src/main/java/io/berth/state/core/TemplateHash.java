package io.berth.state.core;

import io.berth.schemas.avro.PodTemplate;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stable short hash of a pod template, like Kubernetes' {@code pod-template-hash}: two equal
 * templates hash the same in any JVM, whatever the insertion order of their maps (maps are
 * written with sorted keys), so a replay of the log names tasks identically.
 */
public final class TemplateHash {
    public static final int LENGTH = 10;

    private TemplateHash() {}

    public static String of(PodTemplate template) {
        StringBuilder canonical = new StringBuilder();
        write(canonical, template);
        long h = SafeEncoding.fnv1a(canonical.toString()) & Long.MAX_VALUE;
        return SafeEncoding.encode(h % SafeEncoding.pow(LENGTH), LENGTH);
    }

    private static void write(StringBuilder out, Object value) {
        if (value instanceof GenericRecord r) {
            out.append('{');
            for (Schema.Field f : r.getSchema().getFields()) {
                out.append(f.name()).append('=');
                write(out, r.get(f.pos()));
                out.append(';');
            }
            out.append('}');
        } else if (value instanceof Map<?, ?> m) {
            out.append('<');
            new TreeMap<>(stringKeys(m)).forEach((k, v) -> {
                out.append(k).append('=');
                write(out, v);
                out.append(';');
            });
            out.append('>');
        } else if (value instanceof Collection<?> c) {
            out.append('[');
            c.forEach(v -> { write(out, v); out.append(','); });
            out.append(']');
        } else {
            // Strings are escaped by length so "a;b" and "a" + "b" cannot collide.
            String s = String.valueOf(value);
            out.append(s.length()).append(':').append(s);
        }
    }

    private static Map<String, Object> stringKeys(Map<?, ?> m) {
        Map<String, Object> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }
}

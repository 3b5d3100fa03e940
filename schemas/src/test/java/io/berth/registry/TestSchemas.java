package io.berth.registry;

import org.apache.avro.Schema;

import java.util.ArrayList;
import java.util.List;

/** Avro schemas for registry tests, in canonical form (as the registry stores them). */
public final class TestSchemas {
    private TestSchemas() {}

    /** n distinct records {@code myrecord} with one string field each ({@code f0}, {@code f1}, …): mutually incompatible under BACKWARD. */
    public static List<String> distinct(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(record("myrecord", "{\"type\":\"string\",\"name\":\"f" + i + "\"}"));
        return out;
    }

    /** A record schema with the given field JSON objects, canonical. */
    public static String record(String name, String... fields) {
        String text = "{\"type\":\"record\",\"name\":\"" + name + "\",\"fields\":[" + String.join(",", fields) + "]}";
        return new Schema.Parser().parse(text).toString();
    }
}

package io.berth.registry.client;

import org.apache.avro.Schema;

import java.util.HashMap;
import java.util.Map;

/**
 * A registry that lives in one JVM: same schema, same id, across subjects, like the real one.
 * For topology tests on {@code TopologyTestDriver}; never used by a running Berth service.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {
    private final Map<String, Integer> idsBySchema = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();

    @Override
    public synchronized int register(String subject, Schema schema) {
        return idsBySchema.computeIfAbsent(schema.toString(), s -> {
            int id = schemasById.size() + 1;
            schemasById.put(id, schema);
            return id;
        });
    }

    @Override
    public synchronized Schema getById(int id) {
        Schema s = schemasById.get(id);
        if (s == null) throw new RegistryException(40403, "Schema " + id + " not found");
        return s;
    }
}

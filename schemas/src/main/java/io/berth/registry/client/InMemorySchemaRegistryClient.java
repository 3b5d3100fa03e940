package io.berth.registry.client;

import org.apache.avro.Schema;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A registry that lives in one JVM: same schema, same id, across subjects, like the real one.
 * For topology tests on {@code TopologyTestDriver}; never used by a running Berth service.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {
    private final Map<String, Integer> idsBySchema = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<Integer, Set<String>> subjectsById = new HashMap<>();

    @Override
    public synchronized int register(String subject, Schema schema) {
        int id = idsBySchema.computeIfAbsent(schema.toString(), s -> {
            int next = schemasById.size() + 1;
            schemasById.put(next, schema);
            return next;
        });
        subjectsById.computeIfAbsent(id, i -> new TreeSet<>()).add(subject);
        return id;
    }

    @Override
    public synchronized List<String> subjectsOf(int id) {
        getById(id);
        return List.copyOf(subjectsById.getOrDefault(id, Set.of()));
    }

    @Override
    public synchronized Schema getById(int id) {
        Schema s = schemasById.get(id);
        if (s == null) throw new RegistryException(40403, "Schema " + id + " not found");
        return s;
    }
}

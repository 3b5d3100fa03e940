package io.berth.registry.evolution;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;
import java.util.stream.Stream;

/**
 * Compares a tree of {@code .avsc} files with a baseline copy and reports every schema that is not
 * FULL-compatible with its baseline (the new schema must read old data, and the old schema new
 * data), naming the file, the field path and Avro's reason. Files may use named types defined in
 * other files; they are resolved across the tree.
 */
final class SchemaEvolutionCheck {
    private SchemaEvolutionCheck() {}

    /** Reads every {@code .avsc} under {@code root}: relative path → text. */
    static Map<String, String> readTree(Path root) {
        Map<String, String> texts = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".avsc")).toList()) {
                texts.put(root.relativize(p).toString().replace('\\', '/'), Files.readString(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return texts;
    }

    /** Parses every {@code .avsc} under {@code root}: relative path → top-level schema. */
    static Map<String, Schema> parseTree(Path root) {
        return parseAll(readTree(root));
    }

    /** Parses schema texts that may refer to each other's named types, in whatever order resolves. */
    static Map<String, Schema> parseAll(Map<String, String> texts) {
        Map<String, Schema> known = new HashMap<>();
        Map<String, Schema> parsed = new TreeMap<>();
        Map<String, String> pending = new TreeMap<>(texts);
        Map<String, String> lastErrors = new TreeMap<>();
        while (!pending.isEmpty()) {
            int before = pending.size();
            for (Iterator<Map.Entry<String, String>> it = pending.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, String> e = it.next();
                Schema.Parser parser = new Schema.Parser().addTypes(known.values());
                try {
                    parsed.put(e.getKey(), parser.parse(e.getValue()));
                    known.putAll(parser.getTypes());
                    it.remove();
                } catch (RuntimeException ex) {
                    lastErrors.put(e.getKey(), ex.getMessage());
                }
            }
            if (pending.size() == before) {
                StringBuilder why = new StringBuilder("cannot parse schema files:");
                pending.keySet().forEach(k -> why.append("\n  ").append(k).append(": ").append(lastErrors.get(k)));
                throw new IllegalStateException(why.toString());
            }
        }
        return parsed;
    }

    /** Every problem between baseline and current trees; empty when all changes are FULL-compatible. */
    static List<String> problems(Map<String, Schema> baseline, Map<String, Schema> current) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Schema> old : baseline.entrySet()) {
            Schema now = current.get(old.getKey());
            if (now == null) {
                out.add(old.getKey() + " (" + old.getValue().getFullName() + ") was removed; records already on the topics still use it");
                continue;
            }
            out.addAll(fullCompatibility(old.getKey(), old.getValue(), now));
        }
        return out;
    }

    /** Why {@code now} is not FULL-compatible with {@code old}; empty if it is. */
    static List<String> fullCompatibility(String file, Schema old, Schema now) {
        List<String> out = new ArrayList<>();
        String name = file + " (" + now.getFullName() + ")";
        for (Incompatibility i : SchemaCompatibility.checkReaderWriterCompatibility(now, old).getResult().getIncompatibilities()) {
            out.add(name + ": the new schema cannot read data written with the baseline (BACKWARD): " + describe(i, now));
        }
        for (Incompatibility i : SchemaCompatibility.checkReaderWriterCompatibility(old, now).getResult().getIncompatibilities()) {
            out.add(name + ": the baseline cannot read data written with the new schema (FORWARD): " + describe(i, old));
        }
        return out;
    }

    private static String describe(Incompatibility i, Schema reader) {
        return i.getType() + " at field '" + fieldPath(reader, i.getLocation()) + "' (" + i.getLocation() + "): " + i.getMessage();
    }

    /** Turns Avro's location ({@code /fields/2/type/fields/0}) into a field path ({@code spec.image}) of the reader schema. */
    static String fieldPath(Schema reader, String location) {
        List<String> names = new ArrayList<>();
        Schema s = reader;
        String[] tokens = location.split("/");
        for (int k = 0; k < tokens.length && s != null; k++) {
            String t = tokens[k];
            if (t.isEmpty() || t.equals("type")) continue;
            if (t.equals("fields") && k + 1 < tokens.length && s.getType() == Schema.Type.RECORD) {
                Schema.Field f = s.getFields().get(Integer.parseInt(tokens[++k]));
                names.add(f.name());
                s = f.schema();
            } else if (t.equals("items") && s.getType() == Schema.Type.ARRAY) {
                s = s.getElementType();
            } else if (t.equals("values") && s.getType() == Schema.Type.MAP) {
                s = s.getValueType();
            } else if (t.matches("\\d+") && s.getType() == Schema.Type.UNION) {
                s = s.getTypes().get(Integer.parseInt(t));
            } else {
                break;
            }
        }
        return names.isEmpty() ? "(root)" : String.join(".", names);
    }
}

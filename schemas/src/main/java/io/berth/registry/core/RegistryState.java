package io.berth.registry.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.*;

/**
 * The registry's in-memory view of {@code _schemas}, built by applying its records in log order
 * (the reader thread is the only writer; HTTP handlers read). Entries are immutable values.
 * Thread safety: every method is synchronized; callers get copies.
 */
public final class RegistryState {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryState.class);

    private final Map<String, TreeMap<Integer, SchemaEntry>> subjects = new TreeMap<>();
    private final Map<Integer, List<SchemaEntry>> entriesById = new HashMap<>();
    private final Map<Integer, String> schemaTextById = new HashMap<>();
    private final Map<String, Integer> idByHash = new HashMap<>();
    private final Map<String, CompatibilityLevel> subjectConfigs = new HashMap<>();
    private final Map<String, Mode> subjectModes = new HashMap<>();
    private CompatibilityLevel globalConfig;
    private Mode globalMode;
    private int maxId;

    // ---- applying records (called by the store reader, in log order) ----

    /** A SCHEMA record. Refused (logged, ignored) when its id already names a different schema. */
    public synchronized void putSchema(SchemaEntry entry) {
        String known = schemaTextById.get(entry.id());
        if (known != null && !known.equals(entry.schema())) {
            LOG.error("ignoring SCHEMA record {}/{}: id {} already names a different schema", entry.subject(), entry.version(), entry.id());
            return;
        }
        SchemaEntry previous = subjects.computeIfAbsent(entry.subject(), s -> new TreeMap<>()).put(entry.version(), entry);
        if (previous != null) unindex(previous);
        entriesById.computeIfAbsent(entry.id(), i -> new ArrayList<>()).add(entry);
        schemaTextById.put(entry.id(), entry.schema());
        idByHash.putIfAbsent(ParsedSchema.hashOf(entry.schema(), entry.references()), entry.id());
        maxId = Math.max(maxId, entry.id());
    }

    /** A tombstone of a SCHEMA key: the version is gone for good and its number is free again. */
    public synchronized void removeSchema(String subject, int version) {
        TreeMap<Integer, SchemaEntry> versions = subjects.get(subject);
        if (versions == null) return;
        SchemaEntry removed = versions.remove(version);
        if (removed != null) unindex(removed);
        if (versions.isEmpty()) subjects.remove(subject);
    }

    private void unindex(SchemaEntry e) {
        List<SchemaEntry> list = entriesById.get(e.id());
        if (list == null) return;
        list.removeIf(x -> x.subject().equals(e.subject()) && x.version() == e.version());
        if (list.isEmpty()) entriesById.remove(e.id());
    }

    /** A DELETE_SUBJECT record: every version up to {@code upToVersion} is soft-deleted. */
    public synchronized void deleteSubject(String subject, int upToVersion) {
        TreeMap<Integer, SchemaEntry> versions = subjects.get(subject);
        if (versions == null) return;
        for (SchemaEntry e : List.copyOf(versions.headMap(upToVersion, true).values())) {
            if (!e.deleted()) {
                SchemaEntry d = e.markDeleted();
                versions.put(e.version(), d);
                unindex(e);
                entriesById.computeIfAbsent(e.id(), i -> new ArrayList<>()).add(d);
            }
        }
    }

    /** A CLEAR_SUBJECT record: the soft-deleted versions of the subject are dropped. */
    public synchronized void clearSubject(String subject) {
        TreeMap<Integer, SchemaEntry> versions = subjects.get(subject);
        if (versions == null) return;
        for (SchemaEntry e : List.copyOf(versions.values())) {
            if (e.deleted()) removeSchema(subject, e.version());
        }
    }

    /** A CONFIG record; {@code subject} null = global, {@code level} null = removed. */
    public synchronized void putConfig(String subject, CompatibilityLevel level) {
        if (subject == null) globalConfig = level;
        else if (level == null) subjectConfigs.remove(subject);
        else subjectConfigs.put(subject, level);
    }

    /** A MODE record; {@code subject} null = global, {@code mode} null = removed. */
    public synchronized void putMode(String subject, Mode mode) {
        if (subject == null) globalMode = mode;
        else if (mode == null) subjectModes.remove(subject);
        else subjectModes.put(subject, mode);
    }

    // ---- queries ----

    /** Versions of the subject the filter accepts, ascending. */
    public synchronized List<SchemaEntry> versions(String subject, LookupFilter filter) {
        TreeMap<Integer, SchemaEntry> versions = subjects.get(subject);
        if (versions == null) return List.of();
        return versions.values().stream().filter(filter::accepts).toList();
    }

    public synchronized Optional<SchemaEntry> version(String subject, int version) {
        TreeMap<Integer, SchemaEntry> versions = subjects.get(subject);
        return Optional.ofNullable(versions == null ? null : versions.get(version));
    }

    /** The highest version number the subject has ever used and still holds (including soft-deleted ones); 0 if none. */
    public synchronized int highestVersion(String subject) {
        TreeMap<Integer, SchemaEntry> versions = subjects.get(subject);
        return versions == null || versions.isEmpty() ? 0 : versions.lastKey();
    }

    /** Subjects having at least one version the filter accepts, sorted. */
    public synchronized List<String> subjects(LookupFilter filter, String prefix) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, TreeMap<Integer, SchemaEntry>> e : subjects.entrySet()) {
            if (prefix != null && !e.getKey().startsWith(prefix)) continue;
            boolean matches = filter == LookupFilter.DELETED_ONLY
                    ? e.getValue().values().stream().allMatch(SchemaEntry::deleted)
                    : e.getValue().values().stream().anyMatch(filter::accepts);
            if (matches) out.add(e.getKey());
        }
        return out;
    }

    /** Every subject version registered with this id, sorted by subject then version. */
    public synchronized List<SchemaEntry> entriesWithId(int id) {
        List<SchemaEntry> list = new ArrayList<>(entriesById.getOrDefault(id, List.of()));
        list.sort(Comparator.comparing(SchemaEntry::subject).thenComparingInt(SchemaEntry::version));
        return list;
    }

    /** The id already given to this schema (hash), anywhere in the registry. */
    public synchronized Optional<Integer> idOfHash(String hash) {
        return Optional.ofNullable(idByHash.get(hash));
    }

    public synchronized int maxId() {
        return maxId;
    }

    public synchronized Optional<String> schemaTextOfId(int id) {
        return Optional.ofNullable(schemaTextById.get(id));
    }

    public synchronized Optional<CompatibilityLevel> subjectConfig(String subject) {
        return Optional.ofNullable(subjectConfigs.get(subject));
    }

    public synchronized Optional<CompatibilityLevel> globalConfig() {
        return Optional.ofNullable(globalConfig);
    }

    public synchronized Optional<Mode> subjectMode(String subject) {
        return Optional.ofNullable(subjectModes.get(subject));
    }

    public synchronized Optional<Mode> globalMode() {
        return Optional.ofNullable(globalMode);
    }

    /** Live entries whose references name this subject (and version, unless {@code version} is null). */
    public synchronized List<SchemaEntry> referrers(String subject, Integer version) {
        List<SchemaEntry> out = new ArrayList<>();
        for (TreeMap<Integer, SchemaEntry> versions : subjects.values()) {
            for (SchemaEntry e : versions.values()) {
                if (e.deleted()) continue;
                for (SchemaReference r : e.references()) {
                    if (r.subject().equals(subject) && (version == null || r.version() == version)) out.add(e);
                }
            }
        }
        return out;
    }
}

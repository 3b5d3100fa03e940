package io.berth.registry.core;

import org.apache.avro.Schema;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static io.berth.registry.core.RegistryError.*;

/**
 * The registry's operations, Confluent's semantics (REGISTRY.md §2–3), over the in-memory
 * {@link RegistryState} and a {@link RecordWriter} to {@code _schemas}. Reads answer from the
 * state; writes run one at a time (this instance must be the leader: the server forwards writes
 * otherwise) and return once the record is applied. No Kafka, no HTTP here.
 */
public final class Registry {
    private final RegistryState state;
    private final RecordWriter writer;
    private final CompatibilityLevel defaultLevel;
    private final Object writeLock = new Object();
    private final Map<Integer, Schema> parsedById = new ConcurrentHashMap<>();

    public Registry(RegistryState state, RecordWriter writer, CompatibilityLevel defaultLevel) {
        this.state = state;
        this.writer = writer;
        this.defaultLevel = defaultLevel;
    }

    public RegistryState state() {
        return state;
    }

    // ---------------------------------------------------------------- schemas: writes

    /**
     * Registers the schema under the subject, or returns the live version that already holds it.
     * A schema known elsewhere keeps its id; a new one gets max id + 1; the version is the
     * highest ever used in the subject + 1.
     */
    public SchemaEntry register(String subject, RegisterRequest request) {
        Subjects.validate(subject);
        synchronized (writeLock) {
            Mode mode = effectiveMode(subject);
            if (!mode.acceptsWrites()) throw readOnly(subject);
            ParsedSchema parsed = parse(request);
            if (mode == Mode.IMPORT) return importSchema(subject, request, parsed);
            if (request.id() != null && request.id() >= 0) {
                throw new RegistryError(OPERATION_NOT_PERMITTED, "Subject '" + subject
                        + "' is not in IMPORT mode: a registration may not choose its id (" + request.id() + ").");
            }
            Optional<SchemaEntry> existing = findByHash(subject, parsed.hash(), LookupFilter.LIVE);
            if (existing.isPresent()) return existing.get();
            List<String> problems = incompatibilities(subject, request.schemaType(), parsed.schema(), null);
            if (!problems.isEmpty()) {
                throw new RegistryError(INCOMPATIBLE_SCHEMA, "Schema being registered is incompatible with an earlier schema for subject \""
                        + subject + "\", details: " + problems);
            }
            int id = state.idOfHash(parsed.hash()).orElse(state.maxId() + 1);
            SchemaEntry entry = new SchemaEntry(subject, state.highestVersion(subject) + 1, id, request.schemaType(),
                    parsed.references(), parsed.canonical(), false);
            writer.putSchema(entry);
            return entry;
        }
    }

    private SchemaEntry importSchema(String subject, RegisterRequest request, ParsedSchema parsed) {
        if (request.id() == null || request.id() < 1) {
            throw new RegistryError(OPERATION_NOT_PERMITTED, "Subject '" + subject + "' is in IMPORT mode: the request must carry the schema's id.");
        }
        Optional<String> known = state.schemaTextOfId(request.id());
        if (known.isPresent() && !known.get().equals(parsed.canonical())) {
            throw new RegistryError(ID_MISMATCH, "Overwrite new schema with id " + request.id()
                    + " is not permitted: the id already names a different schema.");
        }
        int version = request.version() != null && request.version() > 0 ? request.version() : state.highestVersion(subject) + 1;
        Optional<SchemaEntry> atVersion = state.version(subject, version);
        if (atVersion.isPresent()) {
            if (atVersion.get().id() == request.id()) return atVersion.get();
            throw new RegistryError(OPERATION_NOT_PERMITTED, "Subject '" + subject + "' already has version " + version
                    + " with schema id " + atVersion.get().id() + "; cannot import id " + request.id() + " there.");
        }
        SchemaEntry entry = new SchemaEntry(subject, version, request.id(), request.schemaType(), parsed.references(), parsed.canonical(), false);
        writer.putSchema(entry);
        return entry;
    }

    /** Soft-deletes (or, if already soft-deleted and {@code permanent}, erases) one version; returns its number. */
    public int deleteVersion(String subject, String versionText, boolean permanent) {
        VersionId versionId = VersionId.parse(versionText);
        synchronized (writeLock) {
            if (!effectiveMode(subject).acceptsWrites()) throw readOnly(subject);
            List<SchemaEntry> visible = state.versions(subject, permanent ? LookupFilter.INCLUDE_DELETED : LookupFilter.LIVE);
            if (visible.isEmpty()) throw subjectNotFound(subject);
            SchemaEntry entry = versionId.isLatest() ? visible.get(visible.size() - 1)
                    : state.version(subject, versionId.value()).orElseThrow(() -> versionNotFound(subject, versionId));
            if (permanent && !entry.deleted()) {
                throw new RegistryError(VERSION_NOT_SOFT_DELETED, "Subject '" + subject + "' Version " + entry.version()
                        + " was not deleted first before being permanently deleted");
            }
            if (!permanent && entry.deleted()) {
                throw new RegistryError(VERSION_SOFT_DELETED, "Subject '" + subject + "' Version " + entry.version()
                        + " was soft deleted. Set permanent=true to delete permanently");
            }
            refuseIfReferenced(subject, entry.version());
            if (permanent) writer.tombstoneSchema(subject, entry.version());
            else writer.putSchema(entry.markDeleted());
            return entry.version();
        }
    }

    /** Soft-deletes every live version (or erases a soft-deleted subject); returns the versions affected. */
    public List<Integer> deleteSubject(String subject, boolean permanent) {
        synchronized (writeLock) {
            if (!effectiveMode(subject).acceptsWrites()) throw readOnly(subject);
            List<SchemaEntry> all = state.versions(subject, LookupFilter.INCLUDE_DELETED);
            if (all.isEmpty()) throw subjectNotFound(subject);
            List<SchemaEntry> live = state.versions(subject, LookupFilter.LIVE);
            if (!permanent) {
                if (live.isEmpty()) {
                    throw new RegistryError(SUBJECT_SOFT_DELETED, "Subject '" + subject + "' was soft deleted. Set permanent=true to delete permanently");
                }
                refuseIfReferenced(subject, null);
                writer.deleteSubject(subject, live.get(live.size() - 1).version());
                return live.stream().map(SchemaEntry::version).toList();
            }
            if (!live.isEmpty()) {
                throw new RegistryError(SUBJECT_NOT_SOFT_DELETED, "Subject '" + subject + "' was not deleted first before being permanently deleted");
            }
            for (SchemaEntry e : all) writer.tombstoneSchema(subject, e.version());
            if (state.subjectConfig(subject).isPresent()) writer.putConfig(subject, null);
            if (state.subjectMode(subject).isPresent()) writer.putMode(subject, null);
            return all.stream().map(SchemaEntry::version).toList();
        }
    }

    private void refuseIfReferenced(String subject, Integer version) {
        List<SchemaEntry> referrers = state.referrers(subject, version).stream().filter(e -> !e.subject().equals(subject)).toList();
        if (!referrers.isEmpty()) {
            throw new RegistryError(REFERENCE_EXISTS, "One or more references exist to the schema {subject=" + subject
                    + (version == null ? "" : ", version=" + version) + "}: referenced by "
                    + referrers.stream().map(e -> e.subject() + " version " + e.version()).toList());
        }
    }

    // ---------------------------------------------------------------- schemas: reads

    /** The version of the subject holding this schema (POST /subjects/{s}). */
    public SchemaEntry lookup(String subject, RegisterRequest request, boolean includeDeleted) {
        ParsedSchema parsed = parse(request);
        LookupFilter filter = includeDeleted ? LookupFilter.INCLUDE_DELETED : LookupFilter.LIVE;
        if (state.versions(subject, filter).isEmpty()) throw subjectNotFound(subject);
        return findByHash(subject, parsed.hash(), filter)
                .orElseThrow(() -> schemaNotFound("Schema not found under subject '" + subject + "'."));
    }

    /** Live versions of the subject that hold this hash, the newest first. */
    private Optional<SchemaEntry> findByHash(String subject, String hash, LookupFilter filter) {
        return state.versions(subject, filter).stream()
                .filter(e -> ParsedSchema.hashOf(e.schema(), e.references()).equals(hash))
                .max(Comparator.comparing((SchemaEntry e) -> !e.deleted()).thenComparingInt(SchemaEntry::version));
    }

    public SchemaEntry version(String subject, String versionText, boolean includeDeleted) {
        VersionId versionId = VersionId.parse(versionText);
        List<SchemaEntry> visible = state.versions(subject, includeDeleted ? LookupFilter.INCLUDE_DELETED : LookupFilter.LIVE);
        if (visible.isEmpty()) throw subjectNotFound(subject);
        if (versionId.isLatest()) return visible.get(visible.size() - 1);
        return visible.stream().filter(e -> e.version() == versionId.value()).findFirst()
                .orElseThrow(() -> versionNotFound(subject, versionId));
    }

    public List<Integer> versions(String subject, boolean deleted, boolean deletedOnly) {
        LookupFilter exists = deleted || deletedOnly ? LookupFilter.INCLUDE_DELETED : LookupFilter.LIVE;
        if (state.versions(subject, exists).isEmpty()) throw subjectNotFound(subject);
        return state.versions(subject, LookupFilter.of(deleted, deletedOnly)).stream().map(SchemaEntry::version).toList();
    }

    public List<String> subjects(boolean deleted, boolean deletedOnly, String prefix) {
        return state.subjects(LookupFilter.of(deleted, deletedOnly), prefix);
    }

    /** Any entry with this id (they all share the schema); 40403 if none. */
    public SchemaEntry schemaById(int id) {
        return state.entriesWithId(id).stream().findFirst().orElseThrow(() -> schemaNotFound("Schema " + id + " not found"));
    }

    /** The (subject, version) pairs that use this id. */
    public List<SchemaEntry> usagesOfId(int id, boolean includeDeleted) {
        List<SchemaEntry> all = state.entriesWithId(id);
        if (all.isEmpty()) throw schemaNotFound("Schema " + id + " not found");
        return includeDeleted ? all : all.stream().filter(e -> !e.deleted()).toList();
    }

    // ---------------------------------------------------------------- compatibility

    /**
     * The reasons the schema is incompatible (empty: compatible). {@code versionText} null checks
     * as a registration would (every live version for a transitive level); {@code latest} or a
     * number checks against that one version only. A subject without live versions: compatible.
     */
    public List<String> testCompatibility(String subject, String versionText, RegisterRequest request) {
        VersionId versionId = versionText == null ? null : VersionId.parse(versionText);
        ParsedSchema parsed = parse(request);
        List<SchemaEntry> live = state.versions(subject, LookupFilter.LIVE);
        if (live.isEmpty()) return List.of();
        if (versionId == null) return incompatibilities(subject, request.schemaType(), parsed.schema(), null);
        SchemaEntry target = versionId.isLatest() ? live.get(live.size() - 1)
                : live.stream().filter(e -> e.version() == versionId.value()).findFirst().orElseThrow(() -> versionNotFound(subject, versionId));
        return incompatibilities(subject, request.schemaType(), parsed.schema(), target);
    }

    /** Checks against {@code only}, or (null) against the live versions the subject's level names. */
    private List<String> incompatibilities(String subject, String schemaType, Schema candidate, SchemaEntry only) {
        CompatibilityLevel level = effectiveLevel(subject);
        if (level == CompatibilityLevel.NONE) return List.of();
        List<SchemaEntry> previous = only != null ? List.of(only) : state.versions(subject, LookupFilter.LIVE);
        List<CompatibilityChecker.Previous> checked = new ArrayList<>();
        for (SchemaEntry e : previous) {
            if (!e.schemaType().equals(schemaType)) {
                return List.of("{errorType:'SCHEMA_TYPE_CHANGED', description:'The new schema is " + schemaType + " but version "
                        + e.version() + " is " + e.schemaType() + "'}", "{oldSchemaVersion: " + e.version() + "}",
                        "{oldSchema: '" + e.schema() + "'}", "{compatibility: '" + level + "'}");
            }
            checked.add(new CompatibilityChecker.Previous(e.version(), schemaOf(e)));
        }
        return CompatibilityChecker.check(level, candidate, checked);
    }

    private Schema schemaOf(SchemaEntry e) {
        return parsedById.computeIfAbsent(e.id(), id -> AvroSchemas.parse(e.schema(), e.references(), this::resolveReference).schema());
    }

    private ParsedSchema parse(RegisterRequest request) {
        if (!SchemaEntry.AVRO.equalsIgnoreCase(request.schemaType())) {
            throw invalidSchema("Invalid schema: schemaType " + request.schemaType()
                    + " is not supported; Berth's registry stores AVRO schemas only.");
        }
        return AvroSchemas.parse(request.schema(), request.references(), this::resolveReference);
    }

    /** A reference's target: a live version (or the latest live one for version -1). */
    private SchemaEntry resolveReference(String subject, Integer version) {
        List<SchemaEntry> live = state.versions(subject, LookupFilter.LIVE);
        if (version == null || version == VersionId.LATEST) return live.isEmpty() ? null : live.get(live.size() - 1);
        return live.stream().filter(e -> e.version() == version).findFirst().orElse(null);
    }

    // ---------------------------------------------------------------- config and mode

    public CompatibilityLevel effectiveLevel(String subject) {
        return state.subjectConfig(subject).or(state::globalConfig).orElse(defaultLevel);
    }

    public CompatibilityLevel globalConfig() {
        return state.globalConfig().orElse(defaultLevel);
    }

    /** The subject's own level; 40408 if it has none (unless {@code defaultToGlobal}). */
    public CompatibilityLevel subjectConfig(String subject, boolean defaultToGlobal) {
        Optional<CompatibilityLevel> own = state.subjectConfig(subject);
        if (own.isPresent()) return own.get();
        if (defaultToGlobal) return globalConfig();
        throw new RegistryError(SUBJECT_COMPATIBILITY_NOT_CONFIGURED, "Subject '" + subject + "' does not have subject-level compatibility configured");
    }

    /** Sets the level of a subject ({@code null}: the global level). */
    public void setConfig(String subject, CompatibilityLevel level) {
        if (subject != null) Subjects.validate(subject);
        synchronized (writeLock) {
            writer.putConfig(subject, level);
        }
    }

    /** Removes the subject's own level (it falls back to the global one); returns the level it had. */
    public CompatibilityLevel deleteConfig(String subject) {
        synchronized (writeLock) {
            Optional<CompatibilityLevel> own = state.subjectConfig(subject);
            if (own.isEmpty() && state.versions(subject, LookupFilter.INCLUDE_DELETED).isEmpty()) throw subjectNotFound(subject);
            if (own.isPresent()) writer.putConfig(subject, null);
            return own.orElse(globalConfig());
        }
    }

    public Mode effectiveMode(String subject) {
        return state.subjectMode(subject).or(state::globalMode).orElse(Mode.READWRITE);
    }

    public Mode globalMode() {
        return state.globalMode().orElse(Mode.READWRITE);
    }

    /** The subject's own mode; 40409 if it has none (unless {@code defaultToGlobal}). */
    public Mode subjectMode(String subject, boolean defaultToGlobal) {
        Optional<Mode> own = state.subjectMode(subject);
        if (own.isPresent()) return own.get();
        if (defaultToGlobal) return globalMode();
        throw new RegistryError(SUBJECT_MODE_NOT_CONFIGURED, "Subject '" + subject + "' does not have subject-level mode configured");
    }

    /** Sets the mode of a subject ({@code null}: global). IMPORT needs an empty scope unless {@code force}. */
    public void setMode(String subject, Mode mode, boolean force) {
        if (subject != null) Subjects.validate(subject);
        synchronized (writeLock) {
            if (mode == Mode.IMPORT && !force) {
                boolean hasSchemas = subject == null ? !state.subjects(LookupFilter.LIVE, null).isEmpty()
                        : !state.versions(subject, LookupFilter.LIVE).isEmpty();
                if (hasSchemas) {
                    throw new RegistryError(OPERATION_NOT_PERMITTED, "Cannot import since found existing subjects"
                            + (subject == null ? "" : " ('" + subject + "' has versions)") + "; set force=true to switch to IMPORT anyway.");
                }
            }
            writer.putMode(subject, mode);
        }
    }

    /** Removes the subject's own mode; returns the mode it had. */
    public Mode deleteMode(String subject) {
        synchronized (writeLock) {
            Optional<Mode> own = state.subjectMode(subject);
            if (own.isEmpty() && state.versions(subject, LookupFilter.INCLUDE_DELETED).isEmpty()) throw subjectNotFound(subject);
            if (own.isPresent()) writer.putMode(subject, null);
            return own.orElse(globalMode());
        }
    }
}

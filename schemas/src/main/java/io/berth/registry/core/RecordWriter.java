package io.berth.registry.core;

/**
 * Appends records to {@code _schemas}. Each call returns only once this instance's reader has
 * applied the record to the {@link RegistryState} (read-your-writes), or throws a
 * {@link RegistryError} (50001 store error, 50002 timeout).
 */
public interface RecordWriter {
    void putSchema(SchemaEntry entry);

    void tombstoneSchema(String subject, int version);

    void deleteSubject(String subject, int upToVersion);

    /** {@code subject} null = global; {@code level} null = delete the subject's config. */
    void putConfig(String subject, CompatibilityLevel level);

    /** {@code subject} null = global; {@code mode} null = delete the subject's mode. */
    void putMode(String subject, Mode mode);
}

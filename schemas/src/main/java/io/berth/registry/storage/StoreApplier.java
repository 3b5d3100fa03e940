package io.berth.registry.storage;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.registry.core.CompatibilityLevel;
import io.berth.registry.core.Mode;
import io.berth.registry.core.RegistryState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one {@code _schemas} record to the {@link RegistryState}. Records it cannot read (a
 * foreign keytype, broken JSON) are logged and skipped so one bad record never stops the reader.
 */
public final class StoreApplier {
    private static final Logger LOG = LoggerFactory.getLogger(StoreApplier.class);
    private final RegistryState state;

    public StoreApplier(RegistryState state) {
        this.state = state;
    }

    public void apply(byte[] keyBytes, byte[] valueBytes, long offset) {
        if (keyBytes == null) {
            LOG.warn("_schemas offset {}: record without a key, skipped", offset);
            return;
        }
        try {
            JsonNode key = StoreCodec.parse(keyBytes);
            JsonNode value = valueBytes == null ? null : StoreCodec.parse(valueBytes);
            apply(key, value);
        } catch (RuntimeException e) {
            LOG.warn("_schemas offset {}: unreadable record skipped: {}", offset, e.toString());
        }
    }

    private void apply(JsonNode key, JsonNode value) {
        String keytype = key.path("keytype").asText();
        String subject = StoreCodec.subjectOf(key);
        switch (keytype) {
            case StoreCodec.SCHEMA -> {
                if (value == null) state.removeSchema(subject, key.path("version").asInt());
                else state.putSchema(StoreCodec.readSchemaValue(value));
            }
            case StoreCodec.CONFIG -> state.putConfig(subject,
                    value == null || !value.hasNonNull("compatibilityLevel") ? null : CompatibilityLevel.parse(value.get("compatibilityLevel").asText()));
            case StoreCodec.MODE -> state.putMode(subject,
                    value == null || !value.hasNonNull("mode") ? null : Mode.parse(value.get("mode").asText()));
            case StoreCodec.DELETE_SUBJECT -> {
                if (value != null) state.deleteSubject(value.path("subject").asText(subject), value.path("version").asInt());
            }
            case StoreCodec.CLEAR_SUBJECT -> {
                if (value != null) state.clearSubject(value.path("subject").asText(subject));
            }
            case StoreCodec.NOOP -> { }
            default -> LOG.debug("_schemas: keytype {} is not used by Berth, skipped", keytype);
        }
    }
}

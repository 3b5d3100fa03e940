package io.berth.node.bus;

import io.berth.schemas.serde.AvroSerde;

/**
 * Avro 1.12 refuses to instantiate classes outside trusted packages, and the generated builders
 * hit that check when they fill defaults. {@link AvroSerde}'s class initializer trusts
 * {@code io.berth}; this makes sure it has run before the daemon builds its first record.
 */
public final class AvroTrust {
    private AvroTrust() {}

    public static void ensure() {
        try {
            Class.forName(AvroSerde.class.getName(), true, AvroSerde.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}

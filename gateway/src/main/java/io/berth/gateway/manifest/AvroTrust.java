package io.berth.gateway.manifest;

/**
 * Avro 1.12 only instantiates classes of trusted packages, also when a builder copies a record
 * default (e.g. {@code Resources}). The serde sets this for processes that use Kafka; the pure
 * parser must not depend on having touched the serde first.
 */
public final class AvroTrust {
    private AvroTrust() {}

    static {
        String key = "org.apache.avro.SERIALIZABLE_PACKAGES";
        String trusted = "java.lang,java.math,java.io,java.net,org.apache.avro.util,io.berth";
        String current = System.getProperty(key);
        if (current == null || !current.contains("io.berth")) {
            System.setProperty(key, current == null ? trusted : current + ",io.berth");
        }
    }

    public static void ensure() {
        // the static initializer did the work
    }
}

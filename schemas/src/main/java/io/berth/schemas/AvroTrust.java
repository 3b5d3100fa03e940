package io.berth.schemas;

/**
 * Avro 1.12 only instantiates classes of trusted packages, also when a generated builder copies a
 * record-typed default (e.g. {@code Resources}), and it reads the trusted list once, at first use.
 * Every entry point that may touch a generated class calls {@link #ensure()} first (the serde,
 * the CLI, the node daemon, the manifest parser); tests get the property from the build.
 */
public final class AvroTrust {
    public static final String PROPERTY = "org.apache.avro.SERIALIZABLE_PACKAGES";
    private static final String TRUSTED = "java.lang,java.math,java.io,java.net,org.apache.avro.util,io.berth";

    private AvroTrust() {}

    static {
        String current = System.getProperty(PROPERTY);
        if (current == null || !current.contains("io.berth")) {
            System.setProperty(PROPERTY, current == null ? TRUSTED : current + ",io.berth");
        }
    }

    /** Trusts Berth's generated classes; idempotent (the static initializer does the work once). */
    public static void ensure() {
        // loading this class ran the initializer
    }
}

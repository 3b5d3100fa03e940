package io.berth.registry.client;

import org.apache.avro.Schema;

/**
 * What Berth's serdes need of a schema registry. Implementations: {@code CachedSchemaRegistryClient}
 * (HTTP, Confluent REST API) and {@link InMemorySchemaRegistryClient} (tests of pure topologies).
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /** Registers (or finds) the schema under the subject and returns its global id. */
    int register(String subject, Schema schema) throws RegistryException;

    /** The schema with this global id. */
    Schema getById(int id) throws RegistryException;

    /**
     * The subjects under which the schema with this global id is registered (Confluent's
     * {@code GET /schemas/ids/{id}/subjects}), or {@code null} when this client cannot tell; a
     * reader uses it to refuse a record written under another topic's subject.
     */
    default java.util.List<String> subjectsOf(int id) throws RegistryException {
        return null;
    }

    @Override
    default void close() {}

    /**
     * A registry call that failed. {@code errorCode} is Confluent's (e.g. 40403, 42201, 409);
     * -1 when the registry could not be reached.
     */
    class RegistryException extends RuntimeException {
        private final int errorCode;

        public RegistryException(int errorCode, String message) {
            super(message);
            this.errorCode = errorCode;
        }

        public RegistryException(String message, Throwable cause) {
            super(message, cause);
            this.errorCode = -1;
        }

        public int errorCode() {
            return errorCode;
        }
    }
}

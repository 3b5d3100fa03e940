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
        private final boolean transientFailure;

        /** A refusal by the registry; transient when {@link #transientCode(int) the code says so} (e.g. 50004, no leader yet). */
        public RegistryException(int errorCode, String message) {
            this(errorCode, message, transientCode(errorCode));
        }

        public RegistryException(int errorCode, String message, boolean transientFailure) {
            super(message);
            this.errorCode = errorCode;
            this.transientFailure = transientFailure;
        }

        /** The registry could not be reached (code -1): transient. */
        public RegistryException(String message, Throwable cause) {
            this(message, cause, true);
        }

        public RegistryException(String message, Throwable cause, boolean transientFailure) {
            super(message, cause);
            this.errorCode = -1;
            this.transientFailure = transientFailure;
        }

        public int errorCode() {
            return errorCode;
        }

        /**
         * True when the same call may succeed later and the record it was made for is not at fault: the
         * registry was unreachable, overloaded, or between leaders. Such a failure must never turn a good
         * record into a dead letter (issue 13, chaos run of 2026-12-05: a killed registry leader made
         * state-streams dead-letter an acknowledged intent).
         */
        public boolean isTransient() {
            return transientFailure;
        }

        /** HTTP 5xx and 429, and Confluent's 500xx codes (store error, timeout, forwarding failed, leader unknown). */
        public static boolean transientCode(int code) {
            return (code >= 500 && code <= 599) || code == 429 || (code >= 50000 && code <= 50999);
        }

        /** True when {@code error} or one of its causes is a transient registry failure. */
        public static boolean isTransient(Throwable error) {
            for (Throwable t = error; t != null; t = t.getCause()) {
                if (t instanceof RegistryException r && r.isTransient()) return true;
            }
            return false;
        }
    }
}

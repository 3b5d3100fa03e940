package io.berth.registry.core;

/**
 * A request the registry refuses, with Confluent's error code (HTTP status = its first three
 * digits) and a message a user can read. Codes: SR {@code rest/exceptions/Errors.java}.
 */
public final class RegistryError extends RuntimeException {
    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int SUBJECT_SOFT_DELETED = 40404;
    public static final int SUBJECT_NOT_SOFT_DELETED = 40405;
    public static final int VERSION_SOFT_DELETED = 40406;
    public static final int VERSION_NOT_SOFT_DELETED = 40407;
    public static final int SUBJECT_COMPATIBILITY_NOT_CONFIGURED = 40408;
    public static final int SUBJECT_MODE_NOT_CONFIGURED = 40409;
    /** Berth answers an incompatible schema with 409, the Confluent 7.x code (8.x uses 40901). */
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    public static final int INVALID_MODE = 42204;
    public static final int OPERATION_NOT_PERMITTED = 42205;
    public static final int REFERENCE_EXISTS = 42206;
    public static final int ID_MISMATCH = 42207;
    public static final int INVALID_SUBJECT = 42208;
    public static final int STORE_ERROR = 50001;
    public static final int TIMEOUT = 50002;
    public static final int FORWARDING_FAILED = 50003;
    public static final int LEADER_UNKNOWN = 50004;

    private final int errorCode;

    public RegistryError(int errorCode, String message) {
        super(message);
        this.errorCode = errorCode;
    }

    public RegistryError(int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    public int errorCode() {
        return errorCode;
    }

    /** The HTTP status: the first three digits of the error code. */
    public int httpStatus() {
        int code = errorCode;
        while (code >= 1000) code /= 10;
        return code;
    }

    public static RegistryError subjectNotFound(String subject) {
        return new RegistryError(SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }

    public static RegistryError versionNotFound(String subject, Object version) {
        return new RegistryError(VERSION_NOT_FOUND, "Version " + version + " not found for subject '" + subject + "'.");
    }

    public static RegistryError schemaNotFound(String what) {
        return new RegistryError(SCHEMA_NOT_FOUND, what);
    }

    public static RegistryError invalidSchema(String message) {
        return new RegistryError(INVALID_SCHEMA, message);
    }

    public static RegistryError readOnly(String subject) {
        return new RegistryError(OPERATION_NOT_PERMITTED, "Subject '" + subject + "' is in read-only mode; writes are refused.");
    }
}

package io.berth.gateway.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A request that fails with a Kubernetes {@code Status}; thrown by pure helpers, rendered by the router. */
public final class ApiException extends RuntimeException {
    private final transient ObjectNode status;

    public ApiException(ObjectNode status) {
        super(status.path("message").asText());
        this.status = status;
    }

    public ObjectNode status() {
        return status;
    }

    public int code() {
        return status.path("code").asInt(500);
    }
}

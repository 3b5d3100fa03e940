package io.berth.scheduler;

import io.berth.schemas.avro.PlacementRequest;

import java.util.Optional;

/** Why a decoded placement request cannot be scheduled at all (it goes to the dead letters). */
final class RequestValidation {
    private RequestValidation() {}

    static Optional<String> problem(PlacementRequest r) {
        if (r.getTaskId() == null || r.getTaskId().isBlank()) return Optional.of("placement request without a taskId");
        if (r.getTaskId().contains("/")) return Optional.of("taskId '" + r.getTaskId() + "' contains '/', which the assignment key nodeId/taskId reserves");
        if (r.getRequests() == null) return Optional.of("placement request " + r.getTaskId() + " without requests");
        if (Conversions.quantity(r.getRequests()).isNegative()) return Optional.of("placement request " + r.getTaskId() + " has negative requests " + r.getRequests());
        if (r.getTemplate() == null) return Optional.of("placement request " + r.getTaskId() + " without a pod template");
        for (int port : Conversions.pending(r).hostPorts()) {
            if (port < 1 || port > 65535) return Optional.of("placement request " + r.getTaskId() + " asks for host port " + port + ", outside 1-65535");
        }
        return Optional.empty();
    }
}

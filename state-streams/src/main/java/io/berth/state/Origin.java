package io.berth.state;

import io.berth.schemas.audit.Actors;

/**
 * Who and what an audit record credits: an intent's actor and id for what it asked (its
 * controller's consequences included), a node (or the scheduler) for what it reported, the
 * workload controller for what it decided on its own (status folding, ticks).
 */
record Origin(String actor, String intentId) {
    static final Origin CONTROLLER = new Origin(Actors.WORKLOAD_CONTROLLER, "");
}

package io.berth.node.runtime;

import io.berth.node.bus.EventPublisher;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.TaskStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the reconciler's task transitions go. In the daemon: berth.task-status, keyed by the
 * workload key so that a workload's statuses stay in order on one partition. Must not block.
 */
@FunctionalInterface
public interface StatusSink {
    void report(TaskStatus status);

    static StatusSink kafka(EventPublisher publisher) {
        Logger log = LoggerFactory.getLogger(StatusSink.class);
        return s -> publisher.publish(Topics.TASK_STATUS, s.getWorkloadKey(), s).whenComplete((md, err) -> {
            if (err != null) log.warn("node {}: status {} of {} not published: {}", s.getNodeId(), s.getState(), s.getTaskId(), err.toString());
        });
    }
}

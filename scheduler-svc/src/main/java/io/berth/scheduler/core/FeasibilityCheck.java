package io.berth.scheduler.core;

import java.util.List;

/**
 * One question about one node ("is it Ready?", "do the requests fit?"). A check that rejects says
 * why, in the words Kubernetes' scheduler uses, so the reasons can be counted into the familiar
 * "0/3 nodes are available: …" message.
 */
public interface FeasibilityCheck {
    /** @return the reasons this node cannot run the task; empty when it can */
    List<String> reject(Node node, NodeUsage usage, Pending task);
}

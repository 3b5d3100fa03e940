package io.berth.ops.chaos;

import io.berth.ops.chaos.Verdict.Spec;

import java.util.HashMap;
import java.util.Map;

/** The last acknowledged spec of every workload ({@code null}: deleted), shared by the clients. */
public final class Ledger {
    private final Map<String, Spec> last = new HashMap<>();
    private int acks;
    private long lastAckAt;

    public synchronized void acked(String name, Spec spec) {
        last.put(name, spec);
        acks++;
        lastAckAt = System.currentTimeMillis();
    }

    /** name → last acknowledged spec ({@code null} values for deleted ones); a copy. */
    public synchronized Map<String, Spec> snapshot() {
        return new HashMap<>(last);
    }

    public synchronized int acks() {
        return acks;
    }

    public synchronized long lastAckAt() {
        return lastAckAt;
    }
}

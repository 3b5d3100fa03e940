package io.berth.ops.chaos;

import io.berth.ops.chaos.Verdict.Spec;
import io.berth.ops.kubectl.Gateway;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One API client of a chaos run: it applies, scales, rolls out (image or env change) and deletes its own
 * Deployments ({@code c<id>-w<k>}) through the gateways, one intent at a time, as a careful user would:
 * an intent is sent again (to the other gateway) until a gateway acknowledges it with a 2xx, and only then
 * is it recorded in the {@link Ledger} and the next one chosen. Every intent is idempotent (a full
 * manifest, an absolute replica count, a delete), so sending one twice is safe.
 */
public final class ChaosClient implements Runnable {
    public static final String IMAGE_A = "berth/busybox:latest";
    public static final String IMAGE_B = "berth/busybox:chaos";
    public enum Op { CREATE, SCALE, IMAGE, ENV, DELETE }

    private final int id;
    private final List<Gateway> gateways;
    private final Ledger ledger;
    private final Random random;
    private final int workloads;
    private final long giveUpMs;
    private final Map<String, Spec> mine = new HashMap<>();
    private final Map<Op, AtomicInteger> acked = new HashMap<>();
    final AtomicInteger failedAttempts = new AtomicInteger();
    final List<String> gaveUp = new ArrayList<>();
    volatile String lastError = "none";
    private volatile boolean stop;
    private int current;

    /**
     * @param gateways the gateway clients to use in turn (each fails over on a refused connection by itself)
     * @param giveUpMs how long one intent is retried before the client gives up on it (recorded, not acknowledged)
     */
    public ChaosClient(int id, List<Gateway> gateways, Ledger ledger, long seed, int workloads, long giveUpMs) {
        this.id = id;
        this.gateways = List.copyOf(gateways);
        this.ledger = ledger;
        this.random = new Random(seed * 1_000_003L + id);
        this.workloads = workloads;
        this.giveUpMs = giveUpMs;
        for (Op o : Op.values()) acked.put(o, new AtomicInteger());
    }

    /** Ends the run after the intent in flight is acknowledged (or given up). */
    public void stop() {
        stop = true;
    }

    public Map<Op, Integer> acked() {
        Map<Op, Integer> out = new java.util.EnumMap<>(Op.class);
        acked.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    @Override
    public void run() {
        while (!stop) {
            String name = "c" + id + "-w" + random.nextInt(workloads);
            Spec now = mine.get(name);
            Op op = choose(now);
            Spec next = next(op, now);
            if (send(op, name, next)) {
                if (next == null) mine.remove(name);
                else mine.put(name, next);
                ledger.acked(name, next);
                acked.get(op).incrementAndGet();
            }
            pause(500 + random.nextInt(1500)); // the client's pace
        }
    }

    /** What to do to a workload in state {@code now} ({@code null}: absent). */
    private Op choose(Spec now) {
        if (now == null) return Op.CREATE;
        int r = random.nextInt(100);
        if (r < 40) return Op.SCALE;
        if (r < 60) return Op.IMAGE;
        if (r < 85) return Op.ENV;
        return Op.DELETE;
    }

    private Spec next(Op op, Spec now) {
        return switch (op) {
            case CREATE -> new Spec(1 + random.nextInt(2), IMAGE_A, 0);
            case SCALE -> new Spec((now.replicas() + 1 + random.nextInt(2)) % 3, now.image(), now.rev());
            case IMAGE -> new Spec(now.replicas(), now.image().equals(IMAGE_A) ? IMAGE_B : IMAGE_A, now.rev());
            case ENV -> new Spec(now.replicas(), now.image(), now.rev() + 1);
            case DELETE -> null;
        };
    }

    /** Sends one intent until a gateway acknowledges it; false when given up after {@code giveUpMs}. */
    private boolean send(Op op, String name, Spec spec) {
        long deadline = System.currentTimeMillis() + giveUpMs;
        boolean sentBefore = false;
        while (true) {
            Gateway gw = gateways.get(current);
            try {
                switch (op) {
                    case SCALE -> gw.call("PATCH", "/apis/apps/v1/namespaces/default/deployments/" + name + "/scale",
                            "{\"spec\":{\"replicas\":" + spec.replicas() + "}}", "application/merge-patch+json");
                    case DELETE -> gw.call("DELETE", "/apis/apps/v1/namespaces/default/deployments/" + name, null, null);
                    default -> gw.call("POST", "/apis/berth.io/v1/apply?namespace=default", manifest(name, spec), "application/yaml");
                }
                return true;
            } catch (Gateway.ApiException e) {
                // a delete sent before whose answer was lost: the Deployment is gone, which is what was asked
                if (op == Op.DELETE && e.code() == 404 && sentBefore) return true;
                failedAttempts.incrementAndGet();
                lastError = op + " " + name + ": " + e.getMessage();
                if (e.code() == 0 || e.code() >= 500) sentBefore = true;
                current = (current + 1) % gateways.size(); // the other gateway next, as a client would
            }
            if (System.currentTimeMillis() > deadline) {
                synchronized (gaveUp) {
                    gaveUp.add(String.format(Locale.ROOT, "%s %s (%s): %s", op, name, spec == null ? "delete" : spec.describe(), lastError));
                }
                return false;
            }
            pause(300 + random.nextInt(400));
        }
    }

    /** A Deployment of {@code spec}: busybox sleeping, its revision in the env, a short grace so rollouts are quick. */
    public static String manifest(String name, Spec spec) {
        return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name + "\nspec:\n  replicas: " + spec.replicas()
                + "\n  selector:\n    matchLabels: {app: " + name + "}\n  template:\n    metadata:\n      labels: {app: " + name + "}\n"
                + "    spec:\n      terminationGracePeriodSeconds: 1\n      containers:\n      - name: c\n        image: " + spec.image()
                + "\n        command: [\"sleep\", \"86400\"]\n        env:\n        - {name: CHAOS_REV, value: \"" + spec.rev() + "\"}\n";
    }

    private static void pause(long ms) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ms)); // pacing, not waiting on a condition
    }
}

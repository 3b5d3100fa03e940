package io.berth.node.probe;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The probes of one container run, as a pure state machine (kubelet's prober semantics, no I/O,
 * no clock of its own). A new machine is made each time the container starts, so a restart
 * begins from scratch.
 * <ul>
 *   <li>Each probe first runs {@code initialDelay} after the container started, then every
 *       {@code period} (never two of the same kind at once).</li>
 *   <li>A result flips after {@code successThreshold} consecutive successes or
 *       {@code failureThreshold} consecutive failures.</li>
 *   <li>Startup: until it succeeded, liveness and readiness do not run and the container is
 *       neither started nor ready; once it succeeded it never runs again; failing it is fatal.</li>
 *   <li>Liveness: failing it is fatal (the container is killed and goes through its restart policy).</li>
 *   <li>Readiness: unknown until its first threshold is met; without a readiness probe the
 *       container is ready as soon as it is started.</li>
 * </ul>
 * After a fatal outcome nothing runs any more.
 */
public final class ProbeMachine {
    public enum Kind {
        STARTUP("Startup"), LIVENESS("Liveness"), READINESS("Readiness");

        public final String title;

        Kind(String title) {
            this.title = title;
        }
    }

    /** What a probe result changed. */
    public enum Outcome {
        NONE,
        /** the startup probe passed: liveness and readiness begin */
        STARTED,
        /** readiness turned true */
        READY,
        /** readiness turned false */
        UNREADY,
        /** startup or liveness failed its threshold: kill the container (see {@link #fatalMessage()}) */
        KILL
    }

    private static final class Track {
        final ProbeSettings settings;
        long nextAt;
        boolean inFlight;
        int successes;
        int failures;

        Track(ProbeSettings settings, long nextAt) {
            this.settings = settings;
            this.nextAt = nextAt;
        }
    }

    private final Map<Kind, Track> tracks = new EnumMap<>(Kind.class);
    private boolean started;
    /** readiness probe result: null until a threshold was first met */
    private Boolean readiness;
    private boolean dead;
    private String fatalMessage = "";
    private String readinessMessage = "";

    /**
     * @param startedAt when the container started (wall-clock millis): initial delays count from it
     */
    public ProbeMachine(ProbeSettings startup, ProbeSettings liveness, ProbeSettings readiness, long startedAt) {
        if (startup != null) tracks.put(Kind.STARTUP, new Track(startup, startedAt + startup.initialDelayMs()));
        if (liveness != null) tracks.put(Kind.LIVENESS, new Track(liveness, startedAt + liveness.initialDelayMs()));
        if (readiness != null) tracks.put(Kind.READINESS, new Track(readiness, startedAt + readiness.initialDelayMs()));
        this.started = startup == null;
    }

    /** The startup probe passed, or there is none. */
    public boolean started() {
        return started;
    }

    /** Started and, if there is a readiness probe, its result is success. */
    public boolean ready() {
        if (!started || dead) return false;
        return !tracks.containsKey(Kind.READINESS) || Boolean.TRUE.equals(readiness);
    }

    public boolean dead() {
        return dead;
    }

    public boolean has(Kind k) {
        return tracks.containsKey(k);
    }

    /** Why the container must be killed, e.g. {@code Liveness probe failed: HTTP probe failed with statuscode: 500}. */
    public String fatalMessage() {
        return fatalMessage;
    }

    /** The last readiness failure, e.g. {@code Readiness probe failed: HTTP probe failed with statuscode: 404}. */
    public String readinessMessage() {
        return readinessMessage;
    }

    private boolean eligible(Kind k) {
        if (dead) return false;
        return k == Kind.STARTUP ? !started : started;
    }

    /**
     * The probes to run now; each is marked in flight until {@link #onResult} and its next run is
     * scheduled one period after this one.
     */
    public List<Kind> due(long now) {
        List<Kind> out = new ArrayList<>();
        tracks.forEach((k, t) -> {
            if (eligible(k) && !t.inFlight && now >= t.nextAt) {
                t.inFlight = true;
                t.nextAt = now + t.settings.periodMs();
                out.add(k);
            }
        });
        return out;
    }

    /** Earliest time a probe not in flight becomes due; {@link Long#MAX_VALUE} when none will. */
    public long nextWake() {
        long wake = Long.MAX_VALUE;
        for (Map.Entry<Kind, Track> e : tracks.entrySet()) {
            Track t = e.getValue();
            if (eligible(e.getKey()) && !t.inFlight) wake = Math.min(wake, t.nextAt);
        }
        return wake;
    }

    /** Timeout of a kind's probe. */
    public long timeoutMs(Kind k) {
        return tracks.get(k).settings.timeoutMs();
    }

    /** Records one probe's result; {@code message} explains a failure (without the "X probe failed: " prefix). */
    public Outcome onResult(Kind k, boolean success, String message, long now) {
        Track t = tracks.get(k);
        if (t == null) return Outcome.NONE;
        t.inFlight = false;
        if (!eligible(k)) return Outcome.NONE; // a late result after a fatal outcome or after startup passed
        if (success) {
            t.successes++;
            t.failures = 0;
        } else {
            t.failures++;
            t.successes = 0;
        }
        String failure = io.berth.schemas.ProbeMessages.failed(k.title, message);
        switch (k) {
            case STARTUP -> {
                if (success && t.successes >= t.settings.successThreshold()) {
                    started = true;
                    // liveness and readiness begin now (or at their initial delay, whichever is later)
                    for (Kind other : List.of(Kind.LIVENESS, Kind.READINESS)) {
                        Track o = tracks.get(other);
                        if (o != null) o.nextAt = Math.max(o.nextAt, now);
                    }
                    return Outcome.STARTED;
                }
                if (!success && t.failures >= t.settings.failureThreshold()) return kill(failure);
            }
            case LIVENESS -> {
                if (!success && t.failures >= t.settings.failureThreshold()) return kill(failure);
            }
            case READINESS -> {
                if (success && t.successes >= t.settings.successThreshold() && !Boolean.TRUE.equals(readiness)) {
                    readiness = true;
                    readinessMessage = "";
                    return Outcome.READY;
                }
                if (!success) readinessMessage = failure;
                if (!success && t.failures >= t.settings.failureThreshold() && !Boolean.FALSE.equals(readiness)) {
                    readiness = false;
                    return Outcome.UNREADY;
                }
            }
        }
        return Outcome.NONE;
    }

    private Outcome kill(String message) {
        dead = true;
        fatalMessage = message;
        return Outcome.KILL;
    }
}

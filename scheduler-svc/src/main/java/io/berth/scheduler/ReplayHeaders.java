package io.berth.scheduler;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The scheduler's side of the replay contract state-streams' {@code Causes} defines: every record
 * the scheduler writes carries {@value #CAUSE} = the input it was decided on
 * ({@code topic/partition/offset}: a request, or the tick a retry ran on) and {@value #SEEN} = the
 * last offset read on each input lane ({@code berth.placement-requests/0}, {@code berth.ticks/0}).
 * A replayer orders the scheduler's recorded inputs by these and re-runs its placements.
 * {@value #DECIDER} = {@value #SCHEDULER} tells these records from the state-streams controllers'
 * (both write berth.assignments and cause records on berth.ticks).
 */
final class ReplayHeaders {
    static final String CAUSE = "berth.cause";
    static final String SEEN = "berth.seen";
    /** Names the scheduler as the decider, so a replayer of the state-streams controllers leaves these records out. */
    static final String DECIDER = "berth.decider";
    static final String SCHEDULER = "scheduler";

    private final ProcessorContext<?, ?> context;
    private final Map<String, Long> seen = new TreeMap<>();
    private String cause;

    ReplayHeaders(ProcessorContext<?, ?> context) {
        this.context = context;
    }

    /** Called for every input, whatever it leads to. */
    void observe() {
        Optional<RecordMetadata> m = context.recordMetadata();
        if (m.isEmpty()) {
            cause = null;
            return;
        }
        String lane = m.get().topic() + "/" + m.get().partition();
        seen.put(lane, m.get().offset());
        cause = lane + "/" + m.get().offset();
    }

    /** The headers for an output of the input being processed. */
    Headers headers() {
        Headers h = new RecordHeaders();
        if (cause == null) return h;
        h.add(DECIDER, SCHEDULER.getBytes(StandardCharsets.UTF_8));
        h.add(CAUSE, cause.getBytes(StandardCharsets.UTF_8));
        StringBuilder b = new StringBuilder();
        seen.forEach((lane, off) -> b.append(b.length() == 0 ? "" : ",").append(lane).append('=').append(off));
        h.add(SEEN, b.toString().getBytes(StandardCharsets.UTF_8));
        return h;
    }
}

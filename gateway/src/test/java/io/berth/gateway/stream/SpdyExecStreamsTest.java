package io.berth.gateway.stream;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which SPDY streams kubectl before 1.30 opens for an exec, as the kubelet counts them before it starts. */
class SpdyExecStreamsTest {
    @Test
    void shouldExpectTheStreamsTheQueryAsksFor() {
        record Row(boolean stdin, boolean stdout, boolean stderr, boolean tty, Set<String> expected) {}
        for (Row r : new Row[]{
                new Row(false, true, true, false, Set.of("error", "stdout", "stderr")),        // kubectl exec pod -- cmd
                new Row(true, true, true, false, Set.of("error", "stdin", "stdout", "stderr")), // -i
                new Row(true, true, true, true, Set.of("error", "stdin", "stdout", "resize")),  // -it: no stderr with a tty
                new Row(false, true, false, false, Set.of("error", "stdout")),
        }) {
            assertEquals(r.expected(), SpdyExec.expectedStreams(r.stdin(), r.stdout(), r.stderr(), r.tty()), r.toString());
        }
    }
}

package io.berth.node.logs;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LineSplitterTest {
    private final List<String> lines = new ArrayList<>();
    private final LineSplitter splitter = new LineSplitter(lines::add);

    private void feed(String s) {
        splitter.accept(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldJoinALineSplitAcrossFramesAndSplitFramesHoldingSeveralLines() {
        feed("hel");
        feed("lo\nwor");
        feed("ld\r\nbye\n");
        assertEquals(List.of("hello", "world", "bye"), lines);
    }

    @Test
    void shouldEmitATrailingLineWhenTheStreamEnds() {
        feed("no newline");
        splitter.flush();
        splitter.flush();
        assertEquals(List.of("no newline"), lines);
    }

    @Test
    void shouldCutOverlongLines() {
        feed("x".repeat(LineSplitter.MAX_LINE + 10) + "\n");
        assertEquals(2, lines.size());
        assertEquals(LineSplitter.MAX_LINE, lines.get(0).length());
    }
}

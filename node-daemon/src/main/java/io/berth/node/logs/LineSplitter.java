package io.berth.node.logs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Turns Docker's log frames (arbitrary chunks of one stream) into whole lines: a frame may end
 * mid-line and a line may span frames. Very long lines are cut at {@link #MAX_LINE} bytes.
 */
final class LineSplitter {
    static final int MAX_LINE = 16 * 1024;

    private final Consumer<String> sink;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    LineSplitter(Consumer<String> sink) {
        this.sink = sink;
    }

    synchronized void accept(byte[] chunk) {
        for (byte b : chunk) {
            if (b == '\n') emit();
            else {
                pending.write(b);
                if (pending.size() >= MAX_LINE) emit();
            }
        }
    }

    /** Emits a trailing line without newline (the stream ended). */
    synchronized void flush() {
        if (pending.size() > 0) emit();
    }

    private void emit() {
        String line = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
        sink.accept(line);
    }
}

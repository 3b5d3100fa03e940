package io.berth.node.logs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One line of Docker's json-file log driver: {@code {"log":"hello\n","stream":"stdout","time":"2026-12-04T02:51:49.123456789Z"}}.
 * {@code log} is a chunk of the container's output: a whole line with its newline, or (for lines
 * over 16 KiB) a piece without one, continued by the next entry of the same stream.
 */
record JsonLogEntry(String stream, String log, long timeMillis) {
    private static final JsonFactory JSON = new JsonFactory();

    /** Parses one entry; null when it is not a json-file entry (a torn write, garbage). */
    static JsonLogEntry parse(byte[] buf, int off, int len) {
        String stream = null, log = null, time = null;
        try (JsonParser p = JSON.createParser(buf, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                switch (name) {
                    case "log" -> log = p.getText();
                    case "stream" -> stream = p.getText();
                    case "time" -> time = p.getText();
                    default -> { }
                }
            }
        } catch (IOException e) {
            return null;
        }
        if (log == null) return null;
        long at = 0;
        if (time != null) {
            try {
                at = Instant.parse(time).toEpochMilli();
            } catch (DateTimeParseException ignored) {
                // keep 0: the shipper stamps it
            }
        }
        return new JsonLogEntry("stderr".equals(stream) ? "stderr" : "stdout", log, at);
    }
}

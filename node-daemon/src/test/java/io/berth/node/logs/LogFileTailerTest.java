package io.berth.node.logs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The json-file tailer on files written as Docker's json-file driver writes them. */
class LogFileTailerTest {
    @TempDir
    Path dir;

    private final List<String> got = new ArrayList<>();

    private LogFileTailer tailer(Path file, long since) {
        return new LogFileTailer(file, since, (stream, line, at) -> got.add(stream + "|" + line + "|" + at));
    }

    private static String entry(String log, String stream, String time) {
        return "{\"log\":\"" + log + "\",\"stream\":\"" + stream + "\",\"time\":\"" + time + "\"}\n";
    }

    private static void append(Path f, String s) throws IOException {
        Files.writeString(f, s, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void shipsEachLineWithItsStreamAndTime() throws IOException {
        Path f = dir.resolve("c-json.log");
        append(f, entry("hello\\n", "stdout", "2026-12-04T02:00:00.5Z") + entry("oops \\\"quoted\\\"\\n", "stderr", "2026-12-04T02:00:01Z"));
        LogFileTailer t = tailer(f, 0);
        assertTrue(t.poll());
        assertEquals(List.of("stdout|hello|1796349600500", "stderr|oops \"quoted\"|1796349601000"), got);
        assertTrue(t.poll());
        assertEquals(2, got.size(), "nothing new, nothing shipped");
    }

    @Test
    void waitsForAnEntryWrittenInTwoPiecesAndJoinsSplitLines() throws IOException {
        Path f = dir.resolve("c-json.log");
        String whole = entry("part one ", "stdout", "2026-12-04T02:00:00Z");
        append(f, whole.substring(0, 20));
        LogFileTailer t = tailer(f, 0);
        t.poll();
        assertEquals(List.of(), got, "a torn entry waits for its newline");
        append(f, whole.substring(20)); // Docker splits lines over 16 KiB: pieces without "\n" in "log"
        t.poll();
        assertEquals(List.of(), got, "a line without its newline waits for the rest");
        append(f, entry("and two\\n", "stdout", "2026-12-04T02:00:00.1Z"));
        t.poll();
        assertEquals(List.of("stdout|part one and two|1796349600100"), got);
    }

    @Test
    void skipsEntriesBeforeSince() throws IOException {
        Path f = dir.resolve("c-json.log");
        append(f, entry("old\\n", "stdout", "2026-12-04T01:59:59Z") + entry("new\\n", "stdout", "2026-12-04T02:00:00Z"));
        LogFileTailer t = tailer(f, 1796349600000L);
        t.poll();
        assertEquals(List.of("stdout|new|1796349600000"), got);
    }

    @Test
    void followsRotationReadingTheRestOfTheRenamedFileFirst() throws IOException {
        Path f = dir.resolve("c-json.log");
        append(f, entry("a\\n", "stdout", "2026-12-04T02:00:00Z"));
        LogFileTailer t = tailer(f, 0);
        t.poll();
        append(f, entry("b\\n", "stdout", "2026-12-04T02:00:01Z"));
        Files.move(f, dir.resolve("c-json.log.1")); // the engine's max-size rotation
        append(f, entry("c\\n", "stdout", "2026-12-04T02:00:02Z"));
        assertTrue(t.poll());
        assertEquals(List.of("stdout|a|1796349600000", "stdout|b|1796349601000", "stdout|c|1796349602000"), got);
    }

    @Test
    void startsOverAfterTruncation() throws IOException {
        Path f = dir.resolve("c-json.log");
        append(f, entry("first line that is long\\n", "stdout", "2026-12-04T02:00:00Z"));
        LogFileTailer t = tailer(f, 0);
        t.poll();
        Files.writeString(f, entry("x\\n", "stdout", "2026-12-04T02:00:03Z"));
        t.poll();
        assertEquals(List.of("stdout|first line that is long|1796349600000", "stdout|x|1796349603000"), got);
    }

    @Test
    void endsWhenTheFileIsDeletedFlushingAPartialLine() throws IOException {
        Path f = dir.resolve("c-json.log");
        append(f, entry("no newline", "stdout", "2026-12-04T02:00:00Z"));
        LogFileTailer t = tailer(f, 0);
        assertTrue(t.poll());
        Files.delete(f); // the container was removed
        assertFalse(t.poll());
        assertEquals(List.of("stdout|no newline|1796349600000"), got);
    }

    @Test
    void ignoresGarbageLines() throws IOException {
        Path f = dir.resolve("c-json.log");
        append(f, "not json\n{\"stream\":\"stdout\"}\n" + entry("ok\\n", "stdout", "2026-12-04T02:00:00Z"));
        LogFileTailer t = tailer(f, 0);
        t.poll();
        assertEquals(List.of("stdout|ok|1796349600000"), got);
    }
}

package io.berth.node.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

/**
 * Tails one container's json-file log as kubelet and Fluent Bit do: no Docker API connection is
 * held, however many containers run. Each {@link #poll} reads what was appended since the last one
 * and hands every whole output line to the sink, in file order, through a {@link LineSplitter}
 * per stream (so a line Docker split into 16 KiB entries comes out whole). Entries older than
 * {@code sinceMillis} are skipped (Docker's {@code since}).
 *
 * <p>Rotation ({@code max-size}: the engine renames the file to {@code .1} and opens a new one):
 * the open channel still reads the renamed file, so its rest is read to the end before the new
 * file is opened at offset 0. Truncation starts over at 0. The file gone (container removed): the
 * rest is read, partial lines flushed, and {@link #poll} returns false. Not thread-safe: one
 * poller thread owns it.
 */
final class LogFileTailer implements AutoCloseable {
    /** Receives each whole line with its stream and the engine's timestamp of its last piece. */
    interface Sink {
        void line(String stream, String line, long timeMillis);
    }

    private static final int CHUNK = 64 * 1024;
    /** An entry longer than this without a newline is garbage: dropped, so memory stays bounded. */
    private static final int MAX_ENTRY = 1024 * 1024;

    private final Path path;
    private final long sinceMillis;
    private final Sink sink;
    private final LineSplitter out;
    private final LineSplitter err;
    private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
    private byte[] pending = new byte[0];
    private FileChannel channel;
    private Object fileKey;
    private long currentTime;

    LogFileTailer(Path path, long sinceMillis, Sink sink) {
        this.path = path;
        this.sinceMillis = sinceMillis;
        this.sink = sink;
        this.out = new LineSplitter(l -> sink.line("stdout", l, currentTime));
        this.err = new LineSplitter(l -> sink.line("stderr", l, currentTime));
    }

    Path path() {
        return path;
    }

    /** Reads what was appended; false once the file is gone for good (everything read and flushed). */
    boolean poll() throws IOException {
        if (channel == null && !open()) return finish();
        Object key = keyOf(path);
        if (key == null) {
            drain();
            return finish();
        }
        if (!key.equals(fileKey)) { // rotated: finish the renamed file through the open channel
            drain();
            channel.close();
            channel = null;
            pending = new byte[0];
            if (!open()) return finish();
        } else if (channel.size() < channel.position()) { // truncated (copytruncate): start over
            channel.position(0);
            pending = new byte[0];
        }
        drain();
        return true;
    }

    private boolean open() throws IOException {
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
            fileKey = keyOf(path);
            if (fileKey == null) fileKey = path; // no inode on this file system: rotation goes unseen
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static Object keyOf(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return a.fileKey() != null ? a.fileKey() : p;
        } catch (IOException e) {
            return null;
        }
    }

    private void drain() throws IOException {
        while (true) {
            buffer.clear();
            int n = channel.read(buffer);
            if (n <= 0) return;
            byte[] data = new byte[pending.length + n];
            System.arraycopy(pending, 0, data, 0, pending.length);
            System.arraycopy(buffer.array(), 0, data, pending.length, n);
            int start = 0;
            for (int i = 0; i < data.length; i++) {
                if (data[i] != '\n') continue;
                entry(data, start, i - start);
                start = i + 1;
            }
            pending = Arrays.copyOfRange(data, start, data.length);
            if (pending.length > MAX_ENTRY) pending = new byte[0];
        }
    }

    private void entry(byte[] data, int off, int len) {
        if (len == 0) return;
        JsonLogEntry e = JsonLogEntry.parse(data, off, len);
        if (e == null) return;
        if (e.timeMillis() != 0 && e.timeMillis() < sinceMillis) return;
        currentTime = e.timeMillis() != 0 ? e.timeMillis() : System.currentTimeMillis();
        ("stderr".equals(e.stream()) ? err : out).accept(e.log().getBytes(StandardCharsets.UTF_8));
    }

    private boolean finish() {
        out.flush();
        err.flush();
        close();
        return false;
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to read
            }
            channel = null;
        }
    }
}

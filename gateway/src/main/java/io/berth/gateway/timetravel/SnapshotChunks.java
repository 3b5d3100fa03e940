package io.berth.gateway.timetravel;

import io.berth.schemas.avro.AuditSnapshot;
import io.berth.schemas.avro.AuditSnapshotEntry;

import java.util.*;

/**
 * Cuts a fold into {@link AuditSnapshot} chunks below Kafka's 1 MB record limit, and puts chunks back
 * together. Deterministic: the same fold at the same partition and offset gives the same chunks (keys
 * in order, cut at the same byte budget), so two gateways writing one snapshot write equal records.
 */
public final class SnapshotChunks {
    /** Payload budget of one chunk: half of Kafka's default 1 MB, leaving room for Avro framing. */
    public static final int CHUNK_BYTES = 512 * 1024;

    private SnapshotChunks() {}

    /** Record key of a chunk: {@code <partition>/<offset, zero-padded>/<chunk>}, so keys sort by offset. */
    public static String key(int partition, long offset, int chunk) {
        return partition + "/" + String.format("%019d", offset) + "/" + chunk;
    }

    public static List<AuditSnapshot> cut(int partition, long offset, AuditFold fold) {
        List<List<AuditSnapshotEntry>> groups = new ArrayList<>();
        List<AuditSnapshotEntry> current = new ArrayList<>();
        long bytes = 0;
        for (Map.Entry<String, AuditFold.Latest> e : fold.views().entrySet()) {
            AuditFold.Latest l = e.getValue();
            long size = e.getKey().length() + l.viewType().length() + (long) l.after().length() * 3 / 2 + 24;
            if (!current.isEmpty() && bytes + size > CHUNK_BYTES) {
                groups.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(new AuditSnapshotEntry(e.getKey(), l.viewType(), l.after(), l.timestamp()));
            bytes += size;
        }
        groups.add(current);
        List<AuditSnapshot> out = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            out.add(new AuditSnapshot(partition, offset, fold.maxTimestamp(), fold.records(), i, groups.size(), groups.get(i)));
        }
        return out;
    }

    /** A fold from a complete set of chunks of one snapshot (any order, duplicates allowed). */
    public static AuditFold restore(Collection<AuditSnapshot> chunks) {
        AuditFold fold = new AuditFold();
        long max = 0, records = 0;
        for (AuditSnapshot c : chunks) {
            for (AuditSnapshotEntry e : c.getEntries()) fold.restore(e.getKey(), new AuditFold.Latest(e.getViewType(), e.getAfter(), e.getTimestamp()));
            max = Math.max(max, c.getMaxTimestamp());
            records = c.getRecords();
        }
        fold.restoreCounters(max, records);
        return fold;
    }

    /** Whether {@code chunks} (of one snapshot) has every chunk 0..chunks-1. */
    public static boolean complete(Collection<AuditSnapshot> chunks) {
        if (chunks.isEmpty()) return false;
        int n = chunks.iterator().next().getChunks();
        Set<Integer> seen = new HashSet<>();
        for (AuditSnapshot c : chunks) if (c.getChunk() < n) seen.add(c.getChunk());
        return seen.size() == n;
    }
}

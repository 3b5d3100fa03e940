package io.berth.state;

import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

import java.util.Map;

/**
 * One memory budget for every RocksDB store of the process, as Kafka Streams' memory-management
 * guide recommends ("BoundedMemoryRocksDBConfig"): a single LRU block cache shared by all stores,
 * with their memtables charged to it through one {@link WriteBufferManager}, and index and filter
 * blocks kept in that cache too. Without it each store instance gets its own 50 MB block cache and
 * up to three 16 MB memtables: state-streams has ~10 stores on each of its partitions plus the global
 * ones, so the off-heap use of the all-in-one grew with partitions and data, not with a setting.
 *
 * <p>The budget is {@code rocksdb-memory-mb} (default {@value #DEFAULT_MB}, memtables at most half of
 * it), passed to Streams as {@link #BYTES_CONFIG}. The cache and the manager are shared for the life of
 * the process and never closed by a store (the guide's rule): a process has one budget, the first
 * store's.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {
    /** The Streams property carrying the budget, in bytes. */
    public static final String BYTES_CONFIG = "berth.rocksdb.memory.bytes";
    /** Berth's setting, in MiB. */
    public static final String MB_KEY = "rocksdb-memory-mb";
    public static final long DEFAULT_MB = 64;
    /** The share of the cache kept for index and filter blocks (high priority). */
    private static final double INDEX_FILTER_RATIO = 0.1;

    private record Shared(long bytes, Cache cache, WriteBufferManager buffers) {}

    private static Shared shared;

    private static synchronized Shared shared(long bytes) {
        if (shared == null) {
            Cache cache = new LRUCache(bytes, -1, false, INDEX_FILTER_RATIO);
            shared = new Shared(bytes, cache, new WriteBufferManager(bytes / 2, cache));
        }
        return shared;
    }

    /** The budget of this process's stores (the first store's), or 0 before any store was opened. */
    static synchronized long budgetInUse() {
        return shared == null ? 0 : shared.bytes();
    }

    /** The budget the store settings ask for: {@link #BYTES_CONFIG}, else the default. */
    static long bytes(Map<String, Object> configs) {
        Object v = configs.get(BYTES_CONFIG);
        long bytes = v == null ? DEFAULT_MB << 20 : Long.parseLong(v.toString().trim());
        if (bytes < 8L << 20) throw new IllegalArgumentException(MB_KEY + " must be at least 8, was " + (bytes >> 20));
        return bytes;
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Shared s = shared(bytes(configs));
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(s.cache());
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(s.buffers());
        // Small memtables, so that the manager's share holds the many stores' memtables at once. When their sum
        // passes it, the manager flushes whichever store is written next, however little its memtable holds; and
        // every store that holds anything keeps at least one arena block (an eighth of its memtable size) however
        // idle. With 8 MB memtables (1 MB blocks) the ~60 store instances of an all-in-one passed a 32 MB share with
        // their idle blocks alone: every write flushed, the tasks stores wrote thousands of tiny files, and
        // placing 30,000 tasks took 109 s instead of 66 s. 1/32 of the budget (2 MB, 256 KB blocks at 64 MB) keeps
        // the idle blocks well under the share; a third memtable (Kafka Streams' default) lets a store go on
        // writing while two wait for their flush.
        options.setWriteBufferSize(Math.max(1L << 20, s.bytes() / 32));
        options.setMaxWriteBufferNumber(3);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // shared by every store of the process: closing it here would pull it from under the others
    }
}

package io.berth.state;

import io.berth.schemas.service.BerthConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The RocksDB budget: the service sets it for every store (the topology tests' {@link Harness} opens
 * every store with it), configurable, refused when too small to hold a memtable.
 */
class BoundedRocksDbMemoryTest {
    @Test
    void theServiceGivesEveryStoreOneBudget() throws Exception {
        BerthConfig config = BerthConfig.of("127.0.0.1:1", "http://127.0.0.1:1", java.nio.file.Files.createTempDirectory("rocks"))
                .with("rocksdb-memory-mb", "96");
        Properties p = StateStreamsService.streamsProps(config, new io.berth.registry.client.InMemorySchemaRegistryClient());
        assertEquals(BoundedRocksDbMemory.class, p.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG));
        assertEquals(96L << 20, BoundedRocksDbMemory.bytes(Map.of(BoundedRocksDbMemory.BYTES_CONFIG, p.get(BoundedRocksDbMemory.BYTES_CONFIG))));
    }

    @Test
    void theDefaultIs64MiBAndLessThan8IsRefusedByName() {
        assertEquals(64L << 20, BoundedRocksDbMemory.bytes(Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BoundedRocksDbMemory.bytes(Map.of(BoundedRocksDbMemory.BYTES_CONFIG, Long.toString(4L << 20))));
        assertTrue(e.getMessage().contains("rocksdb-memory-mb"), e.getMessage());
    }

    /**
     * The memtable manager's share (half the budget) holds 16 full memtables and 128 stores' idle arena
     * blocks: with 8 MB memtables, the idle blocks of an all-in-one's ~60 stores alone passed the share and
     * every write flushed (thousands of tiny files; placement at half speed).
     */
    @Test
    void memtablesAreSmallEnoughForTheShareToHoldManyStores() {
        org.rocksdb.RocksDB.loadLibrary();
        try (org.rocksdb.Options o = new org.rocksdb.Options()) {
            o.setTableFormatConfig(new org.rocksdb.BlockBasedTableConfig());
            new BoundedRocksDbMemory().setConfig("tasks", o, Map.of(BoundedRocksDbMemory.BYTES_CONFIG, Long.toString(64L << 20)));
            long budget = BoundedRocksDbMemory.budgetInUse();
            assertTrue(budget >= 8L << 20, "a budget is in use: " + budget);
            long share = budget / 2;
            assertTrue(o.writeBufferSize() * 16 <= share, o.writeBufferSize() + " bytes a memtable, share " + share);
            assertTrue(o.writeBufferSize() >= 1L << 20, o.writeBufferSize() + " bytes a memtable");
            long arenaBlock = o.arenaBlockSize() > 0 ? o.arenaBlockSize() : o.writeBufferSize() / 8;
            assertTrue(arenaBlock * 128 <= share, arenaBlock + " bytes an arena block, share " + share);
            assertEquals(3, o.maxWriteBufferNumber());
        }
    }
}

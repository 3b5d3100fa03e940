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
}

package io.berth.ops.kubectl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionOptionsTest {

    @Test
    void shouldFindTheStateFileUnderBerthHomeOrTheUsersHome() {
        assertEquals(Path.of("/opt/berth/berth.properties"), ConnectionOptions.stateFilePath(Map.of("BERTH_HOME", "/opt/berth"), "/home/a"));
        assertEquals(Path.of("/home/a/.berth/berth.properties"), ConnectionOptions.stateFilePath(Map.of(), "/home/a"));
    }

    @Test
    void shouldReadTheLaunchersStateFileAndToleratesItsAbsence(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("berth.properties");
        assertTrue(ConnectionOptions.read(file).isEmpty());
        Files.writeString(file, "bootstrap.servers=127.0.0.1:39092\nregistry.url=http://127.0.0.1:38081\n");
        assertEquals("127.0.0.1:39092", ConnectionOptions.read(file).getProperty("bootstrap.servers"));
        assertEquals("http://127.0.0.1:38081", ConnectionOptions.read(file).getProperty("registry.url"));
    }

    @Test
    void shouldPreferExplicitOptions() {
        ConnectionOptions o = new ConnectionOptions();
        o.bootstrapServers = "b:1";
        o.registryUrl = "http://r:2";
        assertEquals("b:1", o.bootstrapServers());
        assertEquals("http://r:2", o.registryUrl());
    }
}

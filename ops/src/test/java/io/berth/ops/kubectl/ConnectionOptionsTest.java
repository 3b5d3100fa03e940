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
    void shouldFindTheStateUnderBerthHomeThenBerthDataDirThenTheUsersHome() {
        assertEquals(Path.of("/opt/berth/berth.properties"),
                ConnectionOptions.stateFilePath(Map.of("BERTH_HOME", "/opt/berth", "BERTH_DATA_DIR", "/data"), "/home/a"));
        assertEquals(Path.of("/data"), ConnectionOptions.stateDir(Map.of("BERTH_DATA_DIR", "/data"), "/home/a"));
        assertEquals(Path.of("/home/a/.berth/berth.properties"), ConnectionOptions.stateFilePath(Map.of(), "/home/a"));
    }

    @Test
    void shouldReadTheStatePropertiesAndTolerateTheirAbsence(@TempDir Path dir) throws Exception {
        assertTrue(ConnectionOptions.read(dir).isEmpty());
        Files.writeString(dir.resolve("berth.properties"), "bootstrap.servers=127.0.0.1:39092\nregistry.url=http://127.0.0.1:38081\n");
        assertEquals("127.0.0.1:39092", ConnectionOptions.read(dir).getProperty("bootstrap.servers"));
        assertEquals("http://127.0.0.1:38081", ConnectionOptions.read(dir).getProperty("registry.url"));
    }

    @Test
    void shouldFallBackToTheLaunchersBerthJsonWhileItsProcessLives(@TempDir Path dir) throws Exception {
        long me = ProcessHandle.current().pid();
        Files.writeString(dir.resolve("berth.json"),
                "{\"pid\":" + me + ",\"bootstrapServers\":\"127.0.0.1:40000\",\"registryUrl\":\"http://127.0.0.1:40001\"}");
        assertEquals("127.0.0.1:40000", ConnectionOptions.read(dir).getProperty("bootstrap.servers"));
        assertEquals("http://127.0.0.1:40001", ConnectionOptions.read(dir).getProperty("registry.url"));

        Files.writeString(dir.resolve("berth.json"), "{\"pid\":999999999,\"bootstrapServers\":\"127.0.0.1:40000\"}");
        assertTrue(ConnectionOptions.read(dir).isEmpty(), "a stopped launcher's file is ignored");
    }

    @Test
    void shouldFindTheGatewayOfTheRunningLauncher(@TempDir Path dir) throws Exception {
        long me = ProcessHandle.current().pid();
        Files.writeString(dir.resolve("berth.json"), "{\"pid\":" + me + ",\"gatewayUrl\":\"http://127.0.0.1:47070\"}");
        assertEquals("http://127.0.0.1:47070", ConnectionOptions.read(dir).getProperty("gateway.url"));
        ConnectionOptions o = new ConnectionOptions();
        o.server = "127.0.0.1:7071/";
        assertEquals("http://127.0.0.1:7071", o.server(), "a scheme is added and a trailing slash dropped");
    }

    @Test
    void shouldPreferExplicitOptionsAndTryEveryListedGatewayInOrder() {
        ConnectionOptions o = new ConnectionOptions();
        o.server = "https://g1:6443, g2:7070";
        o.token = " t0k3n ";
        assertEquals(java.util.List.of("https://g1:6443", "http://g2:7070"), o.servers());
        assertEquals("https://g1:6443", o.server());
        assertEquals("t0k3n", o.token());
    }
}

package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.gateway.view.ViewFixtures;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.service.BerthConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 13 item 7: the gateway cannot be exhausted. A real broker and the real gateway with its caps
 * set low: connections over the cap are refused with a 429 Status, an idle connection is closed,
 * watches over a principal's cap are 429, a watcher that reads nothing is dropped (counted, its
 * queue bounded) instead of buffered, a multipart upload is refused and nothing is written to disk,
 * and a log read without {@code tailLines} is bounded by {@code limitBytes}.
 */
class GatewayCapsTest extends GatewayApiFixture {
    static final int MAX_CONNECTIONS = 12;

    @Override
    boolean withStateStreams() {
        return false;
    }

    @Override
    BerthConfig configure(BerthConfig config) {
        return config.with(Caps.MAX_CONNECTIONS, Integer.toString(MAX_CONNECTIONS)).with(Caps.IDLE_TIMEOUT, "6")
                .with(Caps.MAX_WATCHES_PER_USER, "2").with(Caps.WATCH_QUEUE_BYTES, "65536")
                .with(Caps.MAX_LOG_READERS, "2").with(Caps.LOG_LIMIT_BYTES, "1000")
                .with(Caps.MAX_BODY_BYTES, "262144").with("gateway-event-loops", "1");
    }

    /** A raw connection: what a client that misbehaves can do (send nothing, read nothing). */
    Socket connect() throws Exception {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.setSoTimeout(20_000);
        s.connect(new InetSocketAddress("127.0.0.1", gateway.port()));
        return s;
    }

    static void send(Socket s, String request) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    static String httpGet(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n";
    }

    /** Reads until the end of the response's headers. */
    static String head(Socket s) throws Exception {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (!b.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) break;
            b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads until the server closes the connection (or 20 s pass: SocketTimeoutException). */
    static String rest(Socket s) throws Exception {
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldRefuseConnectionsOverTheCapWithATooManyRequestsStatus() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            // fill the cap (other connections of this test class count too)
            while (gateway.caps().connections() < MAX_CONNECTIONS) {
                // counted by opens, not by the open count: another connection of this class closing at the same
                // moment (idle timeout 6 s here) would leave the count unchanged although ours was taken
                long before = gateway.caps().openedConnections();
                Socket s = connect();
                held.add(s);
                // a request whose body never comes (the server sets a connection up once it read a request's head:
                // it may ask to upgrade to HTTP/2)
                send(s, "POST /apis/berth.io/v1/apply HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN
                        + "\r\nContent-Type: application/yaml\r\nContent-Length: 1000\r\n\r\n");
                eventually(() -> gateway.caps().openedConnections() > before);
            }
            long refusedBefore = gateway.caps().refusedConnections();
            try (Socket over = connect()) {
                send(over, httpGet("/api/v1/namespaces/default/pods"));
                String head = head(over);
                assertTrue(head.startsWith("HTTP/1.1 429"), head);
                assertTrue(head.toLowerCase().contains("retry-after: 1"), head);
                String body = rest(over); // and the connection is closed after the answer
                JsonNode status = JSON.readTree(body.trim());
                assertEquals("Status", status.path("kind").asText());
                assertEquals("TooManyRequests", status.path("reason").asText());
                assertEquals(429, status.path("code").asInt());
                assertTrue(status.path("message").asText().contains(Caps.MAX_CONNECTIONS), body);
                assertEquals(1, status.path("details").path("retryAfterSeconds").asInt());
            }
            assertEquals(refusedBefore + 1, gateway.caps().refusedConnections());
        } finally {
            for (Socket s : held) s.close();
        }
        eventually(() -> gateway.caps().connections() < MAX_CONNECTIONS);
        assertEquals(200, get("/api/v1/namespaces/default/pods").statusCode(), "served again once connections closed");
    }

    @Test
    void shouldCloseAnIdleConnection() throws Exception {
        try (Socket idle = connect()) {
            // sends nothing: the server closes it after gateway-idle-timeout-seconds (6 s here); read sees the end
            assertEquals(-1, idle.getInputStream().read());
        }
        try (Socket kept = connect()) {
            // a keep-alive connection idle after a request is closed the same way
            send(kept, httpGet("/version"));
            assertTrue(head(kept).startsWith("HTTP/1.1 200"));
            byte[] rest = kept.getInputStream().readAllBytes(); // the body, then the end of the stream
            assertTrue(new String(rest, StandardCharsets.UTF_8).contains("gitVersion"));
        }
    }

    @Test
    void shouldRefuseAWatchOverThePrincipalsCapWith429() throws Exception {
        eventually(() -> gateway.caps().watches() == 0);
        try (Watch a = new Watch("/api/v1/namespaces/capped/pods?watch=true");
             Watch b = new Watch("/api/v1/namespaces/capped/services?watch=true")) {
            assertEquals(200, a.status);
            assertEquals(200, b.status);
            HttpResponse<String> third = get("/api/v1/namespaces/capped/pods?watch=true");
            assertEquals(429, third.statusCode(), third.body());
            assertEquals("1", third.headers().firstValue("Retry-After").orElse(null));
            JsonNode status = JSON.readTree(third.body());
            assertEquals("TooManyRequests", status.path("reason").asText());
            assertEquals("user \"" + USER + "\" has 2 watches open (" + Caps.MAX_WATCHES_PER_USER + "): too many requests, please try again later",
                    status.path("message").asText());
            assertEquals(2, gateway.caps().watches());
            assertEquals(200, get("/api/v1/namespaces/capped/pods").statusCode(), "lists are not watches");
        }
        // closing a watch gives its slot back
        eventually(() -> gateway.caps().watches() == 0);
        try (Watch again = new Watch("/api/v1/namespaces/capped/pods?watch=true")) {
            assertEquals(200, again.status);
        }
    }

    @Test
    void shouldDropAWatcherThatReadsNothingInsteadOfBufferingForIt() throws Exception {
        eventually(() -> gateway.caps().watches() == 0);
        long droppedBefore = gateway.caps().droppedWatchers();
        int watchersBefore = gateway.viewCache().watcherCount();
        try (Socket slow = connect()) {
            send(slow, httpGet("/api/v1/namespaces/slow/pods?watch=true"));
            assertTrue(head(slow).startsWith("HTTP/1.1 200"));
            eventually(() -> gateway.viewCache().watcherCount() == watchersBefore + 1);
            // ~12 MB of changes for it, far more than its 64 KiB queue plus the sockets' buffers; it reads none of them
            Map<String, String> labels = new HashMap<>();
            for (int l = 0; l < 20; l++) labels.put("label-" + l, "v".repeat(60));
            for (int i = 0; i < 4000; i++) {
                TaskView t = TaskView.newBuilder(ViewFixtures.task("slow-" + i, TaskPhase.RUNNING, true, "n1")).setNamespace("slow")
                        .setLabels(labels).setWorkloadKey("slow/deployment/slow").build();
                producer.send(new ProducerRecord<>(Topics.TASKS.name(), t.getTaskId(), serdes.value(Topics.TASKS).serialize(Topics.TASKS.name(), t)));
            }
            producer.flush();
            eventually(() -> gateway.caps().droppedWatchers() == droppedBefore + 1);
            eventually(() -> gateway.viewCache().watcherCount() == watchersBefore);
            assertEquals(0, gateway.caps().watches(), "its watch slot is given back");
            // what it was sent before the drop ends with the ERROR event, as the API server ends a watch it gives up on
            String got = rest(slow);
            assertTrue(got.contains("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\""), got.length() > 300 ? got.substring(got.length() - 300) : got);
            assertTrue(got.contains("\"reason\":\"Expired\""));
            assertTrue(got.length() < 12_000_000, "the gateway did not keep everything for it: " + got.length() + " bytes");
        }
        // the cache went on reading past it: every pod is there (read from the cache, not as a 12 MB list: the
        // machine may be busy; a deadline of 60 s)
        eventually(() -> gateway.caps().watches() == 0);
        long deadline = System.currentTimeMillis() + 60_000;
        while (gateway.viewCache().list(Topics.TASKS, "Pod", "slow", Map.of()).items().size() < 4000) {
            assertTrue(System.currentTimeMillis() < deadline, "the view cache did not read the 4000 pods in 60 s");
            Thread.sleep(100);
        }
    }

    @Test
    void shouldRefuseMultipartUploadsAndWriteNothingToDisk() throws Exception {
        Path uploads = Path.of("file-uploads").toAbsolutePath();
        assertFalse(Files.exists(uploads), "left from an earlier run: " + uploads);
        String boundary = "berthboundary";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.yaml\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n" + "x".repeat(100_000) + "\r\n--" + boundary + "--\r\n";
        HttpResponse<String> r = http.send(request("/apis/berth.io/v1/apply")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(415, r.statusCode(), r.body());
        // an apply that does go through the body handler writes no upload either
        HttpResponse<String> apply = http.send(request("/apis/berth.io/v1/apply?wait=false").header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: uploads\n")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(apply.statusCode() < 300, apply.body());
        // and a body over the limit is a 413 Status, not an error
        HttpResponse<String> big = http.send(request("/apis/berth.io/v1/apply").header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString("# " + "x".repeat(300_000) + "\n")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, big.statusCode(), big.body());
        assertEquals("RequestEntityTooLarge", JSON.readTree(big.body()).path("reason").asText());
        assertFalse(Files.exists(uploads), "an upload was written to " + uploads);
    }

    /** A log read once the earlier readers are gone (a reader holds its slot until its consumer is closed). */
    HttpResponse<String> log(String path) throws Exception {
        eventually(() -> gateway.caps().logReaders() == 0);
        return get(path);
    }

    @Test
    void shouldBoundALogReadWithoutTailLines() throws Exception {
        for (int i = 0; i < 100; i++) {
            producer.send(new ProducerRecord<>(Topics.LOGS.name(), "chatty", serdes.value(Topics.LOGS).serialize(Topics.LOGS.name(),
                    LogLine.newBuilder().setTaskId("chatty").setPodName("chatty").setNamespace("default").setContainer("web")
                            .setLine(String.format("line %03d %s", i, "-".repeat(40))).setTimestamp(System.currentTimeMillis()).setNodeId("n1").build())));
        }
        producer.flush();
        String last = String.format("line %03d %s\n", 99, "-".repeat(40));
        eventually(() -> {
            try {
                return log("/api/v1/namespaces/default/pods/chatty/log").body().endsWith(last);
            } catch (Exception e) {
                return false;
            }
        });
        // 100 lines of 50 bytes: without tailLines the gateway sends the newest lines within gateway-log-limit-bytes (1000)
        String all = log("/api/v1/namespaces/default/pods/chatty/log").body();
        assertEquals(1000, all.length(), all);
        assertTrue(all.startsWith("line 080 "), all);
        assertEquals(100, log("/api/v1/namespaces/default/pods/chatty/log?limitBytes=120").body().length(), "whole lines only: two of 50 bytes");
        assertEquals(1000, log("/api/v1/namespaces/default/pods/chatty/log?limitBytes=100000").body().length(), "the setting is also the ceiling");
        assertEquals("line 098 " + "-".repeat(40) + "\n" + last, log("/api/v1/namespaces/default/pods/chatty/log?tailLines=2").body());
        HttpResponse<String> bad = log("/api/v1/namespaces/default/pods/chatty/log?limitBytes=lots");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("limitBytes: Invalid value: \\\"lots\\\""), bad.body());
    }

    @Test
    void shouldRefuseALogReaderOverTheCap() throws Exception {
        eventually(() -> gateway.caps().logReaders() == 0);
        producer.send(new ProducerRecord<>(Topics.LOGS.name(), "followed", serdes.value(Topics.LOGS).serialize(Topics.LOGS.name(),
                LogLine.newBuilder().setTaskId("followed").setPodName("followed").setNamespace("default").setContainer("web")
                        .setLine("hello").setTimestamp(System.currentTimeMillis()).setNodeId("n1").build()))).get();
        List<InputStream> followers = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                HttpResponse<InputStream> f = http.send(request("/api/v1/namespaces/default/pods/followed/log?follow=true").build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, f.statusCode());
                followers.add(f.body());
            }
            HttpResponse<String> third = get("/api/v1/namespaces/default/pods/followed/log?follow=true");
            assertEquals(429, third.statusCode(), third.body());
            assertTrue(JSON.readTree(third.body()).path("message").asText().contains(Caps.MAX_LOG_READERS), third.body());
        } finally {
            for (InputStream in : followers) in.close();
        }
        eventually(() -> gateway.caps().logReaders() == 0);
    }
}

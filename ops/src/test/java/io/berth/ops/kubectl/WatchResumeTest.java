package io.berth.ops.kubectl;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code get -w} resumes a dropped watch from the resourceVersion of the last event it saw: nothing lost, nothing twice. */
class WatchResumeTest {

    static String pod(String name, String rv, String phase) {
        return "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\",\"resourceVersion\":\"" + rv
                + "\",\"creationTimestamp\":\"2026-11-22T05:00:00Z\"},\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":\"" + phase + "\"}}";
    }

    @Test
    void shouldResumeFromTheLastResourceVersionAfterTheStreamDrops() throws Exception {
        List<String> queries = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/namespaces/default/pods", ex -> {
            String q = ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery();
            String body;
            if (!q.contains("watch=true")) {
                body = "{\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"3.0\"},\"items\":[" + pod("a", "2.0", "Pending") + "]}";
            } else {
                queries.add(q);
                body = queries.size() == 1
                        ? "{\"type\":\"MODIFIED\",\"object\":" + pod("a", "4.0", "Running") + "}\n" // then the stream drops
                        : "{\"type\":\"ADDED\",\"object\":" + pod("b", "5.0", "Pending") + "}\n"
                        + "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"reason\":\"Expired\",\"message\":\"test over\"}}\n";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        try {
            StringWriter out = new StringWriter(), err = new StringWriter();
            CommandLine cl = new CommandLine(new GetCommand());
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(err));
            int exit = cl.execute("pods", "-w", "-o", "json", "--server=http://127.0.0.1:" + server.getAddress().getPort());
            assertEquals(1, exit, "ended by the ERROR event");
            assertEquals(List.of("watch=true&resourceVersion=3.0", "watch=true&resourceVersion=4.0"), queries);
            List<String> lines = out.toString().lines().toList();
            assertEquals(3, lines.size(), out.toString());
            assertTrue(lines.get(0).startsWith("{\"type\":\"ADDED\"") && lines.get(0).contains("\"name\":\"a\""), lines.get(0));
            assertTrue(lines.get(1).startsWith("{\"type\":\"MODIFIED\"") && lines.get(1).contains("Running"), lines.get(1));
            assertTrue(lines.get(2).startsWith("{\"type\":\"ADDED\"") && lines.get(2).contains("\"name\":\"b\""), lines.get(2));
            assertEquals("Error from server (Expired): test over\n", err.toString());
        } finally {
            server.stop(0);
        }
    }
}

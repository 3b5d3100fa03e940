package io.berth.gateway.bench;

import io.berth.schemas.avro.TaskPhase;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.*;

/**
 * List latency: 50 concurrent clients, each listing ~1000 pods (one namespace, ~1.6 MB of JSON) in a
 * loop. Prints p50/p99 and throughput. A main, not a test: {@code mvn -pl gateway exec…} or the IDE.
 */
public final class ListLatencyBench {
    public static void main(String[] args) throws Exception {
        int pods = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int perClient = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        String machine = BenchCluster.machine();
        try (BenchCluster c = new BenchCluster()) {
            for (int i = 0; i < pods; i++) c.pod("bench", String.format("web-7d4b9c-%05d", i), i % 3 == 0 ? TaskPhase.PENDING : TaskPhase.RUNNING);
            c.producer.flush();
            HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(8)).build();
            URI list = URI.create(c.base() + "/api/v1/namespaces/bench/pods");
            URI selected = URI.create(c.base() + "/api/v1/namespaces/bench/pods?labelSelector=app%3Dweb&fieldSelector=status.phase%3DRunning");
            int bytes = 0;
            for (long deadline = System.currentTimeMillis() + 60_000; System.currentTimeMillis() < deadline; Thread.sleep(100)) {
                String body = http.send(HttpRequest.newBuilder(list).header("Authorization", "Bearer " + BenchCluster.TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body();
                bytes = body.length();
                if (body.split("\"kind\":\"Pod\"", -1).length - 1 >= pods) break;
            }
            for (int i = 0; i < 20; i++) http.send(HttpRequest.newBuilder(list).header("Authorization", "Bearer " + BenchCluster.TOKEN).build(), HttpResponse.BodyHandlers.discarding()); // warm-up
            for (URI uri : List.of(list, selected)) {
                ExecutorService pool = Executors.newFixedThreadPool(clients);
                List<Future<long[]>> results = new ArrayList<>();
                long start = System.nanoTime();
                for (int k = 0; k < clients; k++) {
                    results.add(pool.submit(() -> {
                        long[] t = new long[perClient];
                        for (int i = 0; i < perClient; i++) {
                            long s = System.nanoTime();
                            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + BenchCluster.TOKEN).build(), HttpResponse.BodyHandlers.ofByteArray());
                            if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode());
                            t[i] = System.nanoTime() - s;
                        }
                        return t;
                    }));
                }
                long[] all = new long[clients * perClient];
                int n = 0;
                for (Future<long[]> f : results) for (long v : f.get()) all[n++] = v;
                double seconds = (System.nanoTime() - start) / 1e9;
                pool.shutdown();
                Arrays.sort(all);
                System.out.printf("LIST %s%n  %d pods (%d bytes per full list), %d clients x %d requests: p50 %.1f ms, p99 %.1f ms, max %.1f ms, %.0f req/s%n",
                        uri.getPath() + (uri.getQuery() == null ? "" : "?" + uri.getQuery()), pods, bytes, clients, perClient,
                        BenchCluster.percentile(all, 50) / 1e6, BenchCluster.percentile(all, 99) / 1e6, all[all.length - 1] / 1e6, all.length / seconds);
            }
            System.out.println("machine: " + machine);
        }
        System.exit(0);
    }
}

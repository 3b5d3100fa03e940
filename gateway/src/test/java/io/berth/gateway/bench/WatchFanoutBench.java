package io.berth.gateway.bench;

import io.berth.schemas.avro.TaskPhase;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Watch fan-out: 1000 WebSocket watchers on one namespace; a pod's state changes (a record produced
 * to berth.state.tasks) and the delay until the LAST watcher has received the MODIFIED event is
 * measured, over several rounds. Clients and gateway share this JVM and the machine's cores.
 */
public final class WatchFanoutBench {
    public static void main(String[] args) throws Exception {
        int watchers = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String machine = BenchCluster.machine();
        try (BenchCluster c = new BenchCluster()) {
            c.pod("fan", "fan-pod", TaskPhase.PENDING);
            c.producer.flush();
            Thread.sleep(1000);
            HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(4)).build();
            URI uri = URI.create(c.base().replace("http", "ws") + "/api/v1/namespaces/fan/pods?watch=true");
            AtomicLongArray received = new AtomicLongArray(watchers);
            CountDownLatch[] round = {new CountDownLatch(watchers)};
            String[] expect = {"ADDED"};
            List<WebSocket> sockets = new ArrayList<>();
            long connectStart = System.nanoTime();
            for (int i = 0; i < watchers; i++) {
                int id = i;
                sockets.add(http.newWebSocketBuilder().header("Authorization", "Bearer " + BenchCluster.TOKEN).buildAsync(uri, new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        if (data.toString().startsWith("{\"type\":\"" + expect[0] + "\"")) {
                            received.set(id, System.nanoTime());
                            round[0].countDown();
                        }
                        ws.request(1);
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS));
            }
            if (!round[0].await(60, TimeUnit.SECONDS)) throw new IllegalStateException("not every watcher got its ADDED");
            System.out.printf("WATCH %d WebSocket watchers connected and primed in %.1f s%n", watchers, (System.nanoTime() - connectStart) / 1e9);
            long[] lastDelays = new long[rounds];
            long[] medianDelays = new long[rounds];
            for (int r = 0; r < rounds; r++) {
                expect[0] = "MODIFIED";
                round[0] = new CountDownLatch(watchers);
                Thread.sleep(300);
                long sent = System.nanoTime();
                c.pod("fan", "fan-pod", r % 2 == 0 ? TaskPhase.RUNNING : TaskPhase.PENDING);
                c.producer.flush();
                if (!round[0].await(60, TimeUnit.SECONDS)) throw new IllegalStateException("round " + r + ": " + round[0].getCount() + " watchers missed it");
                long[] d = new long[watchers];
                for (int i = 0; i < watchers; i++) d[i] = received.get(i) - sent;
                Arrays.sort(d);
                lastDelays[r] = d[watchers - 1];
                medianDelays[r] = d[watchers / 2];
                System.out.printf("  round %d: first %.1f ms, median %.1f ms, last %.1f ms%n", r, d[0] / 1e6, d[watchers / 2] / 1e6, d[watchers - 1] / 1e6);
            }
            Arrays.sort(lastDelays);
            Arrays.sort(medianDelays);
            System.out.printf("WATCH state change -> last of %d watchers: median over %d rounds %.1f ms, worst %.1f ms (median watcher %.1f ms)%n",
                    watchers, rounds, lastDelays[rounds / 2] / 1e6, lastDelays[rounds - 1] / 1e6, medianDelays[rounds / 2] / 1e6);
            System.out.println("machine: " + machine);
            sockets.forEach(ws -> ws.abort());
        }
        System.exit(0);
    }
}

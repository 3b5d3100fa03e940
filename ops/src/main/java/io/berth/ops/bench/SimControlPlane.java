package io.berth.ops.bench;

import io.berth.ops.AllInOne;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The control plane of {@code ops/bench sim} as a process of its own (so its RSS is the whole
 * all-in-one, broker included, without the simulated nodes): {@link AllInOne} without a node daemon.
 * Prints {@code READY <bootstrap> <registryUrl> <gatewayUrl>} once started; stops when its stdin closes.
 * <pre>SimControlPlane &lt;dataDir&gt; &lt;kafkaPort&gt; &lt;registryPort&gt; &lt;gatewayPort&gt; [key=value …]</pre>
 */
public final class SimControlPlane {
    public static void main(String[] args) throws Exception {
        io.berth.schemas.AvroTrust.ensure();
        Map<String, String> extra = new LinkedHashMap<>();
        for (int i = 4; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            extra.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        AllInOne stack = new AllInOne(new AllInOne.Options(Path.of(args[0]), "127.0.0.1", Integer.parseInt(args[1]),
                Integer.parseInt(args[2]), Integer.parseInt(args[3]), null, false, "none", extra));
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close));
        stack.start();
        System.out.println("READY " + stack.bootstrapServers() + " " + stack.registryUrl() + " " + stack.gatewayUrl());
        System.out.flush();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // the benchmark holds our stdin open while it runs
        }
        stack.close();
        System.exit(0);
    }
}

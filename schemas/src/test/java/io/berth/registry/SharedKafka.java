package io.berth.registry;

import io.berth.testing.TestKafka;

/**
 * One embedded broker for every registry test class in the JVM (a broker costs ~3 s to start);
 * each test isolates itself with its own {@code _schemas} topic and group id.
 */
public final class SharedKafka {
    private static TestKafka kafka;

    private SharedKafka() {}

    public static synchronized TestKafka get() {
        if (kafka == null) {
            kafka = TestKafka.start();
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "shared-kafka-stop"));
        }
        return kafka;
    }
}

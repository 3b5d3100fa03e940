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
            Runtime.getRuntime().addShutdownHook(new Thread(SharedKafka::stopAtExit, "shared-kafka-stop"));
        }
        return kafka;
    }

    /**
     * At the JVM's exit: a controlled shutdown, but at most {@value #EXIT_BUDGET_MS} ms. Surefire kills a fork
     * that has not exited 30 s after its last test and fails the build ("Error occurred in starting fork"), which
     * a broker's controlled shutdown on a loaded machine once took; the broker lives in this JVM and ends with it.
     */
    private static void stopAtExit() {
        Thread closing = new Thread(kafka::close, "shared-kafka-close");
        closing.setDaemon(true);
        closing.start();
        try {
            closing.join(EXIT_BUDGET_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closing.isAlive()) System.err.println("shared Kafka not stopped within " + EXIT_BUDGET_MS + " ms; it ends with the JVM");
    }

    private static final long EXIT_BUDGET_MS = 10_000;
}

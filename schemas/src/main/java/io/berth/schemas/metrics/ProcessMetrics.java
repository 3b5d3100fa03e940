package io.berth.schemas.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import org.apache.kafka.streams.KafkaStreams;

import java.time.Duration;
import java.util.List;

/**
 * The one Prometheus registry of this process: every service of the process (all of them in {@code berth up})
 * records into it, and whoever serves {@code /metrics} (the gateway's listener, or {@link MetricsServer} in a
 * process without one) scrapes it. JVM and process metrics are bound once, when the registry is first used.
 *
 * <p>Names follow Prometheus' conventions through Micrometer's naming: a counter {@code berth.placements}
 * is exported as {@code berth_placements_total}, a timer {@code berth.placement.duration} as the histogram
 * {@code berth_placement_duration_seconds}. Series whose label values come and go (pods, nodes) are not meters
 * but a {@link MultiCollector} computed at scrape time ({@link #register(MultiCollector)}), so stale ones vanish.
 */
public final class ProcessMetrics {
    /** kube-apiserver's request latency buckets (seconds), used for every Berth latency histogram. */
    public static final List<Duration> LATENCY_BUCKETS = seconds(0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5,
            6, 8, 10, 15, 20, 30, 45, 60);
    /** The Prometheus text format 0.0.4, the default answer. */
    public static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
    /** OpenMetrics 1.0, the answer when the scraper's Accept names it (Prometheus' does). */
    public static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private ProcessMetrics() {}

    private static PrometheusMeterRegistry create() {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // promtool's lint: no abbreviated units (process_cpu_time_ns_total) and no _count outside histograms
        // (system_cpu_count): the first becomes the Prometheus client's own process_cpu_seconds_total below
        // No filter of this registry may be a lambda written in this class: a GC notification registers the GC
        // timers on the JDK's notification thread, holding the registry's lock while it runs the filters, and a
        // lambda's body is a method of this class, so it waits for this class's initializer, which may itself be
        // waiting for that lock (a deadlock that hung a gateway at start: ProcessMetricsInitTest). The filters are
        // classes of their own, and the GC metrics are bound last, after every other registration.
        r.config().meterFilter(new MeterFilter() {
            @Override
            public io.micrometer.core.instrument.config.MeterFilterReply accept(io.micrometer.core.instrument.Meter.Id id) {
                return id.getName().equals("process.cpu.time") ? io.micrometer.core.instrument.config.MeterFilterReply.DENY
                        : io.micrometer.core.instrument.config.MeterFilterReply.NEUTRAL;
            }
        });
        r.config().meterFilter(new MeterFilter() {
            @Override
            public io.micrometer.core.instrument.Meter.Id map(io.micrometer.core.instrument.Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
            }
        });
        r.config().meterFilter(KAFKA_LINT);
        new ClassLoaderMetrics().bindTo(r);
        new JvmMemoryMetrics().bindTo(r);
        new JvmThreadMetrics().bindTo(r);
        new ProcessorMetrics().bindTo(r);
        new UptimeMetrics().bindTo(r);
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            io.micrometer.core.instrument.FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
                    .baseUnit("seconds").description("CPU time used by this process").register(r);
        }
        new FileDescriptorMetrics().bindTo(r);
        new JvmGcMetrics().bindTo(r); // last (see the filters above); kept for the life of the process (it listens to GC notifications)
        return r;
    }

    /**
     * Kafka's client metrics as promtool accepts them: those in abbreviated units (Kafka's {@code io-time-ns-total},
     * {@code start-time-ms}) are dropped rather than exported under a wrong name, {@code connection-count} becomes
     * {@code connections}, other gauges named {@code …-count} are dropped, and a metric Kafka left undescribed
     * gets a help text. What matters for operating Berth stays: lag, rates, totals, latencies.
     */
    static final MeterFilter KAFKA_LINT = new MeterFilter() {
        @Override
        public io.micrometer.core.instrument.config.MeterFilterReply accept(io.micrometer.core.instrument.Meter.Id id) {
            String n = id.getName();
            if (!n.startsWith("kafka.")) return io.micrometer.core.instrument.config.MeterFilterReply.NEUTRAL;
            boolean abbreviated = java.util.Arrays.stream(n.split("\\.")).anyMatch(w -> w.equals("ns") || w.equals("ms"));
            boolean count = n.endsWith(".count") && !n.endsWith(".connection.count");
            return abbreviated || count ? io.micrometer.core.instrument.config.MeterFilterReply.DENY
                    : io.micrometer.core.instrument.config.MeterFilterReply.NEUTRAL;
        }

        @Override
        public io.micrometer.core.instrument.Meter.Id map(io.micrometer.core.instrument.Meter.Id id) {
            String n = id.getName();
            if (!n.startsWith("kafka.")) return id;
            if (n.endsWith(".connection.count")) n = n.substring(0, n.length() - ".connection.count".length()) + ".connections";
            String help = id.getDescription() == null || id.getDescription().isBlank() ? "Kafka client metric " + id.getName() : id.getDescription();
            return new io.micrometer.core.instrument.Meter.Id(n, io.micrometer.core.instrument.Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), help, id.getType());
        }
    };

    /** Made after the filters above: static fields initialize in order. */
    private static final PrometheusMeterRegistry REGISTRY = create();

    /** The registry every component of this process records into. */
    public static PrometheusMeterRegistry registry() {
        return REGISTRY;
    }

    /** What a scrape answers: the body in the format the {@code Accept} header asked for, and its content type. */
    public record Scrape(String contentType, String body) {}

    /**
     * The registry in Prometheus' text format 0.0.4, or in OpenMetrics when {@code accept} names
     * {@code application/openmetrics-text} (protobuf is never answered: Prometheus falls back to text).
     */
    public static Scrape scrape(String accept) {
        String type = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : TEXT_004;
        return new Scrape(type, REGISTRY.scrape(type));
    }

    /** Adds series computed at scrape time; the returned handle removes them (call it when their source stops). */
    public static AutoCloseable register(MultiCollector collector) {
        REGISTRY.getPrometheusRegistry().register(collector);
        return () -> REGISTRY.getPrometheusRegistry().unregister(collector);
    }

    /**
     * Binds a Kafka Streams client's own metrics (consumer lag as {@code kafka_consumer_fetch_manager_records_lag_max},
     * commit and process rates, state) for as long as it runs; the handle unbinds them.
     */
    public static AutoCloseable bindStreams(KafkaStreams streams, String app) {
        KafkaStreamsMetrics binder = new KafkaStreamsMetrics(streams, List.of(io.micrometer.core.instrument.Tag.of("app", app)));
        binder.bindTo(REGISTRY);
        return binder::close;
    }

    /** {@code berth_dead_letters_total{topic}}: records of {@code sourceTopic} this process sent to the dead letters. */
    public static void deadLetter(String sourceTopic) {
        Counter.builder("berth.dead.letters").description("Records sent to the dead-letter topic, by the topic they came from")
                .tag("topic", sourceTopic == null || sourceTopic.isEmpty() ? "unknown" : sourceTopic).register(REGISTRY).increment();
    }

    /** A shortcut for components that take a {@link MeterRegistry}. */
    public static MeterRegistry meters() {
        return REGISTRY;
    }

    private static List<Duration> seconds(double... s) {
        return java.util.Arrays.stream(s).mapToObj(x -> Duration.ofNanos(Math.round(x * 1e9))).toList();
    }
}

package io.berth.schemas.service;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.*;

class StreamsHaTest {
    static BerthConfig config(Map<String, String> settings) {
        return new BerthConfig("127.0.0.1:9092", null, null, settings);
    }

    @Test
    void shouldWaitAMinuteForRunningUnlessToldOtherwise() {
        assertEquals(Duration.ofSeconds(60), StreamsHa.startTimeout(config(Map.of())));
        assertEquals(Duration.ofMinutes(10), StreamsHa.startTimeout(config(Map.of("streams-start-timeout-ms", "600000"))));
    }

    @Test
    void shouldRefuseAStartTimeoutBelowASecondNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StreamsHa.startTimeout(config(Map.of("streams-start-timeout-ms", "5"))));
        assertEquals("streams-start-timeout-ms: must be >= 1000, was 5", e.getMessage());
    }

    @Test
    void shouldSetStandbysAndTheSessionTimeout() {
        Properties p = new Properties();
        StreamsHa.apply(p, config(Map.of("streams-standby-replicas", "1", "streams-session-timeout-ms", "6000")));
        assertEquals(1, p.get("num.standby.replicas"));
        assertEquals(6000, p.get("consumer.session.timeout.ms"));
        assertEquals(2000, p.get("consumer.heartbeat.interval.ms"));
    }
}

package io.berth.gateway.manifest;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class QuantitiesTest {

    @ParameterizedTest(name = "cpu {0} = {1}m")
    @CsvSource({
            "500m, 500", "0.5, 500", "2, 2000", "1, 1000", "100m, 100", "1.5, 1500", "0.1, 100",
            "0.0001, 1", "250000u, 250", "2000m, 2000", "0, 0", "+1, 1000", ".5, 500", "1k, 1000000"})
    void shouldParseCpuToMillicores(String text, long millis) {
        assertEquals(millis, Quantities.cpuMillis(text));
    }

    @ParameterizedTest(name = "memory {0} = {1} bytes")
    @CsvSource({
            "64Mi, 67108864", "1Gi, 1073741824", "128M, 128000000", "1e6, 1000000", "1000, 1000",
            "1Ki, 1024", "1k, 1000", "1.5Gi, 1610612736", "0.5Mi, 524288", "1E3, 1000", "2Ti, 2199023255552",
            "1G, 1000000000", "0, 0", "100m, 1", "123456789, 123456789"})
    void shouldParseMemoryToBytes(String text, long bytes) {
        assertEquals(bytes, Quantities.memoryBytes(text));
    }

    @ParameterizedTest(name = "{0} is not a quantity")
    @ValueSource(strings = {"abc", "", "1.2.3", "5 Mi", "Mi", "1mi", "1KB", "0x10", "1e", "--1", "1Qi"})
    void shouldRejectMalformedQuantities(String text) {
        assertThrows(IllegalArgumentException.class, () -> Quantities.memoryBytes(text));
        assertThrows(IllegalArgumentException.class, () -> Quantities.cpuMillis(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "-500m"})
    void shouldRejectNegativeQuantities(String text) {
        assertThrows(IllegalArgumentException.class, () -> Quantities.cpuMillis(text));
    }

    @ParameterizedTest
    @CsvSource({"500, 500m", "2000, 2", "1500, 1500m", "0, 0"})
    void shouldFormatCpuTheKubernetesWay(long millis, String text) {
        assertEquals(text, Quantities.formatCpu(millis));
    }

    @ParameterizedTest
    @CsvSource({"1073741824, 1Gi", "67108864, 64Mi", "1536, 1536", "2048, 2Ki", "1000, 1000", "0, 0"})
    void shouldFormatMemoryWithBinarySuffixes(long bytes, String text) {
        assertEquals(text, Quantities.formatMemory(bytes));
    }
}

package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TopTablesTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode pod(String ns, String name, String... cpuMem) throws Exception {
        StringBuilder cs = new StringBuilder();
        for (int i = 0; i < cpuMem.length; i += 2) {
            if (cs.length() > 0) cs.append(',');
            cs.append("{\"name\":\"c").append(i / 2).append("\",\"usage\":{\"cpu\":\"").append(cpuMem[i]).append("\",\"memory\":\"").append(cpuMem[i + 1]).append("\"}}");
        }
        return JSON.readTree("{\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns + "\"},\"containers\":[" + cs + "]}");
    }

    /** kubectl: CPU is Quantity.MilliValue (rounded up), memory Value()/Mi (rounded down). */
    @ParameterizedTest(name = "{0} + {1}, {2} + {3} → {4} {5}")
    @CsvSource({
            "12345678n, 0,    1068Ki, 0,      13m,  1Mi",
            "998765432n, 1n,  12Mi,   512Ki,  999m, 12Mi",
            "0,         0,    0,      0,      0m,   0Mi",
            "2,         250m, 1Gi,    0,      2250m, 1024Mi"})
    void podUsageSumsContainersAsKubectl(String cpuA, String cpuB, String memA, String memB, String cpu, String mem) throws Exception {
        TopTables.Usage u = TopTables.usage(pod("d", "p", cpuA, memA, cpuB, memB));
        assertEquals(cpu, u.cpu());
        assertEquals(mem, u.memory());
    }

    @Test
    void podsTableAsKubectlPrintsIt() throws Exception {
        List<JsonNode> items = List.of(pod("default", "idle", "1000000n", "1Mi"), pod("default", "busy", "998765432n", "1068Ki"));
        assertEquals("""
                NAME   CPU(cores)   MEMORY(bytes)  \s
                busy   999m         1Mi            \s
                idle   1m           1Mi            \s
                """, TopTables.render(TopTables.pods(items, false, false, "cpu", true)));
        assertEquals("""
                default   busy   c0    999m   1Mi  \s
                """, TopTables.render(TopTables.pods(items.subList(1, 2), true, true, null, false)));
        assertThrows(IllegalArgumentException.class, () -> TopTables.pods(items, false, false, "name", true));
    }

    @Test
    void nodesTableWithShareOfAllocatableAndUnknownWithoutMetrics() throws Exception {
        JsonNode n1 = JSON.readTree("{\"metadata\":{\"name\":\"n1\"},\"status\":{\"allocatable\":{\"cpu\":\"2\",\"memory\":\"8Gi\"},\"capacity\":{\"cpu\":\"4\",\"memory\":\"8Gi\"}}}");
        JsonNode n2 = JSON.readTree("{\"metadata\":{\"name\":\"n2\"},\"status\":{\"allocatable\":{\"cpu\":\"2\",\"memory\":\"8Gi\"}}}");
        JsonNode m1 = JSON.readTree("{\"usage\":{\"cpu\":\"1234567890n\",\"memory\":\"2Gi\"}}");
        List<TopTables.NodeRow> rows = List.of(new TopTables.NodeRow(n2, null), new TopTables.NodeRow(n1, m1));
        assertEquals("""
                NAME   CPU(cores)   CPU(%)      MEMORY(bytes)   MEMORY(%)  \s
                n1     1235m        61%         2048Mi          25%        \s
                n2     <unknown>    <unknown>   <unknown>       <unknown>  \s
                """, TopTables.render(TopTables.nodes(rows, null, true, false)));
        assertEquals(List.of("n1", "1235m", "30%", "2048Mi", "25%"), TopTables.nodes(rows, null, false, true).get(0));
    }
}

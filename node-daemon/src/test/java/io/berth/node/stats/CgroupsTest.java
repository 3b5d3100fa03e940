package io.berth.node.stats;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class CgroupsTest {
    static final String ID = "9f1ee9a8ff3da104533bfeab4fcceeb3ead7641aed12b4d46b6757634e570c21";

    static String fixture(String name) throws IOException {
        try (InputStream in = CgroupsTest.class.getResourceAsStream("/stats/" + name)) {
            assertNotNull(in, "fixture " + name);
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    static void write(Path dir, String file, String text) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(file), text);
    }

    /** v1 as on this machine (cgroupfs driver, separate cpuacct and memory hierarchies). */
    static void v1(Path root, String cpuController, String parent, String leaf) throws IOException {
        write(root.resolve(cpuController).resolve(parent).resolve(leaf), "cpuacct.usage", "1186954590\n");
        Path mem = root.resolve("memory").resolve(parent).resolve(leaf);
        write(mem, "memory.usage_in_bytes", "1093632\n");
        write(mem, "memory.stat", fixture("memory.stat.v1"));
    }

    static void v2(Path root, String parent, String leaf) throws IOException {
        Path d = root.resolve(parent).resolve(leaf);
        write(d, "cpu.stat", fixture("cpu.stat.v2"));
        write(d, "memory.current", "6193152\n");
        write(d, "memory.stat", fixture("memory.stat.v2"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "v1 cgroupfs,       v1, cpuacct,      docker",
            "v1 cgroupfs joint, v1, 'cpu,cpuacct', docker",
            "v1 systemd,        v1, cpuacct,      system.slice",
            "v2 cgroupfs,       v2, '',           docker",
            "v2 systemd,        v2, '',           system.slice"})
    void readsEveryLayout(String layout, String version, String cpuController, String parent, @TempDir Path root) throws IOException {
        String leaf = parent.equals("docker") ? ID : "docker-" + ID + ".scope";
        if (version.equals("v1")) v1(root, cpuController, parent, leaf);
        else v2(root, parent, leaf);
        Cgroups.Usage u = Cgroups.read(root, ID).orElseThrow();
        if (version.equals("v1")) {
            assertEquals(new Cgroups.Usage(1_186_954_590L, 1_093_632L, 1_093_632L - 20_480L), u);
        } else {
            assertEquals(new Cgroups.Usage(2_500_000_000L, 6_193_152L, 6_193_152L - 4_000_000L), u);
        }
    }

    @Test
    void noCgroupIsEmptyNotAFailure(@TempDir Path root) throws IOException {
        assertEquals(Optional.empty(), Cgroups.read(root, ID));
    }

    @ParameterizedTest
    @CsvSource({"1000, 200, 800", "100, 200, 0", "0, 0, 0"})
    void workingSetIsUsageLessInactiveFileNeverNegative(long usage, long inactive, long expected) {
        assertEquals(expected, Cgroups.workingSet(usage, inactive));
    }

    @Test
    void parsesSingleAndKeyedFiles() {
        assertEquals(42, Cgroups.single(" 42\n"));
        assertEquals(Long.MAX_VALUE, Cgroups.single("max\n"));
        assertThrows(IllegalArgumentException.class, () -> Cgroups.single("forty-two"));
        assertEquals(20480L, Cgroups.keyed("a b c\ntotal_inactive_file 20480\nbad x\n").get("total_inactive_file"));
    }

    @Test
    void hostCpuIsNonIdleTicksInNanoseconds() throws IOException {
        // user 1630034 + nice 16232 + system 368414 + irq 0 + softirq 16729 + steal 0 = 2031409 ticks of 10 ms
        assertEquals(2_031_409L * 10_000_000L, HostStats.cpuNanos(fixture("proc-stat")));
        assertThrows(IllegalArgumentException.class, () -> HostStats.cpuNanos("intr 1 2 3\n"));
    }

    @Test
    void hostMemoryWorkingSetIsTotalLessFreeLessInactiveFile() throws IOException {
        assertEquals((8_000_000L - 1_000_000L - 2_000_000L) * 1024, HostStats.memoryWorkingSetBytes(fixture("meminfo")));
        assertThrows(IllegalArgumentException.class, () -> HostStats.memoryWorkingSetBytes("Cached: 1 kB\n"));
    }
}

package io.berth.ops;

import io.berth.gateway.manifest.ManifestOptions;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.gateway.manifest.ManifestResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Every manifest under ops/examples (the README walks through them) is valid under strict validation. */
class ExampleManifestsTest {
    @Test
    void shouldAcceptEveryExampleManifestStrictly() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("examples"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 3, "examples found: " + files);
        ManifestParser parser = new ManifestParser(ManifestOptions.defaults().withStrict(true));
        for (Path f : files) {
            ManifestResult r = parser.parse(f.getFileName().toString(), Files.readString(f));
            assertTrue(r.ok(), f + ": " + r.errorMessages());
            assertEquals(List.of(), r.warningMessages(), f.toString());
            assertFalse(r.intents().isEmpty(), f + " yields intents");
        }
    }
}

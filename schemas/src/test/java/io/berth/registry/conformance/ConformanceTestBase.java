package io.berth.registry.conformance;

import io.berth.registry.RegistryFixture;
import io.berth.registry.Rest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Replays Confluent's {@code RestApiTest} cases (REGISTRY.md §6) against a fresh registry per
 * test. Like Confluent's harness, the global compatibility starts at NONE.
 */
abstract class ConformanceTestBase {
    protected RegistryFixture fixture;
    protected Rest rest;

    @BeforeEach
    void startRegistry() throws Exception {
        fixture = new RegistryFixture();
        rest = new Rest(fixture.startInstance().url());
        rest.setCompatibility(null, "NONE");
    }

    @AfterEach
    void stopRegistry() {
        fixture.close();
    }
}

package io.berth.state;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A topology test on a fresh {@link Harness} per test method, closed after it. A test that needs other
 * settings closes {@link #h} and assigns a new one; the last one is closed after the test.
 */
abstract class HarnessTest {
    Harness h;

    @BeforeEach
    void startHarness() throws Exception {
        h = new Harness();
    }

    @AfterEach
    void stopHarness() {
        h.close();
    }
}

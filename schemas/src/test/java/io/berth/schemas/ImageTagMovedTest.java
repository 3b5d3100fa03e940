package io.berth.schemas;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class ImageTagMovedTest {
    static final String NEW = "sha256:" + "1".repeat(64), OLD = "sha256:" + "2".repeat(64);

    @Test
    void shouldReadBackTheMessageItWrites() {
        String m = ImageTagMoved.message("localhost:5000/app:v1", NEW, OLD);
        assertEquals("image \"localhost:5000/app:v1\" now resolves to " + NEW + " (the pod runs " + OLD + ")", m);
        assertEquals(Optional.of(new ImageTagMoved.Moved("localhost:5000/app:v1", NEW)), ImageTagMoved.parse(ImageTagMoved.REASON, m));
        assertEquals(Optional.empty(), ImageTagMoved.parse("BackOff", m), "another reason");
        assertEquals(Optional.empty(), ImageTagMoved.parse(ImageTagMoved.REASON, "image app moved"), "another form");
        assertEquals(Optional.empty(), ImageTagMoved.parse(ImageTagMoved.REASON, null));
    }

    @Test
    void shouldNormalizeAReferenceWithoutATagToLatest() {
        assertEquals("app:latest", ImageTagMoved.normalize("app"));
        assertEquals("app:v1", ImageTagMoved.normalize("app:v1"));
        assertEquals("localhost:5000/app:latest", ImageTagMoved.normalize("localhost:5000/app"));
        assertEquals("app@" + NEW, ImageTagMoved.normalize("app@" + NEW));
        assertEquals("", ImageTagMoved.normalize(null));
    }
}

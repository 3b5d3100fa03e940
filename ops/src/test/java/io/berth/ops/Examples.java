package io.berth.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The manifests under ops/examples, as tests use them (one copy, the one the README shows). */
public final class Examples {
    /** The nginx Deployment from the Kubernetes documentation, unchanged (plus two comment lines). */
    public static final String NGINX = read("nginx-deployment.yaml");

    private Examples() {}

    public static String read(String name) {
        try {
            return Files.readString(Path.of("examples", name));
        } catch (IOException e) {
            throw new UncheckedIOException("ops/examples/" + name + " (tests run from the ops module)", e);
        }
    }
}

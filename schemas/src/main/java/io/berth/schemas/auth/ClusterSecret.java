package io.berth.schemas.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The cluster secret: 32 random bytes (base64 in {@code <data-dir>/cluster.secret}, mode 600) from
 * which every node's signing key is derived ({@link NodeKeys#nodeKey}). Only the control plane
 * reads it (the gateway to issue a node's key at join, state-streams to check node records); it
 * never travels on the bus. {@code berth up} creates it.
 */
public final class ClusterSecret {
    public static final String FILE_NAME = "cluster.secret";
    /** Config key naming the file; default {@code <data-dir>/cluster.secret}. */
    public static final String CONFIG_KEY = "cluster-secret-file";

    private ClusterSecret() {}

    /** The secret in {@code file}, or empty when the file does not exist. Throws naming the file when it is unreadable or too short. */
    public static Optional<byte[]> read(Path file) throws IOException {
        if (file == null || !Files.exists(file)) return Optional.empty();
        String text = Files.readString(file, StandardCharsets.UTF_8).strip();
        byte[] secret;
        try {
            secret = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": the cluster secret is not base64: " + e.getMessage());
        }
        if (secret.length < 16) throw new IOException(file + ": the cluster secret has " + secret.length + " bytes, at least 16 are needed");
        return Optional.of(secret);
    }

    /** The secret in {@code file}, created (32 random bytes, mode 600) when missing. */
    public static byte[] readOrCreate(Path file) throws IOException {
        Optional<byte[]> existing = read(file);
        if (existing.isPresent()) return existing.get();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        // never replaces one that a concurrent start wrote
        return SecretFiles.create(file, Base64.getEncoder().encodeToString(secret) + "\n") ? secret : read(file).orElseThrow();
    }
}

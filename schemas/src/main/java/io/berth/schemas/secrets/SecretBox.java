package io.berth.schemas.secrets;

import io.berth.schemas.auth.SecretFiles;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Encryption of Secret values at rest on the bus, as Kubernetes' {@code aesgcm} EncryptionConfiguration
 * provider: AES-256-GCM, a random 96-bit nonce per value, the value's place ({@code namespace/name/key})
 * as associated data (a ciphertext copied to another Secret or key does not decrypt), and the id of the
 * key in the ciphertext, so a key can be rotated: {@code enc:aesgcm:<keyId>:<base64(nonce ‖ ciphertext ‖ tag)>}.
 *
 * <p>The key file ({@code <data-dir>/secrets.key}, mode 600, setting {@value #CONFIG_KEY}) holds one
 * {@code <keyId>:<base64 of 32 bytes>} per line: the first encrypts, every one decrypts (rotation:
 * add a new first line, re-apply the Secrets, drop the old line). Blank lines and {@code #} comments are skipped.
 */
public final class SecretBox {
    public static final String FILE_NAME = "secrets.key";
    /** Config key naming the key file; {@code berth up} sets it to {@code <data-dir>/secrets.key}. */
    public static final String CONFIG_KEY = "secrets-key-file";
    public static final String PREFIX = "enc:aesgcm:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String writeKeyId;
    private final Map<String, SecretKeySpec> keys;

    private SecretBox(String writeKeyId, Map<String, SecretKeySpec> keys) {
        this.writeKeyId = writeKeyId;
        this.keys = keys;
    }

    /** A box of one key. */
    public static SecretBox of(String keyId, byte[] key) {
        return parse(keyId + ":" + Base64.getEncoder().encodeToString(key), "key");
    }

    /** The keys of a key file's text; {@code source} names it in errors. */
    public static SecretBox parse(String text, String source) {
        Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
        String first = null;
        int lineNo = 0;
        for (String raw : text.split("\n")) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int colon = line.indexOf(':');
            if (colon < 0) throw new IllegalArgumentException(source + " line " + lineNo + ": expected <keyId>:<base64 key>");
            String id = line.substring(0, colon);
            if (!KEY_ID.matcher(id).matches()) {
                throw new IllegalArgumentException(source + " line " + lineNo + ": key id \"" + id + "\" must be 1-32 of [A-Za-z0-9_.-]");
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(line.substring(colon + 1).strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + " line " + lineNo + ": key " + id + " is not base64");
            }
            if (key.length != 32) throw new IllegalArgumentException(source + " line " + lineNo + ": key " + id + " has " + key.length + " bytes, AES-256 needs 32");
            if (keys.putIfAbsent(id, new SecretKeySpec(key, "AES")) != null) {
                throw new IllegalArgumentException(source + " line " + lineNo + ": key id " + id + " appears twice");
            }
            if (first == null) first = id;
        }
        if (first == null) throw new IllegalArgumentException(source + ": no key");
        return new SecretBox(first, Map.copyOf(keys));
    }

    /** The box of a key file, or empty when the file does not exist. */
    public static Optional<SecretBox> read(Path file) throws IOException {
        if (file == null || !Files.exists(file)) return Optional.empty();
        return Optional.of(parse(Files.readString(file, StandardCharsets.UTF_8), file.toString()));
    }

    /** The box of {@code file}, which is created (one random key "k1", mode 600) when missing. */
    public static SecretBox readOrCreate(Path file) throws IOException {
        Optional<SecretBox> existing = read(file);
        if (existing.isPresent()) return existing.get();
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        SecretFiles.create(file, "k1:" + Base64.getEncoder().encodeToString(key) + "\n"); // a concurrent start's file wins
        return read(file).orElseThrow();
    }

    /** The key file's text of this box (what a joining node is handed). */
    public String export() {
        StringBuilder b = new StringBuilder();
        List<String> ids = new ArrayList<>(keys.keySet());
        ids.remove(writeKeyId);
        ids.add(0, writeKeyId);
        for (String id : ids) b.append(id).append(':').append(Base64.getEncoder().encodeToString(keys.get(id).getEncoded())).append('\n');
        return b.toString();
    }

    public String writeKeyId() {
        return writeKeyId;
    }

    public static boolean isEncrypted(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    /** Encrypts {@code plain} for its place {@code context} (e.g. {@code ns/name/key}). */
    public String encrypt(byte[] plain, String context) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, keys.get(writeKeyId), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(plain);
            byte[] out = new byte[nonce.length + sealed.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
            return PREFIX + writeKeyId + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e, e);
        }
    }

    /** Decrypts what {@link #encrypt} made for the same {@code context}; throws naming the reason otherwise. */
    public byte[] decrypt(String sealed, String context) {
        if (!isEncrypted(sealed)) throw new IllegalArgumentException(context + ": not an encrypted value (no " + PREFIX + " prefix)");
        String rest = sealed.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        if (colon < 0) throw new IllegalArgumentException(context + ": encrypted value without a key id");
        String id = rest.substring(0, colon);
        SecretKeySpec key = keys.get(id);
        if (key == null) throw new IllegalArgumentException(context + ": encrypted with key \"" + id + "\", which this key file does not hold");
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(rest.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(context + ": encrypted value is not base64");
        }
        if (bytes.length < NONCE_BYTES + TAG_BITS / 8) throw new IllegalArgumentException(context + ": encrypted value too short");
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException(context + ": encrypted value does not authenticate (wrong key, tampered, or copied from another secret)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e, e);
        }
    }

    /** The associated data of a Secret value: its namespace, name and key. */
    public static String context(String namespace, String name, String key) {
        return namespace + "/" + name + "/" + key;
    }
}

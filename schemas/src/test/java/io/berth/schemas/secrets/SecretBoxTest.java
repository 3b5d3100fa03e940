package io.berth.schemas.secrets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class SecretBoxTest {
    private static final byte[] K1 = new byte[32];
    private static final byte[] K2 = new byte[32];
    static {
        for (int i = 0; i < 32; i++) {
            K1[i] = (byte) i;
            K2[i] = (byte) (100 + i);
        }
    }
    private static String line(String id, byte[] k) {
        return id + ":" + Base64.getEncoder().encodeToString(k);
    }

    @Test
    void shouldRoundTripWithAFreshNonceEveryTime() {
        SecretBox box = SecretBox.of("k1", K1);
        byte[] plain = "hunter2-\u00e9".getBytes(StandardCharsets.UTF_8);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            String sealed = box.encrypt(plain, "default/db/password");
            assertTrue(sealed.startsWith("enc:aesgcm:k1:"), sealed);
            assertFalse(sealed.contains("hunter2"));
            assertFalse(sealed.contains(Base64.getEncoder().encodeToString(plain)));
            assertTrue(seen.add(sealed), "a nonce was reused");
            assertArrayEquals(plain, box.decrypt(sealed, "default/db/password"));
        }
        assertArrayEquals(new byte[0], box.decrypt(box.encrypt(new byte[0], "c"), "c"));
    }

    record Refusal(String name, String sealed, String context, String expected) {}

    @Test
    void shouldRefuseWhatDoesNotAuthenticateNamingWhy() {
        SecretBox box = SecretBox.of("k1", K1);
        String good = box.encrypt("v".getBytes(), "ns/a/key");
        byte[] raw = Base64.getDecoder().decode(good.substring("enc:aesgcm:k1:".length()));
        raw[raw.length - 1] ^= 1;
        String tampered = "enc:aesgcm:k1:" + Base64.getEncoder().encodeToString(raw);
        String otherKey = SecretBox.of("k1", K2).encrypt("v".getBytes(), "ns/a/key");
        for (Refusal r : List.of(
                new Refusal("copied to another secret", good, "ns/b/key", "does not authenticate"),
                new Refusal("tampered", tampered, "ns/a/key", "does not authenticate"),
                new Refusal("same id, other key", otherKey, "ns/a/key", "does not authenticate"),
                new Refusal("unknown key id", good.replace(":k1:", ":k9:"), "ns/a/key", "key \"k9\""),
                new Refusal("plain text", "v", "ns/a/key", "not an encrypted value"),
                new Refusal("not base64", "enc:aesgcm:k1:%%%", "ns/a/key", "not base64"),
                new Refusal("too short", "enc:aesgcm:k1:AAAA", "ns/a/key", "too short"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> box.decrypt(r.sealed(), r.context()), r.name());
            assertTrue(e.getMessage().contains(r.expected()), r.name() + ": " + e.getMessage());
            assertTrue(e.getMessage().startsWith(r.context()), r.name() + ": names the place: " + e.getMessage());
        }
    }

    @Test
    void shouldRotateFirstLineEncryptsEveryLineDecrypts() {
        String old = SecretBox.of("k1", K1).encrypt("old".getBytes(), "c");
        SecretBox rotated = SecretBox.parse("# rotated\n" + line("k2", K2) + "\n\n" + line("k1", K1) + "\n", "keys");
        assertEquals("k2", rotated.writeKeyId());
        assertEquals("old", new String(rotated.decrypt(old, "c")));
        assertTrue(rotated.encrypt("new".getBytes(), "c").startsWith("enc:aesgcm:k2:"));
        assertEquals(rotated.export(), SecretBox.parse(rotated.export(), "again").export());
    }

    record BadFile(String text, String expected) {}

    @Test
    void shouldRefuseABadKeyFileNamingTheLine() {
        for (BadFile b : List.of(
                new BadFile("", "keys: no key"),
                new BadFile("# only a comment\n", "keys: no key"),
                new BadFile("k1\n", "keys line 1: expected <keyId>:<base64 key>"),
                new BadFile("k 1:" + Base64.getEncoder().encodeToString(K1), "keys line 1: key id \"k 1\""),
                new BadFile("k1:!!!", "keys line 1: key k1 is not base64"),
                new BadFile("\nk1:" + Base64.getEncoder().encodeToString(new byte[16]), "keys line 2: key k1 has 16 bytes, AES-256 needs 32"),
                new BadFile(line("k1", K1) + "\n" + line("k1", K2), "keys line 2: key id k1 appears twice"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SecretBox.parse(b.text(), "keys"), b.text());
            assertEquals(b.expected(), e.getMessage().substring(0, Math.min(e.getMessage().length(), b.expected().length())), e.getMessage());
        }
    }

    @Test
    void shouldCreateTheKeyFileOwnerOnlyAndKeepIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(SecretBox.FILE_NAME);
        SecretBox first = SecretBox.readOrCreate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(Files.readString(file).startsWith("k1:"));
        SecretBox again = SecretBox.readOrCreate(file);
        assertEquals(first.export(), again.export());
        assertEquals("x", new String(again.decrypt(first.encrypt("x".getBytes(), "c"), "c")));
        assertTrue(SecretBox.read(dir.resolve("absent")).isEmpty());
    }
}

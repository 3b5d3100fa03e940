package io.berth.schemas.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files that hold a credential (the token file, a kubeconfig, a private key, the cluster secret):
 * written to a temp file readable by the owner only (mode 600) in the same directory, then renamed
 * into place, so no reader ever sees a half-written file or one readable by others.
 */
public final class SecretFiles {
    private SecretFiles() {}

    /** Replaces {@code file} with {@code text} (atomically where the file system can). */
    public static void replace(Path file, String text) throws IOException {
        Path tmp = temp(file, text);
        try {
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Creates {@code file} with {@code text} unless it exists: false when one was there already (e.g. a concurrent start wrote it). */
    public static boolean create(Path file, String text) throws IOException {
        Path tmp = temp(file, text);
        try {
            Files.move(tmp, file);
            return true;
        } catch (FileAlreadyExistsException raced) {
            return false;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Path temp(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        return tmp;
    }
}

package io.berth.schemas.service;

import org.apache.kafka.clients.admin.Admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Which Kafka cluster a data or state directory belongs to (issue 13). A process remembers the cluster
 * id it first ran against in {@code <dir>/cluster-id} and refuses to run against another: a node
 * daemon left over from an earlier cluster that reconnects to a fresh {@code berth up} would otherwise
 * write its heartbeats and statuses into it and read its assignments from it; Streams state of one
 * cluster is meaningless on another. As etcd refuses a member whose cluster id differs.
 */
public final class ClusterIdentity {
    public static final String FILE = "cluster-id";
    /** The exit status of a process that found itself on another cluster (EX_CONFIG). */
    public static final int EXIT_STATUS = 78;
    /** Setting: {@code true} makes the directory adopt the current cluster (an explicit join, a freshly formatted embedded broker). */
    public static final String ADOPT = "cluster-id-adopt";

    private ClusterIdentity() {}

    /** What a remembered id and the current one mean. */
    public enum Verdict { FIRST, SAME, DIFFERENT }

    /** Pure: {@code remembered} (empty: none yet) against the cluster now connected to. */
    public static Verdict judge(Optional<String> remembered, String current) {
        if (remembered.isEmpty()) return Verdict.FIRST;
        return remembered.get().equals(current) ? Verdict.SAME : Verdict.DIFFERENT;
    }

    public static Optional<String> read(Path dir) {
        Path f = dir.resolve(FILE);
        try {
            if (!Files.isRegularFile(f)) return Optional.empty();
            String s = Files.readString(f).strip();
            return s.isEmpty() ? Optional.empty() : Optional.of(s);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    /** Writes {@code <dir>/cluster-id} atomically. */
    public static void remember(Path dir, String clusterId) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(FILE + ".tmp");
            Files.writeString(tmp, clusterId + "\n");
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(FILE), e);
        }
    }

    /** The id of the cluster {@code admin} talks to. */
    public static String describe(Admin admin, Duration timeout) throws Exception {
        return admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Checks {@code dir} against {@code current}: remembers it the first time (or when {@code adopt}),
     * throws {@link Mismatch} naming both ids when the directory belongs to another cluster.
     *
     * @param who     e.g. {@code node n1}, {@code state-streams}
     * @param remedy  what the operator does about it, appended to the message
     */
    public static void verify(Path dir, String current, boolean adopt, String who, String bootstrap, String remedy) {
        Optional<String> remembered = read(dir);
        Verdict v = judge(remembered, current);
        if (v == Verdict.FIRST || (v == Verdict.DIFFERENT && adopt)) remember(dir, current);
        else if (v == Verdict.DIFFERENT) throw new Mismatch(message(who, remembered.get(), bootstrap, current, remedy));
    }

    /** The one line an operator reads. */
    public static String message(String who, String remembered, String bootstrap, String current, String remedy) {
        return who + " joined cluster " + remembered + " but the broker at " + bootstrap + " is cluster " + current + ": stopping; " + remedy;
    }

    /** The directory belongs to another cluster; the launcher exits with {@link #EXIT_STATUS}. */
    public static final class Mismatch extends IllegalStateException {
        public Mismatch(String message) {
            super(message);
        }
    }
}

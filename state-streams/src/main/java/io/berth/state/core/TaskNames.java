package io.berth.state.core;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Task ids (== pod names) are {@code <workload>-<templateHash>-<suffix>}. The 5-char suffix is a
 * bijection of the per-workload sequence number within one workload uid:
 * {@code (seq * M + offset(uid)) mod 27^5} with M coprime to 27^5, so within one incarnation of a
 * workload no id repeats for 14 million tasks, and a deleted-and-recreated workload (new uid)
 * starts from a different offset. Because hash and suffix never contain '-', the owning
 * workload name is recoverable from a pod name alone; that is how pod deletes are routed.
 */
public final class TaskNames {
    static final int SUFFIX_LENGTH = 5;
    private static final long SPACE = SafeEncoding.pow(SUFFIX_LENGTH);
    /** Not divisible by 3, hence coprime to 27^5: the multiplication permutes the suffix space. */
    private static final long MULTIPLIER = 7_368_787L;
    private static final Pattern OWNED = Pattern.compile(
            "^(.+)-[" + SafeEncoding.ALPHABET + "]{" + TemplateHash.LENGTH + "}-[" + SafeEncoding.ALPHABET + "]{" + SUFFIX_LENGTH + "}$");

    private TaskNames() {}

    public static String taskId(String workloadName, String templateHash, String uid, long seq) {
        return workloadName + "-" + templateHash + "-" + suffix(uid, seq);
    }

    static String suffix(String uid, long seq) {
        long offset = Math.floorMod(SafeEncoding.fnv1a(uid), SPACE);
        long mixed = Math.floorMod(Math.floorMod(seq, SPACE) * MULTIPLIER + offset, SPACE);
        return SafeEncoding.encode(mixed, SUFFIX_LENGTH);
    }

    /** The workload name a generated pod name belongs to, if the name has the generated shape. */
    public static Optional<String> ownerOf(String podName) {
        Matcher m = OWNED.matcher(podName == null ? "" : podName);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }
}

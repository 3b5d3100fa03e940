package io.berth.registry.core;

/** Rules for subject names. */
public final class Subjects {
    private Subjects() {}

    /** Refuses (42208) a subject that is empty or contains control characters such as CR, LF or TAB. */
    public static String validate(String subject) {
        if (subject == null || subject.isEmpty()) {
            throw new RegistryError(RegistryError.INVALID_SUBJECT, "The specified subject is not valid: it is empty.");
        }
        for (int i = 0; i < subject.length(); i++) {
            if (Character.isISOControl(subject.charAt(i))) {
                throw new RegistryError(RegistryError.INVALID_SUBJECT, "The specified subject '" + subject.replaceAll("\\p{Cntrl}", "?")
                        + "' is not valid: it contains a control character at position " + i + ".");
            }
        }
        return subject;
    }
}

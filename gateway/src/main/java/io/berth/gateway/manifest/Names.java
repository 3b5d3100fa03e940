package io.berth.gateway.manifest;

import java.util.Map;
import java.util.regex.Pattern;

/** Kubernetes' name and label rules (apimachinery's validation package), with its messages. */
final class Names {
    private Names() {}

    private static final String LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final Pattern DNS1123_LABEL = Pattern.compile(LABEL_FMT);
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile(LABEL_FMT + "(\\." + LABEL_FMT + ")*");
    private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern QUALIFIED_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

    /** Null when valid, else the reason. For namespaces, container, volume and port names. */
    static String dns1123Label(String s) {
        if (s.length() > 63) return "must be no more than 63 characters";
        if (!DNS1123_LABEL.matcher(s).matches()) {
            return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start"
                    + " and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '"
                    + LABEL_FMT + "')";
        }
        return null;
    }

    /** For Deployment and Pod names. */
    static String dns1123Subdomain(String s) {
        if (s.length() > 253) return "must be no more than 253 characters";
        if (!DNS1123_SUBDOMAIN.matcher(s).matches()) {
            return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must"
                    + " start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '"
                    + LABEL_FMT + "(\\." + LABEL_FMT + ")*')";
        }
        return null;
    }

    /** For Service names. */
    static String dns1035Label(String s) {
        if (s.length() > 63) return "must be no more than 63 characters";
        if (!DNS1035_LABEL.matcher(s).matches()) {
            return "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic"
                    + " character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for"
                    + " validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
        }
        return null;
    }

    /** A label or annotation key: optional DNS subdomain prefix, '/', a name of at most 63 characters. */
    static String qualifiedName(String key) {
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (prefix.isEmpty() || dns1123Subdomain(prefix) != null) return "prefix part " + (prefix.isEmpty()
                    ? "must be non-empty" : "must be a lowercase RFC 1123 subdomain");
        }
        if (name.isEmpty()) return "name part must be non-empty";
        if (name.length() > 63) return "name part must be no more than 63 characters";
        if (!QUALIFIED_NAME.matcher(name).matches()) {
            return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an"
                    + " alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc')";
        }
        return null;
    }

    static String labelValue(String v) {
        if (v.length() > 63) return "must be no more than 63 characters";
        if (!LABEL_VALUE.matcher(v).matches()) {
            return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and"
                    + " must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345')";
        }
        return null;
    }

    static String envName(String v) {
        if (!ENV_NAME.matcher(v).matches()) {
            return "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.',"
                    + " and must not start with a digit";
        }
        return null;
    }

    /** Kubernetes' IANA_SVC_NAME (a named port), with its messages; null when valid. */
    static String portName(String v) {
        if (v.length() > 15) return "must be no more than 15 characters";
        if (!v.matches("[-a-z0-9]+")) return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
        if (!v.matches(".*[a-z].*")) return "must contain at least one letter (a-z)";
        if (v.contains("--")) return "must not contain consecutive hyphens";
        if (v.startsWith("-") || v.endsWith("-")) return "must not begin or end with a hyphen";
        return null;
    }

    /** Validates label keys and values at {@code path} (e.g. {@code metadata.labels}). */
    static void labels(Fields f, Map<String, String> labels, String path) {
        labels.forEach((k, v) -> {
            String keyProblem = qualifiedName(k);
            if (keyProblem != null) f.invalid(path, "\"" + k + "\"", keyProblem);
            String valueProblem = labelValue(v);
            if (valueProblem != null) f.invalid(path, "\"" + v + "\"", valueProblem);
        });
    }

    static void annotationKeys(Fields f, Map<String, String> annotations, String path) {
        annotations.keySet().forEach(k -> {
            String keyProblem = qualifiedName(k);
            if (keyProblem != null) f.invalid(path, "\"" + k + "\"", keyProblem);
        });
    }
}

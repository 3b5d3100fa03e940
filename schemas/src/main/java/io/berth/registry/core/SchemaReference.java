package io.berth.registry.core;

/** A reference from one schema to a named type registered under another subject and version. */
public record SchemaReference(String name, String subject, int version) {
    @Override
    public String toString() {
        return "{name=" + name + ", subject=" + subject + ", version=" + version + "}";
    }
}

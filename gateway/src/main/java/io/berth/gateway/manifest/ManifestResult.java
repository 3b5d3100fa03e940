package io.berth.gateway.manifest;

import io.berth.schemas.avro.Intent;

import java.util.ArrayList;
import java.util.List;

/**
 * What parsing one or more manifests produced. Every error is reported at once; a caller must not
 * act on {@link #intents()} unless {@link #ok()}.
 */
public record ManifestResult(List<Intent> intents, List<ManifestProblem> warnings, List<ManifestProblem> errors) {

    public ManifestResult {
        intents = List.copyOf(intents);
        warnings = List.copyOf(warnings);
        errors = List.copyOf(errors);
    }

    public boolean ok() {
        return errors.isEmpty();
    }

    /** This result followed by another (several files given to one {@code apply}). */
    public ManifestResult plus(ManifestResult other) {
        List<Intent> i = new ArrayList<>(intents);
        i.addAll(other.intents);
        List<ManifestProblem> w = new ArrayList<>(warnings);
        w.addAll(other.warnings);
        List<ManifestProblem> e = new ArrayList<>(errors);
        e.addAll(other.errors);
        return new ManifestResult(i, w, e);
    }

    public static ManifestResult empty() {
        return new ManifestResult(List.of(), List.of(), List.of());
    }

    /** The error messages ({@code field: reason}), convenient for tests and API responses. */
    public List<String> errorMessages() {
        return errors.stream().map(ManifestProblem::message).toList();
    }

    public List<String> warningMessages() {
        return warnings.stream().map(ManifestProblem::message).toList();
    }
}

package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.*;

class SelectorsTest {
    static final JsonNode POD;

    static {
        try {
            POD = new ObjectMapper().readTree("""
                    {"metadata":{"name":"web-1","namespace":"default","labels":{"app":"web","tier":"front"}},
                     "spec":{"nodeName":"n1"},"status":{"phase":"Running"}}""");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "app=web|true", "app==web|true", "app!=web|false", "app=db|false", "app!=db|true",
            "app in (web, db)|true", "app in (db)|false", "app notin (db)|true", "app notin (web,db)|false",
            "app|true", "!app|false", "canary|false", "!canary|true", "app=web,tier=front|true", "app=web,tier=back|false",
            "app in (web),!canary,tier|true", "zone!=a|true"})
    void shouldMatchLabelSelectors(String selector, boolean expected) {
        assertEquals(expected, Selectors.labels(selector).test(POD), selector);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "app=web|app=web", "app==web|app=web", "app in (web)|app=web", "app in ( web )|app=web", "app=web,tier=front|app=web;tier=front",
            "app!=web|", "app in (web,db)|", "app notin (web)|", "app|", "!app|", "app=web,!canary,tier!=db,zone in (a)|app=web;zone=a", "|"})
    void shouldExtractOnlyTheEqualityRequirementsAnIndexCanAnswer(String selector, String expected) {
        StringBuilder got = new StringBuilder();
        Selectors.labelEqualities(selector).forEach((k, v) -> got.append(got.isEmpty() ? "" : ";").append(k).append('=').append(v));
        assertEquals(expected == null ? "" : expected, got.toString(), selector);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "spec.nodeName=n1|true", "spec.nodeName!=n1|false", "status.phase=Running|true", "status.phase==Pending|false",
            "metadata.name=web-1,metadata.namespace=default|true", "spec.nodeName=|false"})
    void shouldMatchFieldSelectors(String selector, boolean expected) {
        assertEquals(expected, Selectors.fields(selector).test(POD), selector);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"spec.containers=x", "status.phase", "=x"})
    void shouldRejectUnsupportedFieldSelectorsAsBadRequest(String selector) {
        ApiException e = assertThrows(ApiException.class, () -> Selectors.fields(selector));
        assertEquals(400, e.code());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"app in web", "=web", "bad key!=x"})
    void shouldRejectMalformedLabelSelectorsAsBadRequest(String selector) {
        assertEquals(400, assertThrows(ApiException.class, () -> Selectors.labels(selector)).code());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"1.2.3|bad count", "a.b.c.d.e.f|not numbers", "-1.0.0.0.0.0|negative"})
    void shouldRejectMalformedResourceVersions(String rv, String why) {
        assertEquals(400, assertThrows(ApiException.class, () -> ResourceVersions.decode(rv, 6)).code(), why);
    }

    @org.junit.jupiter.api.Test
    void shouldRoundTripResourceVersionsAndTreatZeroAsAny() {
        assertArrayEquals(new long[] {12, 0, 5, 33, 0, 7}, ResourceVersions.decode(ResourceVersions.encode(new long[] {12, 0, 5, 33, 0, 7}), 6));
        assertNull(ResourceVersions.decode("0", 6));
        assertNull(ResourceVersions.decode("", 6));
    }
}

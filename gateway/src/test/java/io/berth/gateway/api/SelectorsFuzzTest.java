package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.testing.Fuzz;
import net.jqwik.api.*;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Label and field selectors ({@code ?labelSelector=}, {@code ?fieldSelector=} on every list and
 * watch) on generated text: each is a predicate that evaluates on any object, or a 400
 * {@link ApiException}; never another exception (which the router would answer with a 500), within 1 s.
 */
@AddLifecycleHook(Fuzz.class)
class SelectorsFuzzTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<JsonNode> OBJECTS = objects();

    static List<JsonNode> objects() {
        ObjectNode pod = JSON.createObjectNode();
        pod.putObject("metadata").put("name", "web-1").put("namespace", "default").putObject("labels").put("app", "web").put("tier", "front");
        pod.putObject("spec").put("nodeName", "n1");
        pod.putObject("status").put("phase", "Running");
        ObjectNode odd = JSON.createObjectNode();
        odd.putObject("metadata").putArray("labels").add("app");
        odd.put("spec", 5);
        return List.of(pod, odd, JSON.createObjectNode(), JSON.createArrayNode(), JSON.nullNode());
    }

    @Property(tries = 3000)
    void aLabelSelectorIsAPredicateOrA400(@ForAll("selectors") String selector) {
        Fuzz.within(Duration.ofSeconds(1), selector, () -> {
            Predicate<JsonNode> p;
            try {
                p = Selectors.labels(selector);
            } catch (ApiException refused) {
                assertEquals(400, refused.code(), refused.getMessage());
                return;
            }
            for (JsonNode o : OBJECTS) p.test(o);
            assertNotNull(Selectors.labelEqualities(selector));
        });
    }

    @Property(tries = 2000)
    void aFieldSelectorIsAPredicateOrA400(@ForAll("selectors") String selector) {
        Fuzz.within(Duration.ofSeconds(1), selector, () -> {
            Predicate<JsonNode> p;
            try {
                p = Selectors.fields(selector);
            } catch (ApiException refused) {
                assertEquals(400, refused.code(), refused.getMessage());
                return;
            }
            for (JsonNode o : OBJECTS) p.test(o);
        });
    }

    @Provide
    Arbitrary<String> selectors() {
        Arbitrary<String> key = Arbitraries.of("app", "tier", "a.b/c", "example.com/x", "-bad", "bad-", "/x", "x/", "a b", "", "metadata.name",
                "spec.nodeName", "status.phase", "k".repeat(64), "in", "notin", "!", "ä");
        Arbitrary<String> op = Arbitraries.of("=", "==", "!=", " in ", " notin ", "", "!", "=!", "===", " in", "notin ", " IN ");
        Arbitrary<String> value = Arbitraries.of("web", "", "(a,b)", "(a)", "()", "(", ")", "(a,(b))", "a,b", "Running", "n1", " x ", "((", "))");
        Arbitrary<String> req = Arbitraries.oneOf(Combinators.combine(key, op, value).as((k, o, v) -> k + o + v),
                key.map(k -> "!" + k), key);
        return Arbitraries.oneOf(req.list().ofMaxSize(4).map(l -> String.join(",", l)),
                Arbitraries.strings().withChars("abc=!(), inot/.-_").ofMaxLength(30), Arbitraries.strings().ofMaxLength(20));
    }
}

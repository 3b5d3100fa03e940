package io.berth.gateway.api;

import org.junit.jupiter.api.Test;

import java.util.*;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

class ObjectIndexTest {
    record Obj(String key, String kind, String ns, String name, Map<String, String> labels) {}

    static ObjectIndex<Obj> index() {
        return new ObjectIndex<>(new ObjectIndex.Keys<>(Obj::kind, Obj::ns, Obj::name, Obj::key, Obj::labels));
    }

    static Obj pod(String ns, String name, String... labels) {
        Map<String, String> l = new HashMap<>();
        for (int i = 0; i < labels.length; i += 2) l.put(labels[i], labels[i + 1]);
        return new Obj("t-" + ns + "-" + name, "Pod", ns, name, l);
    }

    static List<String> names(List<Obj> objs) {
        return objs.stream().map(o -> o.ns() + "/" + o.name()).toList();
    }

    @Test
    void shouldListByNamespaceSortedByNamespaceThenName() {
        ObjectIndex<Obj> idx = index();
        for (Obj o : List.of(pod("b", "z"), pod("a", "y"), pod("b", "a"), pod("a", "x"))) idx.replace(null, o);
        idx.replace(null, new Obj("d1", "Deployment", "a", "web", Map.of()));
        assertEquals(List.of("a/x", "a/y", "b/a", "b/z"), names(idx.list("Pod", null, Map.of())));
        assertEquals(List.of("b/a", "b/z"), names(idx.list("Pod", "b", Map.of())));
        assertEquals(List.of(), idx.list("Pod", "c", Map.of()));
        assertEquals(List.of("a/web"), names(idx.list("Deployment", null, Map.of())));
        assertEquals(4, idx.size("Pod"));
    }

    @Test
    void shouldGetByNameInANamespaceOrAny() {
        ObjectIndex<Obj> idx = index();
        idx.replace(null, pod("a", "web"));
        idx.replace(null, pod("a", "web-1"));
        idx.replace(null, new Obj("/node/n1", "Node", "", "n1", Map.of()));
        assertEquals("t-a-web", idx.get("Pod", "a", "web").orElseThrow().key());
        assertEquals("t-a-web-1", idx.get("Pod", "a", "web-1").orElseThrow().key());
        assertTrue(idx.get("Pod", "a", "we").isEmpty(), "a name is not a prefix match");
        assertTrue(idx.get("Pod", "b", "web").isEmpty());
        assertEquals("t-a-web", idx.get("Pod", null, "web").orElseThrow().key());
        assertEquals("/node/n1", idx.get("Node", null, "n1").orElseThrow().key());
    }

    @Test
    void shouldNarrowToTheLabelEqualitiesAndForgetReplacedLabels() {
        ObjectIndex<Obj> idx = index();
        Obj web1 = pod("d", "web-1", "app", "web", "tier", "front");
        idx.replace(null, web1);
        idx.replace(null, pod("d", "web-2", "app", "web", "tier", "back"));
        idx.replace(null, pod("d", "db-1", "app", "db", "tier", "back"));
        idx.replace(null, pod("e", "web-3", "app", "web"));
        assertEquals(List.of("d/web-1", "d/web-2", "e/web-3"), names(idx.list("Pod", null, Map.of("app", "web"))));
        assertEquals(List.of("d/web-2"), names(idx.list("Pod", "d", Map.of("app", "web", "tier", "back"))));
        assertEquals(List.of(), idx.list("Pod", "d", Map.of("app", "cache")));
        // a changed label moves the object; a removed one leaves no trace
        idx.replace(web1, pod("d", "web-1", "app", "web", "tier", "back"));
        assertEquals(List.of("d/web-1", "d/web-2"), names(idx.list("Pod", "d", Map.of("app", "web", "tier", "back"))));
        assertEquals(List.of(), idx.list("Pod", "d", Map.of("tier", "front")));
        idx.replace(pod("d", "db-1", "app", "db", "tier", "back"), null);
        assertEquals(List.of("d/web-1", "d/web-2"), names(idx.list("Pod", "d", Map.of("tier", "back"))));
        assertEquals(3, idx.size("Pod"));
    }

    @Test
    void shouldKeepTwoObjectsOfTheSameNameApart() {
        ObjectIndex<Obj> idx = index();
        Obj old = new Obj("task-1", "Pod", "d", "once", Map.of("app", "x"));
        Obj replacement = new Obj("task-2", "Pod", "d", "once", Map.of("app", "x"));
        idx.replace(null, old);
        idx.replace(null, replacement);
        assertEquals(2, idx.list("Pod", "d", Map.of("app", "x")).size());
        idx.replace(old, null);
        assertEquals(List.of(replacement), idx.list("Pod", "d", Map.of("app", "x")));
        assertEquals(replacement, idx.get("Pod", "d", "once").orElseThrow());
    }

    @Test
    void shouldAnswerLikeAScanOfEveryObject() {
        Random rnd = new Random(3);
        ObjectIndex<Obj> idx = index();
        Map<String, Obj> all = new HashMap<>();
        for (int i = 0; i < 5000; i++) {
            Obj o = pod("ns" + rnd.nextInt(4), "p" + rnd.nextInt(800), "app", "a" + rnd.nextInt(5), "zone", "z" + rnd.nextInt(3));
            Obj before = rnd.nextInt(10) == 0 ? all.remove(o.key()) : all.put(o.key(), o);
            idx.replace(before, all.get(o.key()));
        }
        Comparator<Obj> order = Comparator.comparing(Obj::ns).thenComparing(Obj::name).thenComparing(Obj::key);
        for (String ns : Arrays.asList(null, "ns0", "ns3")) {
            for (Map<String, String> eq : List.of(Map.<String, String>of(), Map.of("app", "a1"), Map.of("app", "a2", "zone", "z0"))) {
                Predicate<Obj> match = o -> (ns == null || ns.equals(o.ns())) && eq.entrySet().stream().allMatch(e -> e.getValue().equals(o.labels().get(e.getKey())));
                assertEquals(all.values().stream().filter(match).sorted(order).toList(), idx.list("Pod", ns, eq), ns + " " + eq);
            }
        }
    }

    @Test
    void shouldKeepASnapshotAsItWasWhileTheIndexChanges() {
        ObjectIndex<Obj> idx = index();
        Obj a = pod("ns", "a", "app", "web"), b = pod("ns", "b", "app", "web");
        idx.replace(null, a);
        idx.replace(null, b);
        ObjectIndex<Obj> snap = idx.snapshot();
        idx.replace(a, null);
        idx.replace(b, pod("ns", "b", "app", "db"));
        idx.replace(null, pod("ns", "c", "app", "web"));
        assertEquals(List.of("ns/a", "ns/b"), names(snap.list("Pod", "ns", Map.of("app", "web"))));
        assertEquals(List.of("ns/c"), names(idx.list("Pod", "ns", Map.of("app", "web"))));
        assertEquals(List.of("ns/b"), names(idx.list("Pod", "ns", Map.of("app", "db"))));
        assertTrue(snap.get("Pod", "ns", "a").isPresent());
        assertTrue(idx.get("Pod", "ns", "a").isEmpty());
        assertThrows(UnsupportedOperationException.class, () -> snap.replace(null, a));
    }
}

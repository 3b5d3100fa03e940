package io.berth.ops.kafka;

import io.berth.schemas.Topics;
import io.berth.scheduler.SchedulerService;
import io.berth.state.StateStreamsTopology;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Kafka ACLs under which Berth's services and node daemons run as their own principals (issue 12,
 * item 5). Who may deploy through the bus is who may WRITE {@code berth.intents}: here only the gateway.
 * <pre>
 *   every Berth principal   READ, DESCRIBE, DESCRIBE_CONFIGS  topics berth.*   (views, assignments, audit; topic checks at start)
 *   gateway                 WRITE  berth.intents, berth.rbac, berth.audit-snapshots, berth.audit
 *   state-streams           WRITE  its outputs; ALL on its own internal topics, group and transactional ids (berth-state-streams*)
 *   scheduler               WRITE  berth.assignments, berth.task-status, berth.audit, berth.dead-letters, berth.ticks; its own ids (berth-scheduler*)
 *   node daemons            WRITE  berth.node-events, berth.task-status, berth.logs, berth.audit, berth.dead-letters
 *   registry                READ, WRITE, DESCRIBE, DESCRIBE_CONFIGS _schemas and _schemas_leader; group schema-registry
 * </pre>
 * The topics themselves are made by an administrator (a super user) before the services start, as
 * {@code berth up} does. Read access to {@code berth.*} is broad on purpose: every view is read by more than
 * one service; a node can read other nodes' assignments (their records are signed, not secret).
 */
public final class BerthAcls {
    private BerthAcls() {}

    /** The principals, as Kafka spells them ({@code User:name}); any number of node principals. */
    public record Principals(String registry, String stateStreams, String scheduler, String gateway, List<String> nodes) {
        public static Principals defaults() {
            return new Principals("User:berth-registry", "User:berth-state-streams", "User:berth-scheduler", "User:berth-gateway",
                    List.of("User:berth-node"));
        }

        List<String> all() {
            List<String> a = new ArrayList<>(List.of(registry, stateStreams, scheduler, gateway));
            a.addAll(nodes);
            return a;
        }
    }

    public static List<AclBinding> bindings(Principals p) {
        List<AclBinding> out = new ArrayList<>();
        for (String who : p.all()) {
            prefixedTopic(out, who, "berth.", AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);
        }
        topics(out, p.gateway(), AclOperation.WRITE, Topics.INTENTS.name(), Topics.RBAC.name(), Topics.AUDIT_SNAPSHOTS.name(), Topics.AUDIT.name());

        topics(out, p.stateStreams(), AclOperation.WRITE, Topics.PLACEMENT_REQUESTS.name(), Topics.ASSIGNMENTS.name(), Topics.AUDIT.name(),
                Topics.DEAD_LETTERS.name(), Topics.EVENTS.name(), Topics.TICKS.name(), Topics.TASK_STATUS.name(),
                Topics.NODE_EVENTS.name());  // node-events: the ticker's CLOCK records (state-streams README, "Node leases")
        prefixedTopic(out, p.stateStreams(), "berth.state.", AclOperation.WRITE);
        streamsApp(out, p.stateStreams(), StateStreamsTopology.APPLICATION_ID);

        topics(out, p.scheduler(), AclOperation.WRITE, Topics.ASSIGNMENTS.name(), Topics.TASK_STATUS.name(), Topics.AUDIT.name(),
                Topics.DEAD_LETTERS.name(), Topics.TICKS.name());
        streamsApp(out, p.scheduler(), SchedulerService.APPLICATION_ID);

        for (String node : p.nodes()) {
            topics(out, node, AclOperation.WRITE, Topics.NODE_EVENTS.name(), Topics.TASK_STATUS.name(), Topics.LOGS.name(),
                    Topics.AUDIT.name(), Topics.DEAD_LETTERS.name(), Topics.NODE_STATS.name(),
                    Topics.EVENTS.name()); // events: ImageTagMoved, as the kubelet writes its pods' events
        }

        for (String t : List.of(Topics.SCHEMAS_TOPIC, Topics.SCHEMAS_TOPIC + "_leader")) {
            topics(out, p.registry(), AclOperation.READ, t);
            topics(out, p.registry(), AclOperation.WRITE, t);
            topics(out, p.registry(), AclOperation.DESCRIBE, t);
            topics(out, p.registry(), AclOperation.DESCRIBE_CONFIGS, t);
        }
        out.add(allow(p.registry(), new ResourcePattern(ResourceType.GROUP, "schema-registry", PatternType.LITERAL), AclOperation.READ));
        return out;
    }

    /** A Streams app with exactly-once: its internal topics, its consumer group and its transactional ids all start with the app id. */
    private static void streamsApp(List<AclBinding> out, String who, String applicationId) {
        out.add(allow(who, new ResourcePattern(ResourceType.TOPIC, applicationId, PatternType.PREFIXED), AclOperation.ALL));
        out.add(allow(who, new ResourcePattern(ResourceType.GROUP, applicationId, PatternType.PREFIXED), AclOperation.READ));
        out.add(allow(who, new ResourcePattern(ResourceType.TRANSACTIONAL_ID, applicationId, PatternType.PREFIXED), AclOperation.WRITE));
        out.add(allow(who, new ResourcePattern(ResourceType.TRANSACTIONAL_ID, applicationId, PatternType.PREFIXED), AclOperation.DESCRIBE));
    }

    private static void topics(List<AclBinding> out, String who, AclOperation op, String... names) {
        for (String n : names) out.add(allow(who, new ResourcePattern(ResourceType.TOPIC, n, PatternType.LITERAL), op));
    }

    private static void prefixedTopic(List<AclBinding> out, String who, String prefix, AclOperation... ops) {
        for (AclOperation op : ops) out.add(allow(who, new ResourcePattern(ResourceType.TOPIC, prefix, PatternType.PREFIXED), op));
    }

    private static AclBinding allow(String who, ResourcePattern pattern, AclOperation op) {
        return new AclBinding(pattern, new AccessControlEntry(who, "*", op, AclPermissionType.ALLOW));
    }

    /** One {@code kafka-acls.sh} command per binding, for operators who apply them with Kafka's own tool. */
    public static List<String> commands(List<AclBinding> bindings, String bootstrapServers, String commandConfig) {
        List<String> out = new ArrayList<>();
        for (AclBinding b : bindings) {
            ResourcePattern r = b.pattern();
            String resource = switch (r.resourceType()) {
                case TOPIC -> "--topic " + r.name();
                case GROUP -> "--group " + r.name();
                case TRANSACTIONAL_ID -> "--transactional-id " + r.name();
                default -> "--cluster";
            };
            out.add("kafka-acls.sh --bootstrap-server " + bootstrapServers + " --command-config " + commandConfig
                    + " --add --allow-principal " + b.entry().principal()
                    + " --operation " + camel(b.entry().operation())
                    + " " + resource + (r.patternType() == PatternType.PREFIXED ? " --resource-pattern-type prefixed" : ""));
        }
        return out;
    }

    private static String camel(AclOperation op) {
        String s = op.name().toLowerCase(Locale.ROOT);
        StringBuilder b = new StringBuilder();
        for (String part : s.split("_")) b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        return b.toString();
    }
}

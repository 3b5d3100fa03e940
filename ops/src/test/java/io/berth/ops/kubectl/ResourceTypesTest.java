package io.berth.ops.kubectl;

import io.berth.schemas.avro.ResourceKind;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The one table of type names: what {@code get}/{@code delete} resolve and what {@code auth can-i} sends. */
class ResourceTypesTest {
    @Test
    void servedTypesResolveByPluralSingularShortNameAndGroup() {
        for (String t : new String[]{"deployments", "deployment", "deploy", "deployment.apps", "deployments.apps", "Deployments"}) {
            assertSame(ResourceTypes.DEPLOYMENTS, ResourceTypes.resource(t), t);
        }
        assertSame(ResourceTypes.PODS, ResourceTypes.resource("po"));
        assertSame(ResourceTypes.STATEFULSETS, ResourceTypes.resource("sts"));
        assertSame(ResourceTypes.PERSISTENT_VOLUME_CLAIMS, ResourceTypes.resource("pvc"));
        assertSame(ResourceTypes.CONFIG_MAPS, ResourceTypes.resource("cm"));
        assertSame(ResourceTypes.ENDPOINTS, ResourceTypes.resource("ep"));
        assertSame(ResourceTypes.CLUSTER_ROLES, ResourceTypes.resource("clusterrole.rbac.authorization.k8s.io"));
        assertEquals(ResourceKind.NAMESPACE, ResourceTypes.kind("ns"));
        assertNull(ResourceTypes.kind("events"), "events have no ResourceKind");
    }

    @Test
    void typesTheGatewayDoesNotServeAreUnknownToGetButKnownToRbac() {
        assertNull(ResourceTypes.resource("pdb"));
        assertNull(ResourceTypes.resource("deployments.extensions"), "a served plural in another group is not the served resource");
        assertEquals("poddisruptionbudgets", ResourceTypes.known("pdb").plural());
        assertEquals("policy", ResourceTypes.known("poddisruptionbudgets.policy").group());
        assertEquals("policy", ResourceTypes.known("pdb").group());
    }

    @Test
    void canIResolvesTheGroupAndPluralItSends() {
        assertArrayEquals(new String[]{"apps", "deployments"}, AuthCommand.CanI.resolve("deploy"));
        assertArrayEquals(new String[]{"", "secrets"}, AuthCommand.CanI.resolve("secret"));
        assertArrayEquals(new String[]{"apps", "statefulsets"}, AuthCommand.CanI.resolve("sts"));
        assertArrayEquals(new String[]{"example.com", "widgets"}, AuthCommand.CanI.resolve("widgets.example.com"));
        assertArrayEquals(new String[]{"*", "*"}, AuthCommand.CanI.resolve("*"));
        assertNull(AuthCommand.CanI.resolve("widgets"));
    }
}

package io.berth.ops.bench;

import io.berth.gateway.manifest.ManifestParser;
import io.berth.gateway.manifest.ManifestResult;
import io.berth.node.docker.ContainerRequest;
import io.berth.node.docker.PodUnit;
import io.berth.schemas.AvroTrust;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.DeploymentSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The three systems of {@code ops/bench real-docker} run the same pod; a stalled phase is reported, not waited for. */
class RealDockerBenchmarkTest {
    static {
        AvroTrust.ensure();
    }

    @Test
    void theDeploymentBerthAppliesIsTheImageAndCommandTheRawContainersAndSwarmRun() {
        ManifestResult r = new ManifestParser().parse("", RealDockerBenchmark.deployment("bench50", 50));
        assertEquals(List.of(), r.errors());
        DeploymentSpec d = (DeploymentSpec) r.intents().get(0).getPayload();
        assertEquals(50, d.getReplicas());
        ContainerSpec c = d.getTemplate().getContainers().get(0);
        assertEquals(RealDockerBenchmark.IMAGE, c.getImage());
        assertEquals(RealDockerBenchmark.COMMAND, c.getCommand());

        ContainerSpec raw = ContainerRequest.mainContainer(RealDockerBenchmark.assignment("raw-1", "n"));
        assertEquals(c.getImage(), raw.getImage());
        assertEquals(c.getCommand(), raw.getCommand());
        assertEquals(1, PodUnit.of(RealDockerBenchmark.assignment("raw-1", "n")).size(), "one container, no infra: as a one-container pod");
    }

    @Test
    void aPhasePastItsDeadlineSaysHowFarItGot() {
        assertEquals("did not finish: 33/50 Running after 300 s", new RealDockerBenchmark.Phase(300.2, 33, 50, false).note());
        assertNull(new RealDockerBenchmark.Phase(12.5, 50, 50, true).note());
    }
}

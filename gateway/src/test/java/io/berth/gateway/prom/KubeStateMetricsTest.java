package io.berth.gateway.prom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kube-state-metrics' series from Kubernetes objects as the gateway renders them: a plain function of the objects. */
class KubeStateMetricsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    static String text(List<JsonNode> pods, List<JsonNode> deployments, List<JsonNode> nodes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, new MetricSnapshots(KubeStateMetrics.snapshots(pods, deployments, nodes)));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldExportOneSeriesPerPodAndPhaseAndCountThePendingOnes() throws Exception {
        String t = text(List.of(json("{'metadata':{'namespace':'shop','name':'web-1','uid':'u1'},'status':{'phase':'Running'}}"),
                        json("{'metadata':{'namespace':'shop','name':'web-2','uid':'u2'},'status':{'phase':'Pending'}}")),
                List.of(), List.of());
        assertTrue(t.contains("kube_pod_status_phase{namespace=\"shop\",phase=\"Running\",pod=\"web-1\",uid=\"u1\"} 1.0"), t);
        assertTrue(t.contains("kube_pod_status_phase{namespace=\"shop\",phase=\"Pending\",pod=\"web-1\",uid=\"u1\"} 0.0"), t);
        assertTrue(t.contains("kube_pod_status_phase{namespace=\"shop\",phase=\"Pending\",pod=\"web-2\",uid=\"u2\"} 1.0"), t);
        assertTrue(t.contains("berth_pods_pending 1.0"), t);
    }

    @Test
    void shouldExportDeploymentReplicasAndNodeConditions() throws Exception {
        String t = text(List.of(),
                List.of(json("{'metadata':{'namespace':'shop','name':'web'},'spec':{'replicas':3},'status':{'replicas':4,'availableReplicas':2,"
                        + "'updatedReplicas':1,'observedGeneration':5}}")),
                List.of(json("{'metadata':{'name':'n1'},'spec':{'unschedulable':true},'status':{'conditions':[{'type':'Ready','status':'True'}]}}")));
        assertTrue(t.contains("kube_deployment_spec_replicas{deployment=\"web\",namespace=\"shop\"} 3.0"), t);
        assertTrue(t.contains("kube_deployment_status_replicas{deployment=\"web\",namespace=\"shop\"} 4.0"), t);
        assertTrue(t.contains("kube_deployment_status_replicas_available{deployment=\"web\",namespace=\"shop\"} 2.0"), t);
        assertTrue(t.contains("kube_deployment_status_replicas_updated{deployment=\"web\",namespace=\"shop\"} 1.0"), t);
        assertTrue(t.contains("kube_node_status_condition{condition=\"Ready\",node=\"n1\",status=\"true\"} 1.0"), t);
        assertTrue(t.contains("kube_node_status_condition{condition=\"Ready\",node=\"n1\",status=\"false\"} 0.0"), t);
        assertTrue(t.contains("kube_node_spec_unschedulable{node=\"n1\"} 1.0"), t);
    }

    @Test
    void shouldForgetAPodThatIsGone() throws Exception {
        JsonNode pod = json("{'metadata':{'namespace':'shop','name':'web-1','uid':'u1'},'status':{'phase':'Running'}}");
        assertTrue(text(List.of(pod), List.of(), List.of()).contains("pod=\"web-1\""));
        assertFalse(text(List.of(), List.of(), List.of()).contains("pod=\"web-1\""), "computed at scrape time: no stale series");
    }
}

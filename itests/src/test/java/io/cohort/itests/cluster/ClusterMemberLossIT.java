package io.cohort.itests.cluster;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;

import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;

import io.cohort.itests.cluster.plugin.probe.ProbePlugin;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * A cluster of three nodes that loses one: the node is killed (its member terminates without handing over its
 * partitions), and the two others keep serving every cached value from the backups.
 */
public class ClusterMemberLossIT {

    private static final int ENTRIES = 200;

    @Rule
    public final Timeout timeout = Timeout.seconds(240);

    private ClusterHarness cluster;

    @After
    public void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    public void cache_nodeKilled_othersReadEveryValue() {
        cluster = ClusterHarness.start("ClusterMemberLossIT", 3);
        cluster.installEverywhere(PluginJar.bundle("io.cohort.itests.cluster.probe", "1.0.0")
                .withPackageOf(ProbePlugin.class)
                .buildTo(Paths.get(System.getProperty("cohort.it.buildDir", "target"), "cluster-plugins",
                        "probe.jar")), ProbePlugin.NAME);
        ClusterNode nodeA = cluster.node(0);
        ClusterNode nodeB = cluster.node(1);
        ClusterNode nodeC = cluster.node(2);
        for (int i = 0; i < ENTRIES; i++) {
            nodeC.run("probe:cacheSet survivors key-" + i + " value-" + i + " 0");
        }

        cluster.kill(nodeC);

        for (ClusterNode node : List.of(nodeA, nodeB)) {
            eventually(Duration.ofSeconds(30), () -> assertEquals(node.name() + " members after the kill", 2,
                    ClusterHarness.json(node.run("cohort:members --json")).get("members").size()));
            for (int i = 0; i < ENTRIES; i++) {
                assertEquals(node.name() + " key-" + i, "value-" + i, node.run("probe:cacheGet survivors key-" + i));
            }
        }
    }
}

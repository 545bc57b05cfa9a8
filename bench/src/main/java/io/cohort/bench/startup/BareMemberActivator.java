package io.cohort.bench.startup;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * Starts one Hazelcast member inside the bare framework of {@link BareFelixMain}, with the loopback settings a
 * Cohort node uses: interface 127.0.0.1, tcp-ip join on its own port, multicast, auto-detection and phone home off,
 * CP subsystem in unsafe mode.
 */
public final class BareMemberActivator implements BundleActivator {

    private HazelcastInstance instance;

    @Override
    public void start(BundleContext context) {
        int port = Integer.parseInt(context.getProperty(BareFelixMain.PORT_PROPERTY));
        Config config = new Config().setClusterName(context.getProperty(BareFelixMain.CLUSTER_PROPERTY));
        config.setClassLoader(BareMemberActivator.class.getClassLoader());
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.local.localAddress", "127.0.0.1");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        NetworkConfig network = config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + port);
        config.getCPSubsystemConfig().setCPMemberCount(0);
        // Cohort's member runs without metrics collection, so the bare one does too.
        config.getMetricsConfig().setEnabled(false);
        instance = Hazelcast.newHazelcastInstance(config);
    }

    @Override
    public void stop(BundleContext context) {
        if (instance != null) {
            instance.shutdown();
        }
    }
}

package io.cohort.bench.startup;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * The bare node that {@link StartupHarness} compares a Cohort node with: a Felix framework that installs and starts
 * every jar of one folder, which contains Hazelcast and {@link BareMemberActivator} only. It prints
 * {@value #READY_LINE} followed by the milliseconds since the JVM started once every bundle is started, and stops the
 * framework on SIGTERM.
 *
 * <p>Usage: {@code BareFelixMain BUNDLE_DIR STORAGE_DIR MEMBER_PORT CLUSTER_NAME}. It runs from a class path of the
 * Felix framework jar and a jar with this class alone, so no other class of the benchmark reaches the framework.
 */
public final class BareFelixMain {

    static final String READY_LINE = "BARE-READY";
    static final String PORT_PROPERTY = "cohort.bench.bare.port";
    static final String CLUSTER_PROPERTY = "cohort.bench.bare.cluster";

    private BareFelixMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: BareFelixMain BUNDLE_DIR STORAGE_DIR MEMBER_PORT CLUSTER_NAME");
            System.exit(2);
        }
        Map<String, String> properties = new HashMap<>();
        properties.put("org.osgi.framework.storage", args[1]);
        properties.put("org.osgi.framework.storage.clean", "onFirstInit");
        properties.put("org.osgi.framework.bootdelegation", "jdk.net");
        properties.put(PORT_PROPERTY, args[2]);
        properties.put(CLUSTER_PROPERTY, args[3]);
        Framework framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(properties);
        framework.init();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(framework), "bare-felix-stop"));

        BundleContext context = framework.getBundleContext();
        File[] jars = new File(args[0]).listFiles((dir, name) -> name.endsWith(".jar"));
        if (jars == null || jars.length == 0) {
            throw new IllegalArgumentException("no bundle jars in " + args[0]);
        }
        Arrays.sort(jars);
        List<Bundle> installed = new ArrayList<>();
        for (File jar : jars) {
            installed.add(context.installBundle(jar.toURI().toString()));
        }
        framework.start();
        try {
            for (Bundle bundle : installed) {
                bundle.start();
            }
        } catch (BundleException e) {
            e.printStackTrace();
            stop(framework);
            System.exit(1);
        }

        System.out.println(READY_LINE + " " + (System.currentTimeMillis()
                - ManagementFactory.getRuntimeMXBean().getStartTime()));
        System.out.flush();
        framework.waitForStop(0);
    }

    private static void stop(Framework framework) {
        try {
            framework.stop();
            framework.waitForStop(30_000);
        } catch (BundleException e) {
            e.printStackTrace();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

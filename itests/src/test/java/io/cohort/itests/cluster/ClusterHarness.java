package io.cohort.itests.cluster;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;

/**
 * Starts a cluster of Cohort nodes in this JVM: one embedded Felix framework per node, each with its own storage,
 * its own copies of the bundles of the built distribution's {@code system/} folder, its own data directory and its
 * own Hazelcast member. The framework properties are the distribution's {@code etc/cohort.properties}, resolved for
 * the node's folder, so the tests run the bundles as the distribution wires them.
 *
 * <p>Isolation from other clusters on this host: member ports come from 127.0.0.1:{@value #FIRST_PORT}-
 * {@value #LAST_PORT}, a block of {@value #PORTS_PER_CLUSTER} per cluster on which nothing listens when the cluster
 * starts, and the cluster name carries this JVM's pid and a counter, so a concurrent run of these tests on the same
 * host neither takes the same ports nor joins this cluster.
 *
 * <p>The nodes start one after another, which is faster than in parallel on two cores, and each waits until its
 * member has joined and its adapters are registered. {@link #close} stops every framework; the members terminate at
 * once ({@code shutdown.graceful=false}) instead of handing their partitions over.
 *
 * <p>The node folders stay under {@code target/cluster/} for inspection after a failure.
 */
public final class ClusterHarness implements AutoCloseable {

    /** First member port of the cluster tests; the crash tests use 5971-5990 and the distribution test 5961-5969. */
    static final int FIRST_PORT = 5931;
    static final int LAST_PORT = 5960;
    static final int PORTS_PER_CLUSTER = 5;

    /** The application name of the test nodes. */
    static final String APP_NAME = "cluster-it";

    private static final Duration NODE_START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration MEMBERSHIP_TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger CLUSTERS = new AtomicInteger();
    private static int nextBlock;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]+)}");
    private static final Pattern LEVEL_FOLDER = Pattern.compile("[1-9][0-9]{0,2}");

    private final String clusterName;
    private final Path folder;
    private final int firstPort;
    private final List<ClusterNode> nodes = new ArrayList<>();

    private ClusterHarness(String clusterName, Path folder, int firstPort) {
        this.clusterName = clusterName;
        this.folder = folder;
        this.firstPort = firstPort;
    }

    /**
     * Starts {@code size} nodes, named {@code node-a}, {@code node-b}..., and returns once every member lists all of
     * them. Prints the time it took.
     *
     * @param testName names the folder under {@code target/cluster/}
     * @throws AssertionError if a node does not start; the nodes started so far are stopped again
     */
    public static ClusterHarness start(String testName, int size) {
        if (size > PORTS_PER_CLUSTER) {
            throw new IllegalStateException("a cluster of " + size + " nodes does not fit a block of "
                    + PORTS_PER_CLUSTER + " member ports");
        }
        int index = CLUSTERS.getAndIncrement();
        int firstPort = freePortBlock();
        // Hazelcast's OSGi activator logs before any member configuration selects slf4j.
        if (System.getProperty("hazelcast.logging.type") == null) {
            System.setProperty("hazelcast.logging.type", "slf4j");
        }
        String clusterName = "cluster-it-" + ProcessHandle.current().pid() + "-" + index;
        Path folder = freshFolder(testName);
        ClusterHarness cluster = new ClusterHarness(clusterName, folder, firstPort);

        long begin = System.nanoTime();
        List<String> nodeTimes = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                long nodeBegin = System.nanoTime();
                cluster.startNode(i);
                nodeTimes.add(cluster.nodes.get(i).name() + " " + millisSince(nodeBegin) + " ms");
            }
            cluster.awaitMembers(size);
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
        System.out.printf("Cluster %s of %d nodes started in %d ms (%s), folder %s%n", clusterName, size,
                millisSince(begin), String.join(", ", nodeTimes), folder);
        return cluster;
    }

    public ClusterNode node(int index) {
        return nodes.get(index);
    }

    public List<ClusterNode> nodes() {
        return List.copyOf(nodes);
    }

    public String clusterName() {
        return clusterName;
    }

    /** Installs and starts {@code jar} on every running node, and waits until the plugin {@code name} is LOADED. */
    public void installEverywhere(Path jar, String pluginName) {
        for (ClusterNode node : nodes) {
            if (node.isRunning()) {
                node.install(jar);
            }
        }
        for (ClusterNode node : nodes) {
            if (node.isRunning()) {
                awaitPlugin(node, pluginName, "LOADED", null);
            }
        }
    }

    /**
     * Waits until {@code node} lists plugin {@code pluginName} in {@code state}, and with bundle version
     * {@code version} unless that is null.
     */
    public static void awaitPlugin(ClusterNode node, String pluginName, String state, String version) {
        eventually(NODE_START_TIMEOUT, () -> {
            JsonNode plugins = json(node.run("cohort:plugins --json"));
            String found = null;
            for (JsonNode plugin : plugins) {
                if (plugin.get("name").asText().equals(pluginName)) {
                    found = plugin.get("state").asText() + " " + plugin.get("version").asText();
                }
            }
            String expected = state;
            String actual = found == null ? "(not listed)" : found.split(" ")[0];
            if (version != null) {
                expected = state + " " + version;
                actual = found == null ? actual : found;
            }
            assertEquals(node.name() + " plugin " + pluginName + " in " + plugins, expected, actual);
        });
    }

    /** Waits until every running node lists {@code expected} members. */
    public void awaitMembers(int expected) {
        for (ClusterNode node : nodes) {
            if (node.isRunning()) {
                eventually(MEMBERSHIP_TIMEOUT, () -> assertEquals(node.name() + " member count", expected,
                        memberCount(node)));
            }
        }
    }

    /** Kills {@code node} ({@link ClusterNode#kill}) and waits until the other nodes no longer list it. */
    public void kill(ClusterNode node) {
        node.kill();
        awaitMembers((int) nodes.stream().filter(ClusterNode::isRunning).count());
    }

    /** Stops every node, the last started first. */
    @Override
    public void close() {
        long begin = System.nanoTime();
        AssertionError failure = null;
        for (int i = nodes.size() - 1; i >= 0; i--) {
            try {
                nodes.get(i).stop();
            } catch (AssertionError e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        System.out.printf("Cluster %s stopped in %d ms%n", clusterName, millisSince(begin));
        if (failure != null) {
            throw failure;
        }
    }

    /** Parses the JSON that a {@code --json} command printed. */
    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private static int memberCount(ClusterNode node) {
        return json(node.run("cohort:members --json")).get("members").size();
    }

    private void startNode(int index) {
        String name = "node-" + (char) ('a' + index);
        Path home = folder.resolve(name.substring("node-".length()));
        try {
            Files.createDirectories(home.resolve("etc"));
            Files.createDirectories(home.resolve("deploy"));
            Files.createDirectories(home.resolve("data"));
            writeConfiguration(home, name, index);
        } catch (IOException e) {
            throw new UncheckedIOException("Preparing the folder " + home + " of " + name + " failed", e);
        }

        Framework framework = newFramework(frameworkProperties(home, index + 1));
        ClusterNode node = new ClusterNode(name, home, firstPort + index, framework);
        nodes.add(node);
        try {
            framework.init();
            installSystemBundles(framework.getBundleContext());
            framework.start();
        } catch (BundleException e) {
            throw new AssertionError(name + " did not start: " + e, e);
        }
        awaitReady(node, index + 1);
    }

    /** Waits until the node's member has joined the first {@code members} members and its adapters are there. */
    private static void awaitReady(ClusterNode node, int members) {
        eventually(NODE_START_TIMEOUT, () -> {
            assertEquals(node.name() + " member count", members, memberCount(node));
            JsonNode adapters = json(node.run("cohort:info --json")).get("adapters");
            for (String manager : List.of("cache", "pubsub", "queue", "lock")) {
                assertEquals(node.name() + " adapter of " + manager, "hazelcast", adapters.get(manager).asText());
            }
        });
    }

    /**
     * Writes the node and member configuration: node {@code index} tries port {@code firstPort + index} first, as
     * node N of the distribution tries 5700 + N, and may move up to the end of the cluster's ports.
     */
    private void writeConfiguration(Path home, String name, int index) throws IOException {
        int lastPort = firstPort + PORTS_PER_CLUSTER - 1;
        Files.writeString(home.resolve("etc/io.cohort.core.cfg"), String.join("\n",
                "app.name=" + APP_NAME,
                "node.id=" + name,
                "cache.store=hazelcast",
                "pubsub.adapter=hazelcast",
                "queue.adapter=hazelcast",
                "lock.adapter=hazelcast",
                "queue.shutdown.timeout.ms=2000",
                ""), StandardCharsets.UTF_8);
        Files.writeString(home.resolve("etc/io.cohort.hazelcast.cfg"), String.join("\n",
                "cluster.name=" + clusterName,
                "interface=127.0.0.1",
                "port=" + (firstPort + index),
                "port.count=" + (PORTS_PER_CLUSTER - index),
                "members=127.0.0.1:" + firstPort + "-" + lastPort,
                "cp.member.count=0",
                "shutdown.graceful=false",
                ""), StandardCharsets.UTF_8);
    }

    /**
     * Returns the distribution's framework properties for a node in {@code home}, with the variables the launcher
     * sets ({@code cohort.home}, {@code cohort.node}, {@code cohort.node.data}) replaced.
     */
    private static Map<String, String> frameworkProperties(Path home, int nodeNumber) {
        Properties declared = new Properties();
        Path file = distribution().resolve("etc/cohort.properties");
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            declared.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("Reading " + file + " failed", e);
        }
        Map<String, String> variables = new HashMap<>();
        variables.put("cohort.home", home.toString());
        variables.put("cohort.node", Integer.toString(nodeNumber));
        variables.put("cohort.node.data", home.resolve("data").toString());

        Map<String, String> properties = new TreeMap<>();
        for (String name : declared.stringPropertyNames()) {
            properties.put(name, resolve(file, name, declared.getProperty(name), declared, variables, 0));
        }
        properties.putAll(variables);
        properties.put("gosh.args", "--nointeractive");
        return properties;
    }

    private static String resolve(Path file, String name, String value, Properties declared,
            Map<String, String> variables, int depth) {
        if (depth > 10) {
            throw new IllegalStateException(file + ": property " + name + " refers to itself through ${...}");
        }
        Matcher matcher = VARIABLE.matcher(value);
        StringBuilder resolved = new StringBuilder();
        while (matcher.find()) {
            String variable = matcher.group(1);
            String replacement = variables.get(variable);
            if (replacement == null && declared.getProperty(variable) != null) {
                replacement = resolve(file, variable, declared.getProperty(variable), declared, variables, depth + 1);
            }
            if (replacement == null) {
                replacement = System.getProperty(variable);
            }
            if (replacement == null) {
                throw new IllegalStateException(file + ": property " + name + " refers to ${" + variable
                        + "}, which is set nowhere");
            }
            matcher.appendReplacement(resolved, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(resolved);
        return resolved.toString();
    }

    private static Framework newFramework(Map<String, String> properties) {
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the test class path"));
        return factory.newFramework(properties);
    }

    /** Installs the jars of the distribution's {@code system/<level>/} folders with their start levels. */
    private static void installSystemBundles(BundleContext context) throws BundleException {
        Path system = distribution().resolve("system");
        List<Path> levels = new ArrayList<>();
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(system)) {
            for (Path level : folders) {
                if (Files.isDirectory(level) && LEVEL_FOLDER.matcher(level.getFileName().toString()).matches()) {
                    levels.add(level);
                }
            }
            levels.sort((first, second) -> Integer.compare(Integer.parseInt(first.getFileName().toString()),
                    Integer.parseInt(second.getFileName().toString())));
            for (Path level : levels) {
                int startLevel = Integer.parseInt(level.getFileName().toString());
                List<Path> jars = new ArrayList<>();
                try (DirectoryStream<Path> files = Files.newDirectoryStream(level, "*.jar")) {
                    files.forEach(jars::add);
                }
                jars.sort(null);
                for (Path jar : jars) {
                    // The interactive console is of no use in a test; commands run through CommandProcessor.
                    if (jar.getFileName().toString().startsWith("org.apache.felix.gogo.shell-")) {
                        continue;
                    }
                    Bundle bundle = context.installBundle(jar.toUri().toString());
                    bundle.adapt(BundleStartLevel.class).setStartLevel(startLevel);
                    if (bundle.getHeaders("").get(Constants.FRAGMENT_HOST) == null) {
                        bundle.start();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Reading the system bundles of " + system + " failed", e);
        }
    }

    /** Returns the built distribution folder, {@code runtime/target/cohort} under the repository root. */
    static Path distribution() {
        Path root = Paths.get(System.getProperty("cohort.it.root", "..")).toAbsolutePath().normalize();
        Path distribution = root.resolve("runtime/target/cohort");
        if (!Files.isDirectory(distribution.resolve("system")) || !Files.isRegularFile(
                distribution.resolve("etc/cohort.properties"))) {
            throw new IllegalStateException("The built distribution " + distribution + " is missing; build it first"
                    + " with 'mvn install -DskipTests' from the project root");
        }
        return distribution;
    }

    private static Path freshFolder(String testName) {
        Path buildDir = Paths.get(System.getProperty("cohort.it.buildDir", "target"));
        try {
            return Files.createTempDirectory(Files.createDirectories(buildDir.resolve("cluster")), testName + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a cluster folder under " + buildDir, e);
        }
    }

    /**
     * Returns the first port of a block in {@value #FIRST_PORT}-{@value #LAST_PORT} on which nothing listens now,
     * trying the blocks in turn from the one after the block this JVM used last.
     *
     * @throws IllegalStateException if every block has a port in use
     */
    private static synchronized int freePortBlock() {
        int blocks = (LAST_PORT - FIRST_PORT + 1) / PORTS_PER_CLUSTER;
        for (int attempt = 0; attempt < blocks; attempt++) {
            int firstPort = FIRST_PORT + (nextBlock++ % blocks) * PORTS_PER_CLUSTER;
            if (allFree(firstPort, firstPort + PORTS_PER_CLUSTER - 1)) {
                return firstPort;
            }
        }
        throw new IllegalStateException("every block of " + PORTS_PER_CLUSTER + " ports in 127.0.0.1:" + FIRST_PORT
                + "-" + LAST_PORT + " has a port in use; another run of the cluster tests may hold them");
    }

    /** Returns whether a listener can bind each port from {@code first} to {@code last} on 127.0.0.1 now. */
    private static boolean allFree(int first, int last) {
        for (int port = first; port <= last; port++) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    private static long millisSince(long nanoTime) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
    }
}

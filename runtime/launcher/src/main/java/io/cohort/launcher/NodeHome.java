package io.cohort.launcher;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * The folders of one node of a node home, the directory that {@code bin/cohort} runs from.
 *
 * <p>Several nodes can run from one home: node 1 ({@code bin/cohort}) keeps its data in {@code data/} and logs to
 * {@code log/cohort.log}, and node N ({@code bin/cohort --node N}) keeps its data in {@code data/node-N/} and logs to
 * {@code log/cohort-node-N.log}. All nodes of a home share {@code etc/}, {@code system/} and {@code deploy/}.
 *
 * @param dir the absolute, normalized home directory
 * @param node the node number, {@value #MIN_NODE} to {@value #MAX_NODE}
 */
record NodeHome(Path dir, int node) {

    /** System property with the home directory; {@code bin/cohort} sets it. */
    static final String HOME_PROPERTY = "cohort.home";

    /** System property with the node number; {@code bin/cohort --node N} sets it, and it is 1 when absent. */
    static final String NODE_PROPERTY = "cohort.node";

    /** The variable of {@code etc/cohort.properties} that contains the node's data directory. */
    static final String NODE_DATA_VARIABLE = "cohort.node.data";

    /** The system property that names the node's log file for {@code etc/logback.xml}, without {@code .log}. */
    static final String LOG_NAME_PROPERTY = "cohort.log.name";

    static final int MIN_NODE = 1;
    static final int MAX_NODE = 9;

    /**
     * @throws IllegalArgumentException if {@code node} is not between {@value #MIN_NODE} and {@value #MAX_NODE}
     */
    NodeHome {
        dir = dir.toAbsolutePath().normalize();
        if (node < MIN_NODE || node > MAX_NODE) {
            throw new IllegalArgumentException("node number " + node + " is invalid; expected " + MIN_NODE + " to "
                    + MAX_NODE);
        }
    }

    /** Returns node 1 of the home {@code dir}. */
    NodeHome(Path dir) {
        this(dir, MIN_NODE);
    }

    /**
     * Returns the node named by the {@value #NODE_PROPERTY} system property (1 when absent) of the home named by the
     * {@value #HOME_PROPERTY} system property, or else of the parent of the {@code lib/} folder that contains the
     * launcher jar.
     *
     * @throws IllegalStateException if the home property is not set and the launcher does not run from a jar, or if
     *     the node number is not a whole number from {@value #MIN_NODE} to {@value #MAX_NODE}
     */
    static NodeHome fromSystemProperties() {
        int node = nodeNumber(System.getProperty(NODE_PROPERTY));
        String configured = System.getProperty(HOME_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return new NodeHome(Path.of(configured), node);
        }
        Path jar = launcherJar();
        boolean inLibFolder = jar != null && jar.getParent() != null && jar.getParent().getParent() != null;
        if (!inLibFolder || !Files.isRegularFile(jar)) {
            throw new IllegalStateException("System property " + HOME_PROPERTY
                    + " is not set; start the node with bin/cohort or pass -D" + HOME_PROPERTY + "=<home directory>");
        }
        return new NodeHome(jar.getParent().getParent(), node);
    }

    /**
     * Parses a node number; null or blank means node 1.
     *
     * @throws IllegalStateException if {@code value} is not a whole number from {@value #MIN_NODE} to
     *     {@value #MAX_NODE}
     */
    static int nodeNumber(String value) {
        if (value == null || value.isBlank()) {
            return MIN_NODE;
        }
        try {
            int node = Integer.parseInt(value.trim());
            if (node >= MIN_NODE && node <= MAX_NODE) {
                return node;
            }
        } catch (NumberFormatException e) {
            // Reported below with the accepted range.
        }
        throw new IllegalStateException(NODE_PROPERTY + " '" + value + "' is invalid; expected a node number from "
                + MIN_NODE + " to " + MAX_NODE);
    }

    private static Path launcherJar() {
        CodeSource source = NodeHome.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return null;
        }
        try {
            return Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    Path etc() {
        return dir.resolve("etc");
    }

    /** Returns {@code etc/cohort.properties}, the framework properties. */
    Path frameworkProperties() {
        return etc().resolve("cohort.properties");
    }

    /** Returns {@code system/}, whose numbered subfolders hold the bundles the launcher installs. */
    Path system() {
        return dir.resolve("system");
    }

    /** Returns the node's data directory: {@code data/} for node 1, {@code data/node-N/} for node N. */
    Path data() {
        Path shared = dir.resolve("data");
        return node == MIN_NODE ? shared : shared.resolve("node-" + node);
    }

    Path deploy() {
        return dir.resolve("deploy");
    }

    Path log() {
        return dir.resolve("log");
    }

    /** Returns the log file name without {@code .log}: {@code cohort} for node 1, {@code cohort-node-N} for node N. */
    String logName() {
        return node == MIN_NODE ? "cohort" : "cohort-node-" + node;
    }

    /** Returns the lock file that keeps a second process from running the same node of this home. */
    Path lockFile() {
        return data().resolve("node.lock");
    }

    /** Returns the Unix domain socket on which the shell bundle accepts client commands. */
    Path commandSocket() {
        return data().resolve("run").resolve("cohort.sock");
    }

    /** Returns the home directory for node 1, and the directory followed by {@code (node N)} for the others. */
    String describe() {
        return node == MIN_NODE ? dir.toString() : dir + " (node " + node + ")";
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}

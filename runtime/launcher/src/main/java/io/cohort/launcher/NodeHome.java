package io.cohort.launcher;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * The folders of a node home, the directory that {@code bin/cohort} runs from.
 *
 * @param dir the absolute, normalized home directory
 */
record NodeHome(Path dir) {

    /** System property with the home directory; {@code bin/cohort} sets it. */
    static final String HOME_PROPERTY = "cohort.home";

    NodeHome {
        dir = dir.toAbsolutePath().normalize();
    }

    /**
     * Returns the home named by the {@value #HOME_PROPERTY} system property, or else the parent of the {@code lib/}
     * folder that contains the launcher jar.
     *
     * @throws IllegalStateException if the property is not set and the launcher does not run from a jar
     */
    static NodeHome fromSystemProperties() {
        String configured = System.getProperty(HOME_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return new NodeHome(Path.of(configured));
        }
        Path jar = launcherJar();
        boolean inLibFolder = jar != null && jar.getParent() != null && jar.getParent().getParent() != null;
        if (!inLibFolder || !Files.isRegularFile(jar)) {
            throw new IllegalStateException("System property " + HOME_PROPERTY
                    + " is not set; start the node with bin/cohort or pass -D" + HOME_PROPERTY + "=<home directory>");
        }
        return new NodeHome(jar.getParent().getParent());
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

    Path data() {
        return dir.resolve("data");
    }

    Path deploy() {
        return dir.resolve("deploy");
    }

    Path log() {
        return dir.resolve("log");
    }

    /** Returns the lock file that keeps a second node from running on the same home. */
    Path lockFile() {
        return data().resolve("node.lock");
    }

    /** Returns the Unix domain socket on which the shell bundle accepts client commands. */
    Path commandSocket() {
        return data().resolve("run").resolve("cohort.sock");
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}

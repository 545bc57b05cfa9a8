package io.cohort.core.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.cohort.api.node.ConfigurationError;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds {@code *.cfg} files in the FileInstall folders that FileInstall cannot apply: those with keys that differ
 * only in case, such as {@code relay.interval.ms} and {@code Relay.interval.ms}, with a line that has no key before
 * its {@code =}, or with a malformed {@code \u005Cu} escape. ConfigAdmin 1.9.26 compares keys without case and
 * rejects an empty key, so it rejects such a file as a whole, and FileInstall cannot parse a bad escape. FileInstall
 * then never applies the file, the node keeps the settings it had before, and FileInstall logs only a WARN with a
 * stack trace. For each such file this check logs one ERROR that names the file and the problem, and registers a
 * {@link ConfigurationError} whose PID is the file name without {@code .cfg}, until the file is fixed or deleted.
 *
 * <p>A file is read again only when its modification time or size changes. The methods are synchronized, because
 * {@link #check} runs on the deploy check's thread and {@link #close} on the thread that deactivates it.
 */
final class ConfigFileCheck {

    static final String SUFFIX = ".cfg";

    private static final Logger LOG = LoggerFactory.getLogger(ConfigFileCheck.class);

    private final BundleContext context;
    private final Map<Path, FileState> files = new HashMap<>();
    private boolean closed;

    /** A file version that was read, and the error registered for it, or {@code null} when it has none. */
    private record FileState(FileTime modified, long size, ServiceRegistration<ConfigurationError> error,
            String message) {
    }

    /**
     * @param context the context that registers the {@link ConfigurationError} services
     */
    ConfigFileCheck(BundleContext context) {
        this.context = context;
    }

    /**
     * Reads each {@code *.cfg} file of {@code folders} that is new or changed since the last call, registers or
     * withdraws its {@link ConfigurationError}, and withdraws those of deleted files.
     *
     * @return the files read in this call
     */
    synchronized List<Path> check(List<Path> folders) {
        List<Path> read = new ArrayList<>();
        if (closed) {
            return read;
        }
        Set<Path> present = new HashSet<>();
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (DirectoryStream<Path> configs = Files.newDirectoryStream(folder, "*" + SUFFIX)) {
                for (Path config : configs) {
                    Path file = config.toAbsolutePath().normalize();
                    present.add(file);
                    if (checkFile(file)) {
                        read.add(file);
                    }
                }
            } catch (IOException e) {
                LOG.warn("Cannot list configuration folder {}: {}", folder, e.toString());
            }
        }

        for (Path file : new ArrayList<>(files.keySet())) {
            if (!present.contains(file)) {
                FileState removed = files.remove(file);
                if (removed.error() != null) {
                    unregister(removed.error());
                    LOG.info("Configuration file {} that FileInstall could not apply was deleted", file);
                }
            }
        }
        return read;
    }

    /** Withdraws every registered error. Later calls of {@link #check} do nothing. */
    synchronized void close() {
        closed = true;
        for (FileState state : files.values()) {
            if (state.error() != null) {
                unregister(state.error());
            }
        }
        files.clear();
    }

    /** Reads {@code file} if it changed since it was last read, and returns whether it did. */
    private boolean checkFile(Path file) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            return false;
        }
        FileState previous = files.get(file);
        if (previous != null && previous.modified().equals(attributes.lastModifiedTime())
                && previous.size() == attributes.size()) {
            return false;
        }

        Optional<String> problem;
        try {
            problem = problem(file);
        } catch (IOException e) {
            LOG.warn("Cannot read configuration file {} to check its keys: {}", file, e.toString());
            files.put(file, new FileState(attributes.lastModifiedTime(), attributes.size(),
                    previous == null ? null : previous.error(), previous == null ? null : previous.message()));
            return true;
        }

        ServiceRegistration<ConfigurationError> error = previous == null ? null : previous.error();
        String message = null;
        if (problem.isEmpty()) {
            if (error != null) {
                unregister(error);
                error = null;
                LOG.info("Configuration file {} is valid again, so FileInstall applies it", file);
            }
        } else {
            message = problem.get();
            LOG.error("Configuration file {} is not applied: {}", file, message);
            if (error == null || !message.equals(previous.message())) {
                if (error != null) {
                    unregister(error);
                }
                error = context.registerService(ConfigurationError.class,
                        new ConfigurationError(pid(file), message), null);
            }
        }
        files.put(file, new FileState(attributes.lastModifiedTime(), attributes.size(), error, message));
        return true;
    }

    /**
     * Returns why FileInstall does not apply {@code file}, with what to change, or empty if nothing stops it. Keys are
     * parsed with {@link Properties}, whose syntax the {@code .cfg} format of FileInstall follows.
     */
    static Optional<String> problem(Path file) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IllegalArgumentException e) {
            return Optional.of(notApplied("it has a malformed \\u escape (" + e.getMessage() + ")",
                    "Write \\u followed by four hex digits, or \\\\ for a backslash"));
        }
        if (properties.containsKey("")) {
            return Optional.of(notApplied("a line has no key before its = or :", "Remove the line or add its key"));
        }
        List<Set<String>> clashes = caseClashes(properties);
        if (!clashes.isEmpty()) {
            return Optional.of(notApplied("keys " + describe(clashes) + " differ only in case",
                    "Remove one key of each pair"));
        }
        return Optional.empty();
    }

    private static String notApplied(String problem, String fix) {
        return problem + ", so FileInstall does not apply this file and the node keeps the settings it had before. "
                + fix;
    }

    /**
     * Returns the groups of keys that are equal when case is ignored, each group sorted, and the groups in
     * case-insensitive order.
     */
    static List<Set<String>> caseClashes(Properties properties) {
        // ConfigAdmin's key comparison ignores case character by character, as this order does.
        Map<String, Set<String>> groups = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String key : properties.stringPropertyNames()) {
            groups.computeIfAbsent(key, ignored -> new TreeSet<>()).add(key);
        }
        List<Set<String>> clashes = new ArrayList<>();
        for (Set<String> group : groups.values()) {
            if (group.size() > 1) {
                clashes.add(group);
            }
        }
        return clashes;
    }

    /** Returns the groups as {@code a and A, b and B}. */
    static String describe(List<Set<String>> clashes) {
        List<String> groups = new ArrayList<>();
        for (Set<String> group : clashes) {
            groups.add(String.join(" and ", group));
        }
        return String.join(", ", groups);
    }

    private static String pid(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - SUFFIX.length());
    }

    private static void unregister(ServiceRegistration<ConfigurationError> registration) {
        try {
            registration.unregister();
        } catch (IllegalStateException e) {
            LOG.debug("Configuration error service {} was already unregistered", registration, e);
        }
    }
}

package io.cohort.core.deploy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs an ERROR for each jar in the hot-deploy folders that is not installed because it is no OSGi bundle, or
 * because it is a second copy of a bundle already installed from another file. FileInstall skips the first kind
 * without a log line, so without this check a plugin dropped as a plain jar would simply never load. For the second
 * kind FileInstall updates the installed bundle from the copy and only logs a WARN; removing either file later
 * uninstalls that bundle, and the check then logs that the remaining file must leave the folder and come back.
 *
 * <p>The folders come from the framework property {@value #FOLDERS_PROPERTY}; without it the check does nothing.
 * Every {@value #PERIOD_SECONDS} s, on the thread {@value #THREAD_NAME}, it looks at each {@code *.jar} that no
 * installed bundle came from and that has not changed for one period, and logs what is wrong with it once per
 * version of the file. Any other jar that is a valid bundle but still not installed is left to FileInstall, which
 * logs its own install failures.
 *
 * <p>On the same thread, {@link ConfigFileCheck} looks for {@code *.cfg} files of the folders that FileInstall
 * does not apply, such as those with keys that differ only in case.
 */
@Component(immediate = true)
public class DeployFolderCheck {

    static final String FOLDERS_PROPERTY = "felix.fileinstall.dir";
    static final String THREAD_NAME = "cohort-deploy-check";
    static final long PERIOD_SECONDS = 2;

    private static final Logger LOG = LoggerFactory.getLogger(DeployFolderCheck.class);

    private final Map<Path, FileTime> reported = new HashMap<>();
    /** The files of each reported second copy and of its original, with their bundle identity. */
    private final Map<Path, String> copies = new HashMap<>();
    /** The files of the folders that were installed as bundles at some check, while they stay in the folders. */
    private final Set<Path> wereInstalled = new HashSet<>();
    private ScheduledExecutorService executor;
    private BundleContext context;
    private List<Path> folders;
    private ConfigFileCheck configCheck;

    @Activate
    void activate(BundleContext bundleContext) {
        context = bundleContext;
        folders = folders(bundleContext.getProperty(FOLDERS_PROPERTY));
        if (folders.isEmpty()) {
            LOG.debug("No {} is set, so no deploy folder is checked", FOLDERS_PROPERTY);
            return;
        }
        configCheck = new ConfigFileCheck(bundleContext);
        executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, THREAD_NAME);
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::checkSafely, PERIOD_SECONDS, PERIOD_SECONDS, TimeUnit.SECONDS);
        LOG.info("Checking the jars in {} every {} s for files that are not bundles, and the .cfg files for keys "
                + "that differ only in case", folders, PERIOD_SECONDS);
    }

    @Deactivate
    void deactivate() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
        if (configCheck != null) {
            configCheck.close();
        }
    }

    /** Returns the folders of a comma-separated list, without blanks. */
    static List<Path> folders(String property) {
        List<Path> result = new ArrayList<>();
        if (property == null) {
            return result;
        }
        for (String folder : property.split(",")) {
            if (!folder.isBlank()) {
                result.add(Path.of(folder.trim()).toAbsolutePath().normalize());
            }
        }
        return result;
    }

    private void checkSafely() {
        try {
            Map<String, Path> identities = new HashMap<>();
            check(installedJars(identities), identities, Duration.ofSeconds(PERIOD_SECONDS));
        } catch (RuntimeException e) {
            LOG.error("Checking the deploy folders {} failed; the next check runs in {} s", folders, PERIOD_SECONDS,
                    e);
        }
        try {
            configCheck.check(folders);
        } catch (RuntimeException e) {
            LOG.error("Checking the .cfg files in {} failed; the next check runs in {} s", folders, PERIOD_SECONDS, e);
        }
    }

    /**
     * Returns the files that installed bundles came from, from their {@code file:} locations, and puts each file
     * into {@code identities} under its bundle's {@code <symbolic name> <version>}.
     */
    private Set<Path> installedJars(Map<String, Path> identities) {
        Set<Path> installed = new HashSet<>();
        for (Bundle bundle : context.getBundles()) {
            String location = bundle.getLocation();
            if (location != null && location.startsWith("file:")) {
                try {
                    Path file = Path.of(URI.create(location)).toAbsolutePath().normalize();
                    installed.add(file);
                    if (bundle.getSymbolicName() != null) {
                        String version = bundle.getVersion().toString();
                        identities.put(JarDiagnosis.identity(bundle.getSymbolicName(), version), file);
                    }
                } catch (IllegalArgumentException e) {
                    LOG.debug("Bundle {} has location {}, which is no file path", bundle.getBundleId(), location);
                }
            }
        }
        return installed;
    }

    /**
     * Logs each jar of the folders that is missing from {@code installed}, has not changed for {@code quiet}, and
     * is no bundle; returns the jars it logged in this call.
     */
    List<Path> check(Set<Path> installed, Duration quiet) {
        return check(installed, Map.of(), quiet);
    }

    /**
     * Like {@link #check(Set, Duration)}, and also logs a bundle jar that is not installed while a bundle with its
     * symbolic name and version is, from the other file that {@code identities} names.
     */
    List<Path> check(Set<Path> installed, Map<String, Path> identities, Duration quiet) {
        List<Path> logged = new ArrayList<>();
        Set<Path> present = new HashSet<>();
        long now = System.currentTimeMillis();
        wereInstalled.addAll(installed);
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(folder, "*.jar")) {
                for (Path jar : jars) {
                    Path file = jar.toAbsolutePath().normalize();
                    present.add(file);
                    if (!installed.contains(file) && report(file, identities, now, quiet)) {
                        logged.add(file);
                    }
                }
            } catch (IOException e) {
                LOG.warn("Cannot list deploy folder {}: {}", folder, e.toString());
            }
        }
        reported.keySet().retainAll(present);
        copies.keySet().retainAll(present);
        wereInstalled.retainAll(present);
        return logged;
    }

    private boolean report(Path jar, Map<String, Path> identities, long now, Duration quiet) {
        FileTime modified;
        try {
            modified = Files.getLastModifiedTime(jar);
        } catch (IOException e) {
            return false;
        }
        if (now - modified.toMillis() < quiet.toMillis() || modified.equals(reported.get(jar))) {
            return false;
        }
        Optional<String> problem = JarDiagnosis.problem(jar).or(() -> duplicate(jar, identities))
                .or(() -> leftByDeletedCopy(jar, identities));
        if (problem.isEmpty()) {
            return false;
        }
        reported.put(jar, modified);
        LOG.error(notInstalledMessage(jar, problem.get(), wereInstalled.contains(jar)));
        return true;
    }

    /**
     * Returns the ERROR line for {@code jar}. A file that was installed at an earlier check and is not installed now
     * has replaced a running bundle (a jar overwritten in place by a copy cut short, say), which FileInstall then
     * uninstalled.
     */
    static String notInstalledMessage(Path jar, String problem, boolean replacedInstalled) {
        String message = "Deploy file " + jar + " was not installed: " + problem + ".";
        if (replacedInstalled) {
            message += " It replaced the jar of an installed bundle, which is now uninstalled, so its plugin stays"
                    + " stopped until a valid jar is copied in.";
        }
        return message + " The node keeps running";
    }

    /** Returns whether {@code jar} was installed as a bundle at an earlier check. */
    boolean wasInstalled(Path jar) {
        return wereInstalled.contains(jar.toAbsolutePath().normalize());
    }

    /**
     * Returns why {@code jar} is a second copy of an installed bundle, or empty if it is not one. Remembers both
     * files, for {@link #leftByDeletedCopy}.
     */
    private Optional<String> duplicate(Path jar, Map<String, Path> identities) {
        Optional<String> identity = JarDiagnosis.identity(jar)
                .filter(name -> identities.containsKey(name) && !identities.get(name).equals(jar));
        if (identity.isEmpty()) {
            return Optional.empty();
        }
        Path original = identities.get(identity.get());
        copies.put(jar, identity.get());
        copies.put(original, identity.get());
        return Optional.of("it is a second copy of bundle " + identity.get() + ", installed from " + original
                + ", so FileInstall updated that bundle from it instead. Deleting either file uninstalls the bundle: "
                + "move both out of the folder, then put one back");
    }

    /**
     * Returns why {@code jar}, one of two copies of a bundle, is not installed after the other copy was deleted, or
     * empty if that is not the case. FileInstall 3.7.4 uninstalls the bundle then and does not install the remaining
     * file again, even when it is touched, until the file leaves the folder and comes back.
     */
    private Optional<String> leftByDeletedCopy(Path jar, Map<String, Path> identities) {
        String identity = copies.get(jar);
        if (identity == null || identities.containsKey(identity)) {
            return Optional.empty();
        }
        return Optional.of("deleting another copy of bundle " + identity + " from the folder uninstalled the bundle, "
                + "and FileInstall does not install this file again while it stays in the folder. Move it out of the "
                + "folder, wait for the next scan of the folder, then copy it back");
    }

    /** Sets the folders to check without a framework, for tests. */
    void useFolders(List<Path> deployFolders) {
        folders = deployFolders;
    }
}

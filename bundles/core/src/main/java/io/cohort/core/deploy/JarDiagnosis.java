package io.cohort.core.deploy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.osgi.framework.Version;

/** Finds why a jar in a deploy folder cannot be installed as a bundle, from the jar's own content. */
final class JarDiagnosis {

    static final String SYMBOLIC_NAME = "Bundle-SymbolicName";

    private JarDiagnosis() {
    }

    /**
     * Returns what keeps {@code jar} from being an OSGi bundle: an unreadable file, no manifest, or a manifest
     * without {@value #SYMBOLIC_NAME}; empty when the jar is a bundle by these checks.
     */
    static Optional<String> problem(Path jar) {
        Manifest manifest;
        try (JarFile file = new JarFile(jar.toFile())) {
            manifest = file.getManifest();
        } catch (IOException | SecurityException e) {
            return Optional.of("it is not a readable jar (" + e.getMessage() + "); replace it with a bundle jar");
        }
        if (manifest == null) {
            return Optional.of("it has no META-INF/MANIFEST.MF; replace it with a bundle jar");
        }
        String symbolicName = manifest.getMainAttributes().getValue(new Attributes.Name(SYMBOLIC_NAME));
        if (symbolicName == null || symbolicName.isBlank()) {
            return Optional.of("its manifest has no " + SYMBOLIC_NAME + ", so it is a plain jar and not an OSGi "
                    + "bundle; build plugins with bnd as the README's plugin guide shows");
        }
        return Optional.empty();
    }

    /**
     * Returns the identity of bundle jar {@code jar}, {@code <symbolic name> <version>}, as {@link #identity(String,
     * String)} builds it; empty for a jar that is no readable bundle.
     */
    static Optional<String> identity(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            if (manifest == null) {
                return Optional.empty();
            }
            Attributes main = manifest.getMainAttributes();
            String symbolicName = main.getValue(SYMBOLIC_NAME);
            if (symbolicName == null || symbolicName.isBlank()) {
                return Optional.empty();
            }
            return Optional.of(identity(symbolicName, main.getValue("Bundle-Version")));
        } catch (IOException | SecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Returns {@code <symbolic name> <version>} from the two manifest headers: the name without its directives, the
     * version in OSGi's normal form (0.0.0 when missing).
     *
     * @throws IllegalArgumentException if the version is not an OSGi version
     */
    static String identity(String symbolicNameHeader, String versionHeader) {
        String name = symbolicNameHeader.split(";", 2)[0].trim();
        Version version = versionHeader == null ? Version.emptyVersion : Version.parseVersion(versionHeader.trim());
        return name + " " + version;
    }
}

package io.cohort.core.deploy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

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
            return Optional.of("it is not a readable jar (" + e.getMessage() + ")");
        }
        if (manifest == null) {
            return Optional.of("it has no META-INF/MANIFEST.MF");
        }
        String symbolicName = manifest.getMainAttributes().getValue(new Attributes.Name(SYMBOLIC_NAME));
        if (symbolicName == null || symbolicName.isBlank()) {
            return Optional.of("its manifest has no " + SYMBOLIC_NAME + ", so it is a plain jar and not an OSGi "
                    + "bundle; build plugins with bnd as the README's plugin guide shows");
        }
        return Optional.empty();
    }
}

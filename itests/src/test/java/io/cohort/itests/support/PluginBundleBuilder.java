package io.cohort.itests.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.ops4j.pax.tinybundles.TinyBundle;
import org.ops4j.pax.tinybundles.TinyBundles;

/**
 * Builds the {@link TestPlugin} bundles with TinyBundles and bnd, outside the framework, before it starts.
 *
 * <p>Each bundle contains the compiled classes of its plugin package and nothing else. bnd computes the imports and,
 * through {@code -dsannotations: *}, writes the DS component descriptions from the annotations, just as the
 * bnd-maven-plugin does for the real bundles. The recorder filter is a compile-time constant, so the plugin bundles
 * import only the Cohort API and the JDK.
 */
public final class PluginBundleBuilder {

    private static final String BUNDLE_VERSION = "1.0.0";

    /**
     * The folders already built by this JVM. Every test class calls {@link #buildAll} again, and the classes do not
     * change within one run.
     */
    private static final Set<Path> BUILT = new HashSet<>();

    private PluginBundleBuilder() {
    }

    /** Builds every test plugin into {@code folder}, once per JVM, and returns the folder. */
    public static synchronized Path buildAll(Path folder) {
        if (BUILT.contains(folder)) {
            return folder;
        }
        try {
            Files.createDirectories(folder);
            for (TestPlugin plugin : TestPlugin.values()) {
                build(plugin, folder.resolve(plugin.fileName()));
            }
            BUILT.add(folder);
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException("Building the test plugins in " + folder + " failed", e);
        }
    }

    private static void build(TestPlugin plugin, Path target) throws IOException {
        Path classesRoot = testClassesRoot();
        Path packageDir = classesRoot.resolve(plugin.packagePath());
        List<Path> classFiles = classFiles(packageDir);
        if (classFiles.isEmpty()) {
            throw new IllegalStateException("No compiled classes in " + packageDir + " for test plugin "
                    + plugin.pluginName() + "; run the test-compile phase first");
        }

        TinyBundle bundle = TinyBundles.bundle()
                .symbolicName(plugin.bundleSymbolicName())
                .setHeader("Bundle-Version", BUNDLE_VERSION)
                .setHeader("Private-Package", plugin.packagePath().replace('/', '.'))
                .setHeader("-dsannotations", "*")
                .setHeader("-noimportjava", "true")
                .setHeader("-noextraheaders", "true");
        for (Path classFile : classFiles) {
            String resource = classesRoot.relativize(classFile).toString().replace('\\', '/');
            bundle.addResource(resource, classFile.toUri().toURL());
        }

        Path partial = target.resolveSibling(target.getFileName() + ".part");
        try (InputStream jar = bundle.build(TinyBundles.bndBuilder())) {
            Files.copy(jar, partial, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<Path> classFiles(Path packageDir) throws IOException {
        if (!Files.isDirectory(packageDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(packageDir)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".class"))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    private static Path testClassesRoot() {
        try {
            return Paths.get(PluginBundleBuilder.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("Cannot locate the compiled test classes", e);
        }
    }
}

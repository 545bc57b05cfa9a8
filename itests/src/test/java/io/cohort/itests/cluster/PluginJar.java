package io.cohort.itests.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.ops4j.pax.tinybundles.TinyBundle;
import org.ops4j.pax.tinybundles.TinyBundles;

/**
 * Builds a test plugin bundle from compiled test classes with TinyBundles and bnd: the classes of the given packages
 * (each package alone, not its sub-packages), a symbolic name and version, and optionally one exported package. bnd
 * computes the imports and, through {@code -dsannotations: *}, writes the DS component descriptions.
 */
public final class PluginJar {

    private final String symbolicName;
    private final String version;
    private final List<String> packages = new ArrayList<>();
    private String exportedPackage;

    private PluginJar(String symbolicName, String version) {
        this.symbolicName = symbolicName;
        this.version = version;
    }

    /** Starts a bundle with symbolic name {@code symbolicName} and version {@code version}. */
    public static PluginJar bundle(String symbolicName, String version) {
        return new PluginJar(symbolicName, version);
    }

    /** Adds the classes of the package of {@code type}, kept private unless {@link #exporting} names it. */
    public PluginJar withPackageOf(Class<?> type) {
        packages.add(type.getPackageName());
        return this;
    }

    /** Adds the classes of the package of {@code type} and exports that package at the bundle's version. */
    public PluginJar exporting(Class<?> type) {
        exportedPackage = type.getPackageName();
        packages.add(exportedPackage);
        return this;
    }

    /** Writes the bundle to {@code target}, replacing an earlier file atomically, and returns {@code target}. */
    public Path buildTo(Path target) {
        try {
            Files.createDirectories(target.getParent());
            Path classesRoot = testClassesRoot();
            TinyBundle bundle = TinyBundles.bundle()
                    .symbolicName(symbolicName)
                    .setHeader("Bundle-Version", version)
                    .setHeader("-dsannotations", "*")
                    .setHeader("-noimportjava", "true")
                    .setHeader("-noextraheaders", "true");
            List<String> privatePackages = new ArrayList<>(packages);
            if (exportedPackage != null) {
                privatePackages.remove(exportedPackage);
                bundle.setHeader("Export-Package", exportedPackage + ";version=" + version);
            }
            bundle.setHeader("Private-Package", String.join(",", privatePackages));
            for (String packageName : packages) {
                for (Path classFile : classFiles(classesRoot.resolve(packageName.replace('.', '/')))) {
                    String resource = classesRoot.relativize(classFile).toString().replace('\\', '/');
                    bundle.addResource(resource, classFile.toUri().toURL());
                }
            }

            Path partial = target.resolveSibling(target.getFileName() + ".part");
            try (InputStream jar = bundle.build(TinyBundles.bndBuilder())) {
                Files.copy(jar, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            return Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Building test plugin " + symbolicName + " into " + target + " failed", e);
        }
    }

    private static List<Path> classFiles(Path packageDir) throws IOException {
        if (!Files.isDirectory(packageDir)) {
            throw new IllegalStateException("No compiled classes in " + packageDir + "; run the test-compile phase "
                    + "first");
        }
        try (Stream<Path> files = Files.list(packageDir)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".class")).sorted()
                    .collect(Collectors.toList());
        }
    }

    private static Path testClassesRoot() {
        try {
            return Paths.get(PluginJar.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("Cannot locate the compiled test classes", e);
        }
    }
}

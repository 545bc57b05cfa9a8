package io.cohort.itests.crash;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.cohort.itests.crash.plugin.CrashPlugin;

import org.ops4j.pax.tinybundles.TinyBundle;
import org.ops4j.pax.tinybundles.TinyBundles;

/**
 * Builds the {@link CrashPlugin} bundle from the compiled test classes of its package with TinyBundles and bnd, which
 * computes the imports and writes the DS component description from the annotations ({@code -dsannotations}).
 */
final class CrashPluginBundle {

    static final String SYMBOLIC_NAME = "io.cohort.itests.crash.plugin";
    static final String FILE_NAME = "crash-plugin.jar";

    private CrashPluginBundle() {
    }

    /** Writes the bundle to {@code folder}/{@value #FILE_NAME} and returns the file. */
    static Path build(Path folder) throws IOException {
        Path classesRoot = testClassesRoot();
        String packagePath = CrashPlugin.class.getPackageName().replace('.', '/');
        List<Path> classFiles = classFiles(classesRoot.resolve(packagePath));
        if (classFiles.isEmpty()) {
            throw new IllegalStateException("no compiled classes in " + classesRoot.resolve(packagePath)
                    + "; run the test-compile phase first");
        }

        TinyBundle bundle = TinyBundles.bundle()
                .symbolicName(SYMBOLIC_NAME)
                .setHeader("Bundle-Version", "1.0.0")
                .setHeader("Private-Package", CrashPlugin.class.getPackageName())
                .setHeader("-dsannotations", "*")
                .setHeader("-noimportjava", "true")
                .setHeader("-noextraheaders", "true");
        for (Path classFile : classFiles) {
            String resource = classesRoot.relativize(classFile).toString().replace('\\', '/');
            bundle.addResource(resource, classFile.toUri().toURL());
        }

        Files.createDirectories(folder);
        Path jar = folder.resolve(FILE_NAME);
        try (InputStream content = bundle.build(TinyBundles.bndBuilder())) {
            Files.copy(content, jar, StandardCopyOption.REPLACE_EXISTING);
        }
        return jar;
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
            return Path.of(CrashPluginBundle.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the compiled test classes", e);
        }
    }
}

package io.cohort.launcher;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Finds the bundles that the launcher installs from {@code system/}: each subfolder is named after a start level
 * ({@code system/1/}, {@code system/2/} ...) and contains the jars that get that level.
 */
final class SystemBundles {

    private static final Pattern LEVEL = Pattern.compile("[1-9][0-9]{0,2}");

    /**
     * A bundle jar and the start level it gets.
     *
     * @param jar the jar file
     * @param startLevel the start level, 1 to 999
     */
    record SystemBundle(Path jar, int startLevel) {
    }

    private SystemBundles() {
    }

    /**
     * Returns the {@code *.jar} files of every start-level folder of {@code systemDir}, by start level and then by file
     * name. Other files in a level folder, and names starting with a dot, are ignored.
     *
     * @throws IOException if a folder cannot be listed
     * @throws IllegalArgumentException if {@code systemDir} is missing, contains something that is not a
     *     start-level folder, or contains no jar at all
     */
    static List<SystemBundle> scan(Path systemDir) throws IOException {
        if (!Files.isDirectory(systemDir)) {
            throw new IllegalArgumentException("The system bundle folder " + systemDir + " is missing");
        }
        List<SystemBundle> bundles = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(systemDir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                if (!Files.isDirectory(entry) || !LEVEL.matcher(name).matches()) {
                    throw new IllegalArgumentException(entry + " is not a start-level folder; put each system bundle"
                            + " in " + systemDir + "/<start level>/, with a start level from 1 to 999");
                }
                addJars(entry, Integer.parseInt(name), bundles);
            }
        }
        if (bundles.isEmpty()) {
            throw new IllegalArgumentException("No bundle jars found under " + systemDir);
        }
        bundles.sort(Comparator.comparingInt(SystemBundle::startLevel)
                .thenComparing(bundle -> bundle.jar().getFileName().toString()));
        return bundles;
    }

    private static void addJars(Path levelDir, int startLevel, List<SystemBundle> bundles) throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(levelDir, "*.jar")) {
            for (Path jar : jars) {
                if (Files.isRegularFile(jar) && !jar.getFileName().toString().startsWith(".")) {
                    bundles.add(new SystemBundle(jar, startLevel));
                }
            }
        }
    }
}

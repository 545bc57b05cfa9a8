package io.cohort.itests.support;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemPackages;
import static org.ops4j.pax.exam.CoreOptions.workingDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.ops4j.pax.exam.Option;

/**
 * The Pax Exam configuration of a Cohort node: Felix with SCR, ConfigAdmin, the Gogo runtime and the Cohort bundles.
 *
 * <p>It runs on the test class path before the framework starts. Versions come from system properties that the
 * itests pom sets from the parent pom's properties. Cohort's own bundles are installed from each module's
 * {@code target/} folder, so {@code mvn verify} from the root works without {@code mvn install}; third-party bundles
 * are resolved by pax-url from the local Maven repository.
 *
 * <p>Logging: SLF4J is not a bundle. The system bundle exports {@code org.slf4j} and its sub-packages from the class
 * path, where slf4j-api and slf4j-simple sit, so every bundle logs through the class-path SLF4J into the test output
 * ({@code target/failsafe-reports/<class>-output.txt}). {@code pax.exam.logging=none} (set by the pom) keeps Pax Exam
 * from installing pax-logging-api, which would export {@code org.slf4j} too. The class-path LoggerFactory finds
 * slf4j-simple through its own class loader, so Cohort's INFO lines appeared in the output both with
 * {@code felix.bootdelegation.implicit=true} and with {@code false} (checked with Felix 7.0.5 and SLF4J 2.0.17).
 * It is {@code false} here, so that a class load that JDK code starts from a bundle's class loader cannot fall back
 * to the class path and hide a missing import.
 */
public final class CohortOptions {

    /** Framework property with the node's data folder, read by the core's node component. */
    public static final String DATA_PROPERTY = "cohort.data";

    private static final String[] SLF4J_PACKAGES = {"org.slf4j", "org.slf4j.spi", "org.slf4j.event",
        "org.slf4j.helpers"};

    /**
     * Version under which {@code org.slf4j} is exported a second time, for Pax Exam's own bundles, which import
     * {@code [1.4,2)} or {@code [1.7,2)}. The class-path SLF4J 2 API still has every 1.7 call they make.
     */
    private static final String SLF4J_1_VERSION = "1.7.36";

    private CohortOptions() {
    }

    /**
     * Returns the options of a node for {@code testClass}: its own data folder and Pax Exam working folder under
     * {@code target/}, the test plugins built into {@code target/it-plugins}, and every bundle started.
     */
    public static Option[] node(Class<?> testClass, Option... extra) {
        Path buildDir = Paths.get(requiredProperty("cohort.it.buildDir"));
        Path pluginFolder = PluginBundleBuilder.buildAll(buildDir.resolve("it-plugins"));
        Path dataDir = freshFolder(buildDir.resolve("it-data"), testClass.getSimpleName());

        return options(
                systemPackages(slf4jExports(requiredProperty("slf4j.version"))),
                frameworkProperty("felix.bootdelegation.implicit").value("false"),
                frameworkProperty(DATA_PROPERTY).value(dataDir.toString()),
                frameworkProperty(TestPlugin.FOLDER_PROPERTY).value(pluginFolder.toString()),
                workingDirectory(buildDir.resolve("paxexam").resolve(testClass.getSimpleName()).toString()),
                cleanCaches(true),
                junitBundles(),
                platformBundles(),
                cohortBundles(),
                composite(extra));
    }

    private static Option platformBundles() {
        return composite(
                mavenBundle("org.osgi", "org.osgi.util.function", requiredProperty("osgi.function.version")),
                mavenBundle("org.osgi", "org.osgi.util.promise", requiredProperty("osgi.promise.version")),
                mavenBundle("org.osgi", "org.osgi.service.component", requiredProperty("osgi.component.version")),
                mavenBundle("org.apache.felix", "org.apache.felix.log", requiredProperty("felix.log.version")),
                mavenBundle("org.apache.felix", "org.apache.felix.scr", requiredProperty("felix.scr.version")),
                mavenBundle("org.apache.felix", "org.apache.felix.configadmin",
                        requiredProperty("felix.configadmin.version")),
                mavenBundle("org.apache.felix", "org.apache.felix.gogo.runtime",
                        requiredProperty("gogo.runtime.version")),
                mavenBundle("org.apache.felix", "org.apache.felix.gogo.command",
                        requiredProperty("gogo.command.version")),
                mavenBundle("com.fasterxml.jackson.core", "jackson-annotations", requiredProperty("jackson.version")),
                mavenBundle("com.fasterxml.jackson.core", "jackson-core", requiredProperty("jackson.version")),
                mavenBundle("com.fasterxml.jackson.core", "jackson-databind", requiredProperty("jackson.version")),
                mavenBundle("com.fasterxml.jackson.datatype", "jackson-datatype-jsr310",
                        requiredProperty("jackson.version")),
                mavenBundle("com.github.ben-manes.caffeine", "caffeine", requiredProperty("caffeine.version")));
    }

    private static Option cohortBundles() {
        return composite(
                reactorBundle("bundles/api", "cohort-api"),
                reactorBundle("bundles/core", "cohort-core"),
                reactorBundle("bundles/shell", "cohort-shell"));
    }

    /** Returns the bundle that the reactor built in {@code <module>/target}, failing early when it is missing. */
    private static Option reactorBundle(String module, String artifactId) {
        Path root = Paths.get(requiredProperty("cohort.it.root"));
        String fileName = artifactId + "-" + requiredProperty("cohort.version") + ".jar";
        Path jar = root.resolve(module).resolve("target").resolve(fileName).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("Bundle " + jar + " is missing; build it first with 'mvn -pl " + module
                    + " package' or run 'mvn verify' from the project root");
        }
        return bundle(jar.toUri().toString());
    }

    private static String[] slf4jExports(String version) {
        String[] exports = new String[SLF4J_PACKAGES.length + 1];
        for (int i = 0; i < SLF4J_PACKAGES.length; i++) {
            exports[i] = SLF4J_PACKAGES[i] + ";version=" + version;
        }
        exports[SLF4J_PACKAGES.length] = "org.slf4j;version=" + SLF4J_1_VERSION;
        return exports;
    }

    private static Path freshFolder(Path parent, String prefix) {
        try {
            return Files.createTempDirectory(Files.createDirectories(parent), prefix + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a data folder under " + parent, e);
        }
    }

    private static String requiredProperty(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("System property " + name + " is not set; run the tests through Maven"
                    + " (mvn verify), whose failsafe configuration in itests/pom.xml sets it");
        }
        return value;
    }
}

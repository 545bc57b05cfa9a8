package io.cohort.launcher;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts a Cohort node in the foreground and returns when it stops: {@code java -Dcohort.home=<home>
 * [-Dcohort.node=N] io.cohort.launcher.Main [--no-console]}, normally run by {@code bin/cohort}. Node N of a home
 * (1 to 9, default 1) has its own data directory and log file; see {@link NodeHome}.
 *
 * <p>An interactive Gogo console opens when stdin and stdout are a terminal and {@code --no-console} is not given;
 * otherwise the shell runs with {@code --nointeractive}, because a console on a closed or redirected stdin stops the
 * framework.
 *
 * <p>Exit status: 0 after a clean stop (including one caused by SIGTERM or Ctrl-C), 1 when the node failed to start
 * or to stop within 30 s, 64 on an unknown option.
 */
public final class Main {

    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 64;

    private Main() {
    }

    public static void main(String[] args) {
        int status = run(args);
        NodeLauncher.keepClassArchiveFolder();
        System.exit(status);
    }

    static int run(String[] args) {
        boolean noConsole = false;
        for (String arg : args) {
            if (arg.equals("--no-console")) {
                noConsole = true;
            } else {
                System.err.println("cohort: unknown option '" + arg + "'; the node accepts only --no-console");
                return EXIT_USAGE;
            }
        }

        NodeHome home;
        try {
            home = NodeHome.fromSystemProperties();
        } catch (IllegalStateException e) {
            System.err.println("cohort: " + e.getMessage());
            return EXIT_FAILURE;
        }
        if (!Files.isRegularFile(home.frameworkProperties())) {
            System.err.println("cohort: " + home + " is not a Cohort home: " + home.frameworkProperties()
                    + " is missing");
            return EXIT_FAILURE;
        }

        // These must be set before the first SLF4J call, which configures logback for the life of the JVM.
        System.setProperty(NodeHome.HOME_PROPERTY, home.toString());
        System.setProperty(NodeHome.NODE_PROPERTY, Integer.toString(home.node()));
        System.setProperty(NodeHome.LOG_NAME_PROPERTY, home.logName());
        Path logbackConfig = home.etc().resolve("logback.xml");
        if (Files.isRegularFile(logbackConfig)) {
            setIfAbsent("logback.configurationFile", logbackConfig.toString());
        }
        setIfAbsent("hazelcast.logging.type", "slf4j");
        String configured = System.getProperty("logback.configurationFile");
        if (configured == null || !configured.contains(":")) {
            // bin/cohort passes a plain path. A URL such as file:... is left to Logback alone.
            Path config = configured == null ? logbackConfig : Path.of(configured);
            LoggingFallback.applyIfInvalid(config, home.log().resolve(home.logName() + ".log"));
        }

        boolean console = !noConsole && System.console() != null;
        return new NodeLauncher(home, console).run();
    }

    private static void setIfAbsent(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }
}

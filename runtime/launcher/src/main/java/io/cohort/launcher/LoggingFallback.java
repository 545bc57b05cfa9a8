package io.cohort.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.status.Status;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logging of a node whose {@code etc/logback.xml} Logback could not read, or which has none. Logback then starts
 * with no appender, or logs DEBUG to the console only, so the node would log nothing useful, not even why a plugin
 * failed. This class logs to the node's console and log file
 * with fixed settings instead, and logs the reason in an ERROR line.
 */
final class LoggingFallback {

    private static final String FILE_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger - %msg%n";
    private static final String CONSOLE_PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n";

    private LoggingFallback() {
    }

    /**
     * Starts Logback, and if its configuration file is missing or had an error, replaces its configuration with INFO
     * to the process's standard output and to {@code logFile}, appended.
     */
    static void applyIfInvalid(Path configFile, Path logFile) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Optional<String> problem = Files.isRegularFile(configFile)
                ? firstError(context.getStatusManager().getCopyOfStatusList()).map(LoggingFallback::describe)
                : Optional.of("the file is missing");
        if (problem.isEmpty()) {
            return;
        }

        context.reset();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        FileAppender<ILoggingEvent> file = new FileAppender<>();
        file.setFile(logFile.toString());
        file.setAppend(true);
        root.addAppender(start(context, file, "FILE", FILE_PATTERN));
        root.addAppender(start(context, new ProcessStdoutAppender<>(), "CONSOLE", CONSOLE_PATTERN));

        Logger log = LoggerFactory.getLogger(LoggingFallback.class);
        log.error("Invalid logging configuration {}: {}. Logging INFO and above to {} and the console with the "
                + "built-in settings; fix the file and restart the node to use it", configFile, problem.get(),
                logFile);
    }

    /** Returns the first status of Logback's configuration at level ERROR, if any. */
    static Optional<Status> firstError(List<Status> statuses) {
        return statuses.stream().filter(status -> status.getEffectiveLevel() >= Status.ERROR).findFirst();
    }

    private static String describe(Status status) {
        Throwable cause = status.getThrowable();
        return cause == null ? status.getMessage() : status.getMessage() + " (" + cause.getMessage() + ")";
    }

    private static OutputStreamAppender<ILoggingEvent> start(LoggerContext context,
            OutputStreamAppender<ILoggingEvent> appender, String name, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        appender.setContext(context);
        appender.setName(name);
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }
}

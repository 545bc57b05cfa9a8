package io.cohort.launcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the Felix framework's own log (resolver errors, bundle start failures) to SLF4J, so it reaches
 * {@code log/cohort.log} and not only the console. Felix reads the instance from the framework property
 * {@code felix.log.logger} and the threshold from {@code felix.log.level} (1 error, 2 warning, 3 info, 4 debug).
 */
final class FrameworkLog extends org.apache.felix.framework.Logger {

    /** The framework property that passes this logger to Felix. */
    static final String LOGGER_PROPERTY = "felix.log.logger";

    private static final Logger LOG = LoggerFactory.getLogger("org.apache.felix.framework");

    /** Logs {@code message}; an error or warning also names the deepest cause of {@code throwable} in its line. */
    @Override
    protected void doLog(int level, String message, Throwable throwable) {
        String root = RootCause.describe(throwable);
        if (root != null && level <= LOG_WARNING) {
            message = message + " (cause: " + root + ")";
        }
        switch (level) {
            case LOG_ERROR -> LOG.error(message, throwable);
            case LOG_WARNING -> LOG.warn(message, throwable);
            case LOG_INFO -> LOG.info(message, throwable);
            default -> LOG.debug(message, throwable);
        }
    }
}

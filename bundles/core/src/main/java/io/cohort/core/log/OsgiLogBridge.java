package io.cohort.core.log;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the warnings and errors of the OSGi log service to the node's SLF4J log, so that what the framework and
 * SCR report (a plugin component whose activate method threw, a bundle that failed to start) lands in
 * {@code log/cohort.log} with a timestamp instead of on the console only.
 *
 * <p>Entries logged before this component started, from the bundles of lower start levels, are taken from the log
 * service's recent history when it activates. Info and debug entries are dropped: the framework logs every bundle
 * and service event at those levels. Audit entries, which the log service records whatever the level, go to INFO.
 */
@Component(immediate = true)
public class OsgiLogBridge implements LogListener {

    private static final Logger LOG = LoggerFactory.getLogger(OsgiLogBridge.class);

    @Reference
    private LogReaderService reader;

    @Activate
    void activate() {
        // Listening before reading the history means an entry logged in between may be written twice, never lost.
        reader.addLogListener(this);
        List<LogEntry> earlier = new ArrayList<>();
        Enumeration<LogEntry> history = reader.getLog();
        while (history.hasMoreElements()) {
            earlier.add(history.nextElement());
        }
        // The history starts with the most recent entry.
        Collections.reverse(earlier);
        earlier.forEach(this::logged);
        LOG.info("Writing OSGi log service warnings and errors to the node log ({} earlier entries read)",
                earlier.size());
    }

    @Deactivate
    void deactivate() {
        reader.removeLogListener(this);
    }

    @Override
    public void logged(LogEntry entry) {
        LogLevel level = entry.getLogLevel();
        if (level != LogLevel.ERROR && level != LogLevel.WARN && level != LogLevel.AUDIT) {
            return;
        }
        Logger target = LoggerFactory.getLogger("osgi." + entry.getLoggerName());
        String source = describe(entry.getBundle());
        if (level == LogLevel.ERROR) {
            target.error("{}: {}", source, entry.getMessage(), entry.getException());
        } else if (level == LogLevel.WARN) {
            target.warn("{}: {}", source, entry.getMessage(), entry.getException());
        } else {
            target.info("{}: {}", source, entry.getMessage(), entry.getException());
        }
    }

    private static String describe(Bundle bundle) {
        return bundle == null ? "framework" : "bundle " + bundle.getSymbolicName() + " [" + bundle.getBundleId() + "]";
    }
}

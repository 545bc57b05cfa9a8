package io.cohort.shell.socket;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;

import org.apache.felix.service.command.CommandProcessor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves Gogo commands on the Unix domain socket {@code <cohort.data>/run/cohort.sock} for {@code bin/cohort client}.
 *
 * <p>The data directory is the framework property {@value #DATA_DIR_PROPERTY}, or {@code data} under the working
 * directory when it is not set, the same rule the core uses. When the socket cannot be served (another running node
 * uses the same data directory, or the path cannot be bound), the component logs an ERROR and stays active without a
 * socket, so the rest of the shell keeps working.
 */
@Component(immediate = true)
public class CommandSocketComponent {

    /** Framework property with the node's data directory. */
    static final String DATA_DIR_PROPERTY = "cohort.data";

    private static final Logger LOG = LoggerFactory.getLogger(CommandSocketComponent.class);
    private static final int WORKERS = 4;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    @Reference
    private CommandProcessor processor;

    private CommandSocketServer server;

    @Activate
    void activate(BundleContext context) {
        Path socketPath = socketPath(context.getProperty(DATA_DIR_PROPERTY));
        CommandSocketServer candidate = new CommandSocketServer(socketPath, new GogoCommandExecutor(processor),
                WORKERS, REQUEST_TIMEOUT);
        try {
            if (!candidate.start()) {
                LOG.error("Command socket {} is in use by another running node with the same data directory; "
                        + "this node does not serve bin/cohort client. Give each node its own {}", socketPath,
                        DATA_DIR_PROPERTY);
                return;
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("Cannot serve the command socket {}; bin/cohort client cannot reach this node", socketPath, e);
            return;
        }
        server = candidate;
        LOG.info("Command socket listening on {}", socketPath);
    }

    @Deactivate
    void deactivate() {
        if (server != null) {
            server.close();
            LOG.info("Command socket {} closed", server.socketPath());
            server = null;
        }
    }

    /** Returns {@code <data dir>/run/cohort.sock} for the configured data directory, or the default one. */
    static Path socketPath(String configuredDataDir) {
        Path dataDir = configuredDataDir == null || configuredDataDir.isBlank()
                ? Paths.get(System.getProperty("user.dir"), "data")
                : Paths.get(configuredDataDir);
        return dataDir.toAbsolutePath().normalize().resolve("run").resolve("cohort.sock");
    }
}

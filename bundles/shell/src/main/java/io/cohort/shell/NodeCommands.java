package io.cohort.shell;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.cohort.api.node.CohortNode;
import io.cohort.api.node.ConfigurationError;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The {@code cohort:} Gogo commands: {@code cohort:info} and {@code cohort:plugins}, each with {@code --json}.
 *
 * <p>The node is an optional reference so that the commands exist even when core is not running, and then report
 * that core is missing. Each Cohort bundle registers a {@link ConfigurationError} while its configuration file stays
 * invalid. {@code cohort:info} and the text of {@code cohort:plugins} list these, and a command that finds no node
 * gives them as the reason.
 */
@Component(service = NodeCommands.class, property = {
    "osgi.command.scope=cohort",
    "osgi.command.function=info",
    "osgi.command.function=plugins"
})
public class NodeCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile CohortNode node;

    private final List<ConfigurationError> configurationErrors = new CopyOnWriteArrayList<>();

    @Descriptor("Shows this node's id, application, adapter of each manager, lock mode, queue channels it consumes,"
            + " uptime and live resource counts")
    public String info(
            @Descriptor("print JSON instead of text")
            @Parameter(names = "--json", presentValue = "true", absentValue = "false") boolean json) {
        CohortNode current = requireNode();
        Instant now = Instant.now();
        List<ConfigurationError> errors = configurationErrors();
        return json ? NodeReport.infoJson(current, errors, now) : NodeReport.infoText(current, errors, now);
    }

    @Descriptor("Lists the plugins: name, bundle (symbolic name and id), version, state and last error. While "
            + "plugins wait for adapters, first names the adapter settings they wait for and the registered adapters. "
            + "Text output ends with each invalid etc/*.cfg file, its setting and value")
    public String plugins(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = "--json", presentValue = "true", absentValue = "false") boolean json) {
        CohortNode current = requireNode();
        return json ? NodeReport.pluginsJson(current.plugins())
                : NodeReport.pluginsText(current, configurationErrors());
    }

    @Reference(service = ConfigurationError.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removeConfigurationError")
    void addConfigurationError(ConfigurationError error) {
        configurationErrors.add(error);
    }

    void removeConfigurationError(ConfigurationError error) {
        configurationErrors.remove(error);
    }

    /** Returns the rejected configurations, sorted by PID so that the report does not depend on start order. */
    private List<ConfigurationError> configurationErrors() {
        List<ConfigurationError> errors = new ArrayList<>(configurationErrors);
        errors.sort(AdminServices.CONFIGURATION_ERROR_ORDER);
        return errors;
    }

    private CohortNode requireNode() {
        CohortNode current = node;
        if (current != null) {
            return current;
        }
        List<ConfigurationError> errors = configurationErrors();
        if (errors.isEmpty()) {
            throw AdminServices.coreNotRunning();
        }
        throw AdminServices.configurationInvalid(errors);
    }
}

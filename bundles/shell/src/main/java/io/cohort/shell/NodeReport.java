package io.cohort.shell;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.cohort.api.node.CohortNode;
import io.cohort.api.node.ConfigurationError;
import io.cohort.api.node.PluginInfo;

/** Formats what {@link CohortNode} reports, as aligned text for operators and as JSON for scripts. */
final class NodeReport {

    private NodeReport() {
    }

    /**
     * Returns node id, application, start time, uptime at {@code now}, adapters, the lock mode (when the lock
     * adapter reports one), the queue channels the node consumes and resource counts as text.
     */
    static String infoText(CohortNode node, Instant now) {
        return infoText(node, List.of(), now);
    }

    /**
     * Returns what {@link #infoText(CohortNode, Instant)} returns, followed by one line per rejected configuration,
     * when there are any.
     */
    static String infoText(CohortNode node, List<ConfigurationError> errors, Instant now) {
        StringBuilder text = new StringBuilder();
        text.append("Node id:      ").append(node.nodeId()).append('\n');
        text.append("Application:  ").append(node.appName()).append('\n');
        text.append("Started at:   ").append(node.startedAt()).append('\n');
        text.append("Uptime:       ").append(formatUptime(Duration.between(node.startedAt(), now))).append('\n');
        text.append("Adapters:\n");
        appendIndented(text, node.adapters());
        String lockMode = node.lockMode();
        if (!lockMode.isEmpty()) {
            text.append("Lock mode:    ").append(lockMode).append('\n');
        }
        text.append("Queue role:   consumes ").append(node.queueRole()).append('\n');
        Map<String, String> awaited = node.awaitedAdapters();
        if (!awaited.isEmpty()) {
            text.append("Plugins:      none load; they wait for adapters ").append(settingsText(awaited))
                    .append(" (see cohort:plugins)\n");
        }
        Map<String, Long> resources = node.resources();
        if (resources.isEmpty()) {
            text.append("Resources:    none registered\n");
        } else {
            text.append("Resources:\n");
            appendIndented(text, resources);
        }
        appendConfigurationErrors(text, errors);
        return text.toString();
    }

    /** Returns the file, the PID and the message of a rejected configuration, on one line. */
    static String describe(ConfigurationError error) {
        return "etc/" + error.pid() + ".cfg (" + error.pid() + "): " + error.message();
    }

    /**
     * Returns the same facts as {@link #infoText} as a JSON object, with the uptime in whole seconds, a null
     * {@code lockMode} when the lock adapter reports none, and an empty {@code awaitedAdapters} object unless
     * plugins wait for adapters.
     */
    static String infoJson(CohortNode node, Instant now) {
        return infoJson(node, List.of(), now);
    }

    /**
     * Returns what {@link #infoJson(CohortNode, Instant)} returns, with a {@code configurationErrors} array of
     * {@code {pid, message}} objects, empty when every configuration is valid.
     */
    static String infoJson(CohortNode node, List<ConfigurationError> errors, Instant now) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("nodeId", node.nodeId());
        info.put("appName", node.appName());
        info.put("startedAt", node.startedAt().toString());
        info.put("uptimeSeconds", Duration.between(node.startedAt(), now).toSeconds());
        info.put("adapters", node.adapters());
        String lockMode = node.lockMode();
        info.put("lockMode", lockMode.isEmpty() ? null : lockMode);
        info.put("queueRole", node.queueRole());
        info.put("awaitedAdapters", node.awaitedAdapters());
        info.put("resources", node.resources());
        info.put("configurationErrors", errors);
        return toJson(info);
    }

    /**
     * Returns the plugins as {@link #pluginsText(List)} does, preceded, while plugins wait for adapters, by the
     * adapters they wait for, the registered ones and the plugin services that wait.
     */
    static String pluginsText(CohortNode node) {
        return pluginsText(node, List.of());
    }

    /**
     * Returns what {@link #pluginsText(CohortNode)} returns, with one line per rejected configuration after the
     * adapters or the plugins. While plugins wait for adapters, the closing hint then points to these configurations
     * instead of the adapter names, because a bundle with an invalid configuration may register no adapter.
     */
    static String pluginsText(CohortNode node, List<ConfigurationError> errors) {
        Map<String, String> awaited = node.awaitedAdapters();
        List<PluginInfo> plugins = node.plugins();
        if (awaited.isEmpty()) {
            StringBuilder text = new StringBuilder(pluginsText(plugins));
            appendConfigurationErrors(text, errors);
            return text.toString();
        }

        StringBuilder text = new StringBuilder("No plugin loads: plugins wait until each adapter that "
                + "etc/io.cohort.core.cfg names is registered.\n");
        TextTable table = new TextTable("SETTING", "CONFIGURED", "STATE", "REGISTERED");
        Map<String, List<String>> registered = node.registeredAdapters();
        for (Map.Entry<String, String> entry : awaited.entrySet()) {
            List<String> names = registered.getOrDefault(entry.getKey(), List.of());
            table.row(entry.getKey(), entry.getValue(), "not registered",
                    names.isEmpty() ? "none" : String.join(", ", names));
        }
        text.append(table.render());
        List<String> waiting = node.waitingPlugins();
        text.append("Waiting plugin services: ").append(waiting.isEmpty() ? "none" : String.join(", ", waiting))
                .append('\n');
        if (errors.isEmpty()) {
            text.append("Fix the adapter names in etc/io.cohort.core.cfg, or start the bundle that registers the "
                    + "adapter.\n");
        } else {
            appendConfigurationErrors(text, errors);
            text.append("Fix the invalid configuration above first, because a bundle with an invalid configuration "
                    + "may register no adapter.\n");
        }
        if (!plugins.isEmpty()) {
            text.append(pluginsText(plugins));
        }
        return text.toString();
    }

    /** Returns one line per plugin: name, bundle, version, state and last error. */
    static String pluginsText(List<PluginInfo> plugins) {
        if (plugins.isEmpty()) {
            return "No plugins registered.\n";
        }
        TextTable table = new TextTable("NAME", "BUNDLE", "VERSION", "STATE", "LAST ERROR");
        for (PluginInfo plugin : plugins) {
            table.row(plugin.name(), plugin.bundleSymbolicName() + " [" + plugin.bundleId() + "]", plugin.version(),
                    plugin.state().name(), plugin.lastError());
        }
        return table.render();
    }

    /** Returns the plugins as a JSON array of objects. The {@code lastError} field is null when there is none. */
    static String pluginsJson(List<PluginInfo> plugins) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (PluginInfo plugin : plugins) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", plugin.name());
            entry.put("bundleSymbolicName", plugin.bundleSymbolicName());
            entry.put("bundleId", plugin.bundleId());
            entry.put("version", plugin.version());
            entry.put("state", plugin.state().name());
            entry.put("lastError", plugin.lastError());
            list.add(entry);
        }
        return toJson(list);
    }

    /** Appends a heading and one line per rejected configuration, or nothing when there are none. */
    private static void appendConfigurationErrors(StringBuilder text, List<ConfigurationError> errors) {
        if (errors.isEmpty()) {
            return;
        }
        text.append("Invalid configuration (until it is fixed, the part of the node it configures stays stopped or "
                + "keeps its previous settings):\n");
        for (ConfigurationError error : errors) {
            text.append("  ").append(describe(error)).append('\n');
        }
    }

    /** Returns {@code setting=name} pairs separated by commas. */
    private static String settingsText(Map<String, String> settings) {
        List<String> pairs = new ArrayList<>();
        settings.forEach((setting, name) -> pairs.add(setting + "=" + name));
        return String.join(", ", pairs);
    }

    /** Returns {@code 2d 03h 04m 05s} without leading zero units. A negative duration counts as zero. */
    static String formatUptime(Duration uptime) {
        long seconds = Math.max(0, uptime.toSeconds());
        long days = seconds / 86_400;
        long hours = seconds / 3_600 % 24;
        long minutes = seconds / 60 % 60;
        long secs = seconds % 60;
        if (days > 0) {
            return String.format("%dd %02dh %02dm %02ds", days, hours, minutes, secs);
        }
        if (hours > 0) {
            return String.format("%dh %02dm %02ds", hours, minutes, secs);
        }
        if (minutes > 0) {
            return String.format("%dm %02ds", minutes, secs);
        }
        return secs + "s";
    }

    private static void appendIndented(StringBuilder text, Map<String, ?> values) {
        int width = values.keySet().stream().mapToInt(String::length).max().orElse(0);
        values.forEach((key, value) -> text.append("  ").append(key).append(" ".repeat(width - key.length() + 2))
                .append(value).append('\n'));
    }

    private static String toJson(Object value) {
        try {
            return Json.MAPPER.writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Holds the mapper, which the JVM builds at the first JSON report, so that text reports load no Jackson class. */
    private static final class Json {

        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

        private Json() {
        }
    }
}

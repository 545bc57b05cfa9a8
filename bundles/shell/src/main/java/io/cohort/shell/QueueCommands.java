package io.cohort.shell;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.cohort.api.admin.ClusterAdmin;
import io.cohort.api.admin.ClusterResult;
import io.cohort.api.admin.NodeAdmin;
import io.cohort.api.admin.QueueView;
import io.cohort.api.queue.DeadLetter;
import io.cohort.api.queue.TaskOptions;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The {@code queue:} Gogo commands: list the queue channels of every node, list and retry dead letters, and publish
 * a JSON task from this node.
 */
@Component(service = QueueCommands.class, property = {
    "osgi.command.scope=queue",
    "osgi.command.function=list",
    "osgi.command.function=dead",
    "osgi.command.function=retry",
    "osgi.command.function=publish"
})
public class QueueCommands {

    /** The maximum {@code --timeout} of {@code queue:publish}, ten years, so that it always fits in milliseconds. */
    static final Duration MAX_TIMEOUT = Duration.ofDays(3650);

    private static final String JSON_OPTION = "print JSON instead of text";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile NodeAdmin admin;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClusterAdmin cluster;

    /** Creates the component; DS sets the references. */
    public QueueCommands() {
    }

    /** Creates the commands on the given services, for tests; {@code cluster} may be null. */
    QueueCommands(NodeAdmin admin, ClusterAdmin cluster) {
        this.admin = admin;
        this.cluster = cluster;
    }

    @Descriptor("Lists the queue channels of every node: node, channel, consumers on that node, tasks pending in "
            + "the queue, attempts running on that node, tasks done and attempts retried by that node since it "
            + "started, and dead letters in the queue now. Waits up to 2 s for the other nodes and names those "
            + "that do not respond")
    public String list(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = "--json", presentValue = "true", absentValue = "false") boolean json) {
        ClusterResult<QueueView> result = AdminServices.gather(cluster, admin,
                nodes -> nodes.queues(ClusterAdmin.DEFAULT_TIMEOUT), NodeAdmin::queues);
        return json ? AdminReport.queuesJson(result) : AdminReport.queuesText(result);
    }

    @Descriptor("Lists the dead letters of a queue channel, oldest first: task id, attempts, when the last attempt "
            + "failed (UTC) and its error. The JSON also has the payload and the task options")
    public String dead(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = "--json", presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("queue channel") String channel) {
        NodeAdmin node = AdminServices.require(admin);
        List<DeadLetter> letters = AdminServices.call(() -> node.deadLetters(channel));
        return json ? AdminReport.deadLettersJson(channel, letters) : AdminReport.deadLettersText(channel, letters);
    }

    @Descriptor("Queues dead letters again as attempt 1, with the options they were published with: the given task "
            + "ids, or every dead letter of the channel with --all")
    public String retry(
            @Descriptor("retry every dead letter of the channel")
            @Parameter(names = "--all", presentValue = "true", absentValue = "false") boolean all,
            @Descriptor(JSON_OPTION)
            @Parameter(names = "--json", presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("queue channel") String channel,
            @Descriptor("task ids of dead letters, as queue:dead lists them") String... taskIds) {
        if (all && taskIds.length > 0) {
            throw new InvalidArgumentsException("give task ids or --all, not both");
        }
        if (!all && taskIds.length == 0) {
            throw new InvalidArgumentsException("give task ids or --all");
        }
        NodeAdmin node = AdminServices.require(admin);

        List<String> retried = AdminServices.call(() -> all ? node.retryDeadLetters(channel)
                : retryEach(node, channel, taskIds));

        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("channel", channel);
            fields.put("retried", retried);
            return AdminReport.objectJson(fields);
        }
        if (retried.isEmpty()) {
            return "No dead letters on queue channel '" + channel + "'; nothing queued again.\n";
        }
        return "Queued " + retried.size() + " dead letters of queue channel '" + channel + "' again: "
                + String.join(", ", retried) + ".\n";
    }

    @Descriptor("Publishes a JSON task on a queue channel, as a plugin would, and prints its task id")
    public String publish(
            @Descriptor("how long one attempt may run before it is cancelled; default 5m: " + Durations.FORMS)
            @Parameter(names = "--timeout", absentValue = "") String timeout,
            @Descriptor("how many times a failed task runs again, 0 to 100; default 3")
            @Parameter(names = "--max-retries", absentValue = "") String maxRetries,
            @Descriptor(JSON_OPTION)
            @Parameter(names = "--json", presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("queue channel") String channel,
            @Descriptor("the payload as one JSON value: '{\"id\":1}', '\"text\"', 42") String payload) {
        TaskOptions options = options(timeout, maxRetries);

        NodeAdmin node = AdminServices.require(admin);
        String taskId = AdminServices.call(() -> node.publishTask(channel, payload, options));

        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("channel", channel);
            fields.put("taskId", taskId);
            fields.put("timeoutMillis", options.timeout().toMillis());
            fields.put("maxRetries", options.maxRetries());
            return AdminReport.objectJson(fields);
        }
        return "Published task " + taskId + " on queue channel '" + channel + "' (timeout "
                + Durations.format(options.timeout()) + ", max retries " + options.maxRetries() + ").\n";
    }

    /** Returns the task options of {@code queue:publish}, the defaults where an option is absent. */
    static TaskOptions options(String timeout, String maxRetries) {
        TaskOptions options = TaskOptions.defaults();
        if (!timeout.isEmpty()) {
            options = options.withTimeout(Durations.parse("--timeout", timeout, MAX_TIMEOUT));
        }
        if (!maxRetries.isEmpty()) {
            options = options.withMaxRetries(parseMaxRetries(maxRetries));
        }
        return options;
    }

    /** Parses {@code --max-retries}: ASCII digits with an optional minus sign, spaces around them ignored. */
    private static int parseMaxRetries(String text) {
        String digits = text.strip();
        if (!digits.matches("-?[0-9]+")) {
            throw new IllegalArgumentException("--max-retries '" + text + "' is not a whole number; expected 0 to "
                    + TaskOptions.MAX_RETRIES_LIMIT);
        }
        BigInteger value = new BigInteger(digits);
        if (value.signum() < 0 || value.compareTo(BigInteger.valueOf(TaskOptions.MAX_RETRIES_LIMIT)) > 0) {
            throw new IllegalArgumentException("--max-retries '" + text + "' is out of range; expected 0 to "
                    + TaskOptions.MAX_RETRIES_LIMIT);
        }
        return value.intValue();
    }

    /** Checks that every id is a dead letter of the channel, then queues each again, so a typo queues nothing. */
    private static List<String> retryEach(NodeAdmin node, String channel, String[] taskIds) {
        Set<String> requested = new LinkedHashSet<>(List.of(taskIds));
        Set<String> present = new LinkedHashSet<>();
        node.deadLetters(channel).forEach(letter -> present.add(letter.taskId()));
        List<String> unknown = new ArrayList<>(requested);
        unknown.removeAll(present);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("dead letters " + unknown + " not found on queue channel '" + channel
                    + "'; nothing was queued again. It has " + present.size()
                    + (present.size() == 1 ? " dead letter" : " dead letters"));
        }
        List<String> retried = new ArrayList<>();
        for (String taskId : requested) {
            node.retryDeadLetter(channel, taskId);
            retried.add(taskId);
        }
        return retried;
    }
}

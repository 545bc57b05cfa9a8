package io.cohort.samples.tasks;

import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo commands {@code tasks:submit}, {@code tasks:cancel} and {@code tasks:list} of the sample-tasks plugin. */
@Component(service = TasksCommands.class, property = {
    "osgi.command.scope=tasks",
    "osgi.command.function=submit",
    "osgi.command.function=cancel",
    "osgi.command.function=list"
})
public class TasksCommands {

    private static final String ROW_FORMAT = "%-14s %-12s %-10s %-13s %-14s %-7s %s%n";

    @Reference
    private TasksPlugin plugin;

    @Descriptor("Stores a task and queues it; a node with a free slot runs it and reports each step")
    public String submit(
            @Descriptor("the task's kind, a label: a lower-case letter, then up to 31 lower-case letters, digits "
                    + "or '-'") String kind,
            @Descriptor("number of steps, 1 to 10000; each takes step.ms of etc/io.cohort.sample.tasks.cfg")
            String steps) throws Exception {
        return "Submitted task " + plugin.submit(kind, parseSteps(steps)) + "\n";
    }

    /**
     * Parses the number of steps as typed. Gogo would convert a number beyond the int range by cutting its high bits,
     * so the command takes the text and names it unchanged when it is invalid.
     */
    static int parseSteps(String text) {
        int steps;
        try {
            steps = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            steps = 0;
        }
        if (steps < 1 || steps > TaskRow.MAX_STEPS) {
            throw new IllegalArgumentException("steps '" + text + "' is invalid; expected a whole number from 1 to "
                    + TaskRow.MAX_STEPS);
        }
        return steps;
    }

    @Descriptor("Cancels a task from any node: the node running it stops it after its current step")
    public String cancel(@Descriptor("the task id that tasks:submit printed") String taskId) throws Exception {
        return plugin.cancel(taskId);
    }

    @Descriptor("Lists the newest 50 tasks with status, progress and the node that runs or ran each")
    public String list() throws Exception {
        List<TaskRow> rows = plugin.list();
        StringBuilder text = new StringBuilder(String.format("Node %s runs %d of %d task slots. Tasks, newest "
                + "first: %d%n", plugin.nodeId(), plugin.runningCount(), plugin.settings().concurrency(),
                rows.size()));
        text.append(String.format(ROW_FORMAT, "ID", "KIND", "STATUS", "PROGRESS", "NODE", "ATTEMPT", "MESSAGE"));
        for (TaskRow row : rows) {
            text.append(String.format(ROW_FORMAT, row.id(), row.kind(), row.status(), row.progressText(),
                    row.node().isEmpty() ? "-" : row.node(), row.attempt(), row.message()));
        }
        return text.toString();
    }
}

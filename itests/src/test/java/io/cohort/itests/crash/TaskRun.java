package io.cohort.itests.crash;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.cohort.itests.crash.plugin.CrashPlugin;

/**
 * One run of a task as the crash plugin recorded it: the line {@code <task id> <attempt> <node id>}.
 *
 * @param taskId the task id that {@code crash:publish} printed
 * @param attempt the attempt number, 1 for the first run
 * @param node the id of the node that ran it
 */
record TaskRun(String taskId, int attempt, String node) {

    /** Reads the runs that {@code node} recorded so far; none before its first run. */
    static List<TaskRun> readAll(ProcessNode node) throws IOException {
        Path file = node.dataDir().resolve(CrashPlugin.RUNS_FILE);
        if (!Files.exists(file)) {
            return List.of();
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        // A line being appended right now may still lack its line break; it is read at the next poll.
        int complete = text.lastIndexOf('\n') + 1;
        List<TaskRun> runs = new ArrayList<>();
        for (String line : text.substring(0, complete).split("\n")) {
            if (!line.isEmpty()) {
                runs.add(parse(file, line));
            }
        }
        return runs;
    }

    /** Reads the runs of every node in {@code nodes}. */
    static List<TaskRun> readAll(List<ProcessNode> nodes) throws IOException {
        List<TaskRun> runs = new ArrayList<>();
        for (ProcessNode node : nodes) {
            runs.addAll(readAll(node));
        }
        return runs;
    }

    private static TaskRun parse(Path file, String line) {
        String[] fields = line.split(" ");
        if (fields.length != 3) {
            throw new AssertionError("invalid line in " + file + ": '" + line + "'; expected '<task id> <attempt> "
                    + "<node id>'");
        }
        try {
            return new TaskRun(fields[0], Integer.parseInt(fields[1]), fields[2]);
        } catch (NumberFormatException e) {
            throw new AssertionError("invalid attempt in " + file + ": '" + line + "'", e);
        }
    }
}

package io.cohort.shell.socket;

import java.io.OutputStream;

/** Runs one command line for the command socket. */
@FunctionalInterface
interface CommandExecutor {

    /**
     * Runs {@code commandLine}, writing its standard output to {@code out} and its errors to {@code err}.
     *
     * @return the exit status: {@value Frames#STATUS_OK} when the command succeeded, {@value Frames#STATUS_FAILED}
     *     when it failed
     */
    int execute(String commandLine, OutputStream out, OutputStream err);
}

package io.cohort.launcher;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;

import ch.qos.logback.core.OutputStreamAppender;

/**
 * A console appender that writes to the process's standard output file descriptor.
 *
 * <p>Logback's {@code ConsoleAppender} writes through {@code System.out}, which Gogo replaces for the thread of each
 * command it runs. A log line written on such a thread would then go to the command's output, and through
 * {@code bin/cohort client} into the caller's stdout, where it breaks {@code --json} output. This appender bypasses
 * {@code System.out}, so log lines always reach the node's console.
 *
 * @param <E> the event type
 */
public class ProcessStdoutAppender<E> extends OutputStreamAppender<E> {

    @Override
    public void start() {
        setOutputStream(new UnclosableStdout());
        super.start();
    }

    /**
     * The process's standard output, which a stopped appender flushes but does not close. Closing it would close file
     * descriptor 1 for the whole process, so the console would go silent when Logback is reset or reconfigured.
     */
    static final class UnclosableStdout extends FilterOutputStream {

        UnclosableStdout() {
            super(new FileOutputStream(FileDescriptor.out));
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}

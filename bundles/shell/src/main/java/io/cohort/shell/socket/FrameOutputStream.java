package io.cohort.shell.socket;

import java.io.IOException;
import java.io.OutputStream;

/**
 * An output stream that sends what is written to it as frames of one type. Bytes are buffered until
 * {@link #flush()}, {@link #close()} or a full buffer, and every frame is written while holding the lock shared by
 * the streams of one connection, so that frames from the stdout and stderr streams never interleave.
 */
final class FrameOutputStream extends OutputStream {

    private static final int BUFFER_SIZE = 8192;

    /** Largest payload of one frame. A longer write is split so that clients can bound what they buffer. */
    static final int MAX_FRAME_PAYLOAD = 64 * 1024;

    private final OutputStream connection;
    private final Object connectionLock;
    private final byte type;
    private final byte[] buffer = new byte[BUFFER_SIZE];
    private int count;

    /**
     * @param connection the stream of the socket
     * @param connectionLock the lock that every writer of {@code connection} holds while it writes a frame
     * @param type the frame type, {@link Frames#STDOUT} or {@link Frames#STDERR}
     */
    FrameOutputStream(OutputStream connection, Object connectionLock, byte type) {
        this.connection = connection;
        this.connectionLock = connectionLock;
        this.type = type;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        if (count == buffer.length) {
            flush();
        }
        buffer[count++] = (byte) b;
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
        if (length > buffer.length - count) {
            flush();
        }
        if (length >= buffer.length) {
            sendFrame(bytes, offset, length);
            return;
        }
        System.arraycopy(bytes, offset, buffer, count, length);
        count += length;
    }

    @Override
    public synchronized void flush() throws IOException {
        if (count > 0) {
            sendFrame(buffer, 0, count);
            count = 0;
        }
    }

    /** Flushes without closing the socket, which still carries the final frame. */
    @Override
    public void close() throws IOException {
        flush();
    }

    private void sendFrame(byte[] bytes, int offset, int length) throws IOException {
        synchronized (connectionLock) {
            for (int start = offset; start < offset + length; start += MAX_FRAME_PAYLOAD) {
                int chunk = Math.min(MAX_FRAME_PAYLOAD, offset + length - start);
                Frames.writeFrame(connection, type, bytes, start, chunk);
            }
        }
    }
}

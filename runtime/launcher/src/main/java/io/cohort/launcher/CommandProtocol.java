package io.cohort.launcher;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The wire format between {@code bin/cohort client} and the node's command socket.
 *
 * <p>Request: a 4-byte big-endian length, then that many bytes of UTF-8: one Gogo command line. Response: frames of
 * a 1-byte type, a 4-byte big-endian length and that many bytes. Type {@code 'O'} carries standard output and
 * {@code 'E'} standard error, as bytes to pass through unchanged; exactly one final {@code 'X'} frame of 4 bytes
 * carries the command's exit status as a big-endian int. Nothing follows the {@code 'X'} frame.
 */
final class CommandProtocol {

    static final byte STDOUT = 'O';
    static final byte STDERR = 'E';
    static final byte EXIT = 'X';

    /** The largest frame the client accepts, 16 MiB; a longer one means the stream is out of step. */
    static final int MAX_FRAME_LENGTH = 16 * 1024 * 1024;

    private CommandProtocol() {
    }

    /** Returns the request that carries {@code commandLine}, ready to write. */
    static ByteBuffer encodeRequest(String commandLine) {
        byte[] bytes = commandLine.getBytes(StandardCharsets.UTF_8);
        ByteBuffer request = ByteBuffer.allocate(Integer.BYTES + bytes.length);
        request.putInt(bytes.length).put(bytes).flip();
        return request;
    }

    /**
     * Reads response frames from {@code in}, copies the {@code 'O'} payloads to {@code out} and the {@code 'E'}
     * payloads to {@code err} (flushing after each frame), and returns the status of the {@code 'X'} frame.
     *
     * @throws ProtocolException if the stream ends before the {@code 'X'} frame, or contains an unknown frame type, a
     *     negative or oversized length, or an {@code 'X'} frame whose length is not 4
     * @throws IOException if reading or writing fails
     */
    static int readResponse(InputStream in, OutputStream out, OutputStream err) throws IOException {
        DataInputStream frames = new DataInputStream(in);
        byte[] buffer = new byte[8192];
        while (true) {
            int type = frames.read();
            if (type < 0) {
                throw new ProtocolException("the node closed the connection before sending the exit status");
            }
            int length = readLength(frames, type);
            switch (type) {
                case STDOUT -> copy(frames, length, out, buffer);
                case STDERR -> copy(frames, length, err, buffer);
                case EXIT -> {
                    if (length != Integer.BYTES) {
                        throw new ProtocolException("exit frame has " + length + " bytes instead of 4");
                    }
                    return readInt(frames);
                }
                default -> throw new ProtocolException(String.format("unknown frame type 0x%02x", type));
            }
        }
    }

    private static int readLength(DataInputStream frames, int type) throws IOException {
        int length = readInt(frames);
        if (length < 0 || length > MAX_FRAME_LENGTH) {
            throw new ProtocolException(String.format("frame of type 0x%02x has length %d, outside 0 to %d", type,
                    length, MAX_FRAME_LENGTH));
        }
        return length;
    }

    private static void copy(InputStream in, int length, OutputStream target, byte[] buffer) throws IOException {
        int remaining = length;
        while (remaining > 0) {
            int read = in.read(buffer, 0, Math.min(buffer.length, remaining));
            if (read < 0) {
                throw new ProtocolException("the node closed the connection inside a frame, " + remaining
                        + " of " + length + " bytes missing");
            }
            target.write(buffer, 0, read);
            remaining -= read;
        }
        target.flush();
    }

    private static int readInt(DataInputStream frames) throws IOException {
        try {
            return frames.readInt();
        } catch (EOFException e) {
            throw new ProtocolException("the node closed the connection in the middle of a frame");
        }
    }
}

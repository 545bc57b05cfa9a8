package io.cohort.shell.socket;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The wire format of the local command socket.
 *
 * <p>Request: a 4-byte big-endian length, then that many bytes of UTF-8 command line in Gogo syntax, at most
 * {@value #MAX_REQUEST_BYTES} bytes. Response: a sequence of frames, each a 1-byte type, a 4-byte big-endian length
 * and that many bytes. {@code 'O'} frames carry standard output and {@code 'E'} frames standard error. Exactly one
 * final {@code 'X'} frame carries the exit status as a 4-byte big-endian int: {@value #STATUS_OK} when the command
 * succeeded, {@value #STATUS_FAILED} when it failed, {@value #STATUS_BAD_REQUEST} when the request was rejected.
 */
final class Frames {

    /** Frame type of standard output bytes. */
    static final byte STDOUT = 'O';

    /** Frame type of standard error bytes. */
    static final byte STDERR = 'E';

    /** Frame type of the final frame, whose payload is the exit status. */
    static final byte EXIT = 'X';

    /** Largest command line accepted, in UTF-8 bytes: 64 KiB. */
    static final int MAX_REQUEST_BYTES = 64 * 1024;

    static final int STATUS_OK = 0;
    static final int STATUS_FAILED = 1;
    /** The usage error status (64, as in BSD's sysexits.h), so that a client never confuses it with "no node". */
    static final int STATUS_BAD_REQUEST = 64;

    private Frames() {
    }

    /** Returns the request bytes for {@code commandLine}: its UTF-8 length, then the UTF-8 bytes. */
    static byte[] encodeRequest(String commandLine) {
        byte[] text = commandLine.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + text.length).putInt(text.length).put(text).array();
    }

    /**
     * Reads one request.
     *
     * @return the command line, or null if the stream ended before the first byte
     * @throws BadRequestException if the declared length is negative or above {@value #MAX_REQUEST_BYTES}, or the
     *     bytes are not valid UTF-8
     * @throws EOFException if the stream ended inside the request
     */
    static String readRequest(InputStream input) throws IOException, BadRequestException {
        DataInputStream in = new DataInputStream(input);
        int first = in.read();
        if (first < 0) {
            return null;
        }
        int length = first << 24 | in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
        if (length < 0 || length > MAX_REQUEST_BYTES) {
            throw new BadRequestException("request of " + Integer.toUnsignedString(length) + " bytes is over the "
                    + "maximum of " + MAX_REQUEST_BYTES + " bytes", Math.max(length, 0));
        }
        byte[] text = in.readNBytes(length);
        if (text.length < length) {
            throw new EOFException("request ended after " + text.length + " of " + length + " bytes");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(text))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadRequestException("request is not valid UTF-8", 0);
        }
    }

    /** Writes one frame of {@code length} bytes of {@code bytes} from {@code offset}. */
    static void writeFrame(OutputStream out, byte type, byte[] bytes, int offset, int length) throws IOException {
        byte[] header = ByteBuffer.allocate(5).put(type).putInt(length).array();
        out.write(header);
        out.write(bytes, offset, length);
        out.flush();
    }

    /** Writes the final frame with {@code status}. */
    static void writeExit(OutputStream out, int status) throws IOException {
        byte[] payload = ByteBuffer.allocate(4).putInt(status).array();
        writeFrame(out, EXIT, payload, 0, payload.length);
    }

    /**
     * Reads one response frame.
     *
     * @return the frame, or null if the stream ended before the first byte
     * @throws EOFException if the stream ended inside the frame
     */
    static Frame readFrame(InputStream input) throws IOException {
        DataInputStream in = new DataInputStream(input);
        int type = in.read();
        if (type < 0) {
            return null;
        }
        int length = in.readInt();
        if (length < 0) {
            throw new IOException("frame of type '" + (char) type + "' declares a negative length " + length);
        }
        byte[] payload = in.readNBytes(length);
        if (payload.length < length) {
            throw new EOFException("frame ended after " + payload.length + " of " + length + " bytes");
        }
        return new Frame((byte) type, payload);
    }

    /**
     * One response frame.
     *
     * @param type {@link #STDOUT}, {@link #STDERR} or {@link #EXIT}
     * @param payload the frame's bytes
     */
    record Frame(byte type, byte[] payload) {

        /** Returns the payload as UTF-8 text. */
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /**
         * Returns the exit status of an {@link #EXIT} frame.
         *
         * @throws IllegalStateException if this is not an exit frame with a 4-byte payload
         */
        int exitStatus() {
            if (type != EXIT || payload.length != 4) {
                throw new IllegalStateException("frame of type '" + (char) type + "' with " + payload.length
                        + " bytes is not an exit frame");
            }
            return ByteBuffer.wrap(payload).getInt();
        }
    }

    /** A request that the server rejects with status {@value #STATUS_BAD_REQUEST} without running a command. */
    static final class BadRequestException extends Exception {

        private static final long serialVersionUID = 1L;

        private final long unreadBytes;

        BadRequestException(String message, long unreadBytes) {
            super(message);
            this.unreadBytes = unreadBytes;
        }

        /** Returns how many request bytes the client sends after the length that were not read. */
        long unreadBytes() {
            return unreadBytes;
        }
    }
}

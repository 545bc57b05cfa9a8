package io.cohort.launcher;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class CommandProtocolTest {

    @Rule
    public final Timeout timeout = Timeout.seconds(10);

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    public void encodeRequest_commandLine_prefixesUtf8BytesWithLength() {
        ByteBuffer request = CommandProtocol.encodeRequest("echo é");

        assertEquals(7, request.getInt());
        byte[] body = new byte[request.remaining()];
        request.get(body);
        assertArrayEquals("echo é".getBytes(StandardCharsets.UTF_8), body);
    }

    @Test
    public void readResponse_stdoutAndStderrFrames_copiesEachToItsStream() throws IOException {
        byte[] response = new Frames().text('O', "one ").text('E', "warning").text('O', "two").exit(0).bytes();

        CommandProtocol.readResponse(new ByteArrayInputStream(response), out, err);

        assertEquals("one two", out.toString(StandardCharsets.UTF_8));
        assertEquals("warning", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    public void readResponse_exitFrame_returnsItsStatus() throws IOException {
        byte[] response = new Frames().text('E', "failed").exit(42).bytes();

        int status = CommandProtocol.readResponse(new ByteArrayInputStream(response), out, err);

        assertEquals(42, status);
    }

    @Test
    public void readResponse_emptyFrames_copyNothing() throws IOException {
        byte[] response = new Frames().text('O', "").text('E', "").exit(0).bytes();

        CommandProtocol.readResponse(new ByteArrayInputStream(response), out, err);

        assertEquals(0, out.size() + err.size());
    }

    @Test
    public void readResponse_frameLargerThanReadBuffer_copiesAllBytes() throws IOException {
        String large = "x".repeat(100_000);
        byte[] response = new Frames().text('O', large).exit(0).bytes();

        CommandProtocol.readResponse(new ByteArrayInputStream(response), out, err);

        assertEquals(large, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    public void readResponse_bytesAfterExitFrame_areNotRead() throws IOException {
        byte[] response = new Frames().exit(3).text('O', "late").bytes();
        ByteArrayInputStream in = new ByteArrayInputStream(response);

        int status = CommandProtocol.readResponse(in, out, err);

        assertEquals(3, status);
        assertEquals(0, out.size());
    }

    @Test
    public void readResponse_streamEndsBeforeExitFrame_throwsProtocolException() {
        byte[] response = new Frames().text('O', "partial").bytes();

        ProtocolException e = assertThrows(ProtocolException.class,
                () -> CommandProtocol.readResponse(new ByteArrayInputStream(response), out, err));

        assertTrue(e.getMessage(), e.getMessage().contains("before sending the exit status"));
    }

    @Test
    public void readResponse_streamEndsInsidePayload_throwsProtocolException() {
        byte[] whole = new Frames().text('O', "complete").bytes();
        byte[] truncated = Arrays.copyOf(whole, whole.length - 3);

        ProtocolException e = assertThrows(ProtocolException.class,
                () -> CommandProtocol.readResponse(new ByteArrayInputStream(truncated), out, err));

        assertTrue(e.getMessage(), e.getMessage().contains("3 of 8 bytes missing"));
    }

    @Test
    public void readResponse_streamEndsInsideLength_throwsProtocolException() {
        byte[] response = {'O', 0, 0};

        assertThrows(ProtocolException.class,
                () -> CommandProtocol.readResponse(new ByteArrayInputStream(response), out, err));
    }

    @Test
    public void readResponse_unknownFrameType_throwsProtocolException() {
        byte[] response = new Frames().text('Q', "?").exit(0).bytes();

        ProtocolException e = assertThrows(ProtocolException.class,
                () -> CommandProtocol.readResponse(new ByteArrayInputStream(response), out, err));

        assertTrue(e.getMessage(), e.getMessage().contains("unknown frame type 0x51"));
    }

    @Test
    public void readResponse_negativeLength_throwsProtocolException() {
        byte[] response = new Frames().header('O', -1).bytes();

        assertThrows(ProtocolException.class,
                () -> CommandProtocol.readResponse(new ByteArrayInputStream(response), out, err));
    }

    @Test
    public void readResponse_lengthAboveLimit_throwsProtocolException() {
        byte[] response = new Frames().header('O', CommandProtocol.MAX_FRAME_LENGTH + 1).bytes();

        ProtocolException e = assertThrows(ProtocolException.class,
                () -> CommandProtocol.readResponse(new ByteArrayInputStream(response), out, err));

        assertTrue(e.getMessage(), e.getMessage().contains("outside 0 to " + CommandProtocol.MAX_FRAME_LENGTH));
    }

    @Test
    public void readResponse_exitFrameNotFourBytes_throwsProtocolException() {
        byte[] response = new Frames().text('X', "12345").bytes();

        ProtocolException e = assertThrows(ProtocolException.class,
                () -> CommandProtocol.readResponse(new ByteArrayInputStream(response), out, err));

        assertTrue(e.getMessage(), e.getMessage().contains("5 bytes instead of 4"));
    }

    /** Builds a response stream frame by frame. */
    static final class Frames {

        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Frames header(char type, int length) {
            bytes.write(type);
            bytes.writeBytes(ByteBuffer.allocate(Integer.BYTES).putInt(length).array());
            return this;
        }

        Frames text(char type, String text) {
            byte[] payload = text.getBytes(StandardCharsets.UTF_8);
            header(type, payload.length);
            bytes.writeBytes(payload);
            return this;
        }

        Frames exit(int status) {
            header('X', Integer.BYTES);
            bytes.writeBytes(ByteBuffer.allocate(Integer.BYTES).putInt(status).array());
            return this;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}

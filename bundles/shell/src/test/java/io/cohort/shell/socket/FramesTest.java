package io.cohort.shell.socket;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** The command socket wire format, byte by byte. */
public class FramesTest {

    @Rule
    public Timeout timeout = Timeout.seconds(10);

    @Test
    public void readRequest_encodedRequest_returnsCommandLine() throws Exception {
        byte[] request = Frames.encodeRequest("starter:greet Jürgen");

        String line = Frames.readRequest(new ByteArrayInputStream(request));

        assertEquals("starter:greet Jürgen", line);
    }

    @Test
    public void encodeRequest_line_prefixesUtf8Length() {
        byte[] request = Frames.encodeRequest("é");

        assertArrayEquals(new byte[] {0, 0, 0, 2, (byte) 0xC3, (byte) 0xA9}, request);
    }

    @Test
    public void readRequest_emptyStream_returnsNull() throws Exception {
        assertNull(Frames.readRequest(new ByteArrayInputStream(new byte[0])));
    }

    @Test
    public void readRequest_exactlyMaximum_isAccepted() throws Exception {
        String line = "x".repeat(Frames.MAX_REQUEST_BYTES);

        assertEquals(line, Frames.readRequest(new ByteArrayInputStream(Frames.encodeRequest(line))));
    }

    @Test
    public void readRequest_overMaximum_rejectedWithUnreadCount() {
        byte[] request = Frames.encodeRequest("x".repeat(Frames.MAX_REQUEST_BYTES + 1));

        Frames.BadRequestException e = assertThrows(Frames.BadRequestException.class,
                () -> Frames.readRequest(new ByteArrayInputStream(request)));

        assertEquals(Frames.MAX_REQUEST_BYTES + 1, e.unreadBytes());
        assertTrue(e.getMessage(), e.getMessage().contains("65537 bytes is over the maximum of 65536"));
    }

    @Test
    public void readRequest_negativeLength_rejected() {
        byte[] request = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFE};

        Frames.BadRequestException e = assertThrows(Frames.BadRequestException.class,
                () -> Frames.readRequest(new ByteArrayInputStream(request)));

        assertEquals(0, e.unreadBytes());
    }

    @Test
    public void readRequest_truncatedBody_throwsEof() {
        byte[] request = {0, 0, 0, 5, 'a', 'b'};

        assertThrows(EOFException.class, () -> Frames.readRequest(new ByteArrayInputStream(request)));
    }

    @Test
    public void readRequest_truncatedLength_throwsEof() {
        byte[] request = {0, 0};

        assertThrows(EOFException.class, () -> Frames.readRequest(new ByteArrayInputStream(request)));
    }

    @Test
    public void readRequest_invalidUtf8_rejected() {
        byte[] request = {0, 0, 0, 2, (byte) 0xC3, (byte) 0x28};

        Frames.BadRequestException e = assertThrows(Frames.BadRequestException.class,
                () -> Frames.readRequest(new ByteArrayInputStream(request)));

        assertEquals("request is not valid UTF-8", e.getMessage());
    }

    @Test
    public void writeFrame_bytes_writesTypeLengthAndPayload() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        Frames.writeFrame(out, Frames.STDOUT, "xabcx".getBytes(StandardCharsets.UTF_8), 1, 3);

        assertArrayEquals(new byte[] {'O', 0, 0, 0, 3, 'a', 'b', 'c'}, out.toByteArray());
    }

    @Test
    public void writeExit_status_writesBigEndianInt() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        Frames.writeExit(out, 258);

        assertArrayEquals(new byte[] {'X', 0, 0, 0, 4, 0, 0, 1, 2}, out.toByteArray());
    }

    @Test
    public void readFrame_writtenFrames_roundTrip() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] text = "oops\n".getBytes(StandardCharsets.UTF_8);
        Frames.writeFrame(out, Frames.STDERR, text, 0, text.length);
        Frames.writeExit(out, Frames.STATUS_FAILED);
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());

        Frames.Frame error = Frames.readFrame(in);
        Frames.Frame exit = Frames.readFrame(in);

        assertEquals(Frames.STDERR, error.type());
        assertEquals("oops\n", error.text());
        assertEquals(Frames.STATUS_FAILED, exit.exitStatus());
        assertNull(Frames.readFrame(in));
    }

    @Test
    public void exitStatus_outputFrame_throws() {
        Frames.Frame frame = new Frames.Frame(Frames.STDOUT, new byte[4]);

        assertThrows(IllegalStateException.class, frame::exitStatus);
    }

    @Test
    public void frameOutputStream_smallWrites_bufferIntoOneFrame() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameOutputStream stream = new FrameOutputStream(out, new Object(), Frames.STDOUT);

        stream.write('h');
        stream.write("ello".getBytes(StandardCharsets.UTF_8));
        stream.flush();

        List<Frames.Frame> frames = readAll(out);
        assertEquals(1, frames.size());
        assertEquals("hello", frames.get(0).text());
    }

    @Test
    public void frameOutputStream_nothingWritten_sendsNoFrame() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameOutputStream stream = new FrameOutputStream(out, new Object(), Frames.STDOUT);

        stream.flush();
        stream.close();

        assertEquals(0, out.size());
    }

    @Test
    public void frameOutputStream_largeWrite_keepsByteOrder() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameOutputStream stream = new FrameOutputStream(out, new Object(), Frames.STDERR);
        byte[] large = new byte[20_000];
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) i;
        }

        stream.write(new byte[] {1, 2, 3});
        stream.write(large);
        stream.close();

        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (Frames.Frame frame : readAll(out)) {
            assertEquals(Frames.STDERR, frame.type());
            joined.write(frame.payload());
        }
        byte[] expected = ByteBuffer.allocate(3 + large.length).put(new byte[] {1, 2, 3}).put(large).array();
        assertArrayEquals(expected, joined.toByteArray());
    }

    @Test
    public void frameOutputStream_overFrameMaximum_splits() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameOutputStream stream = new FrameOutputStream(out, new Object(), Frames.STDOUT);

        stream.write(new byte[FrameOutputStream.MAX_FRAME_PAYLOAD * 2 + 1]);

        List<Integer> sizes = readAll(out).stream().map(frame -> frame.payload().length).toList();
        assertEquals(List.of(FrameOutputStream.MAX_FRAME_PAYLOAD, FrameOutputStream.MAX_FRAME_PAYLOAD, 1), sizes);
    }

    private static List<Frames.Frame> readAll(ByteArrayOutputStream out) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        List<Frames.Frame> frames = new ArrayList<>();
        for (Frames.Frame frame = Frames.readFrame(in); frame != null; frame = Frames.readFrame(in)) {
            frames.add(frame);
        }
        return frames;
    }
}

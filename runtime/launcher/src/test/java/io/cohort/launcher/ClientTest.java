package io.cohort.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

public class ClientTest {

    @Rule
    public final Timeout timeout = Timeout.seconds(20);

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private NodeHome home;

    @Before
    public void createHome() throws IOException {
        home = new NodeHome(temp.newFolder("home").toPath());
        Files.createDirectories(home.commandSocket().getParent());
    }

    @Test
    public void run_noArguments_returnsUsageStatus() {
        int status = Client.run(new String[0], print(out), print(err));

        assertEquals(Client.EXIT_USAGE, status);
        assertTrue(text(err), text(err).startsWith("Usage: cohort client"));
    }

    @Test
    public void run_unknownOption_returnsUsageStatus() {
        int status = Client.run(new String[] {"--node", "2", "cohort:info"}, print(out), print(err));

        assertEquals(Client.EXIT_USAGE, status);
        assertTrue(text(err), text(err).startsWith("cohort client: unknown option '--node'"));
    }

    @Test
    public void run_help_printsUsage() {
        int status = Client.run(new String[] {"--help"}, print(out), print(err));

        assertEquals(0, status);
        assertTrue(text(out), text(out).startsWith("Usage: cohort client COMMAND"));
        assertEquals("", text(err));
    }

    @Test
    public void run_emptyCommand_returnsUsageStatus() {
        int status = Client.run(new String[] {""}, print(out), print(err));

        assertEquals(Client.EXIT_USAGE, status);
        assertTrue(text(err), text(err).startsWith("cohort client: the command is empty"));
    }

    @Test
    public void run_optionCWithBlankLine_returnsUsageStatus() {
        int status = Client.run(new String[] {"-c", "  "}, print(out), print(err));

        assertEquals(Client.EXIT_USAGE, status);
        assertTrue(text(err), text(err).startsWith("cohort client: the command is empty"));
    }

    @Test
    public void run_optionCWithoutLine_returnsUsageStatus() {
        int status = Client.run(new String[] {"-c"}, print(out), print(err));

        assertEquals(Client.EXIT_USAGE, status);
    }

    @Test
    public void send_noSocket_reportsNoNodeAndReturns2() {
        int status = Client.send(home, "cohort:info", print(out), print(err));

        assertEquals(Client.EXIT_NO_NODE, status);
        assertEquals("no node is running at " + home + " (no socket at " + home.commandSocket() + ")\n", text(err));
    }

    @Test
    public void send_lockOfLiveProcess_reportsStartingNode() throws IOException {
        long pid = ProcessHandle.current().pid();
        Files.writeString(home.lockFile(), pid + "\n");

        int status = Client.send(home, "cohort:info", print(out), print(err));

        assertEquals(Client.EXIT_NO_NODE, status);
        assertEquals("the node at " + home + " (process " + pid + ") runs but has not opened its command socket "
                + home.commandSocket() + ": it is starting or stopping, or its start is stuck (see the node log)\n",
                text(err));
    }

    @Test
    public void send_lockOfEndedProcess_reportsNoNode() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        Files.writeString(home.lockFile(), ended.pid() + "\n");

        int status = Client.send(home, "cohort:info", print(out), print(err));

        assertEquals(Client.EXIT_NO_NODE, status);
        assertTrue(text(err), text(err).startsWith("no node is running at " + home));
    }

    @Test
    public void send_staleSocketAndLockOfLiveProcess_reportsStartingNode() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(home.commandSocket()));
        }
        long pid = ProcessHandle.current().pid();
        Files.writeString(home.lockFile(), pid + "\n");

        int status = Client.send(home, "cohort:info", print(out), print(err));

        assertEquals(Client.EXIT_NO_NODE, status);
        assertTrue(text(err), text(err).startsWith("the node at " + home + " (process " + pid + ") runs"));
    }

    @Test
    public void send_socketWithoutListener_reportsNoNodeAndReturns2() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(home.commandSocket()));
        }

        int status = Client.send(home, "cohort:info", print(out), print(err));

        assertEquals(Client.EXIT_NO_NODE, status);
        assertTrue(text(err), text(err).contains("refuses connections"));
    }

    @Test
    public void send_nodeAnswers_printsFramesAndReturnsStatus() throws Exception {
        byte[] response = new CommandProtocolTest.Frames().text('O', "out ").text('E', "err").exit(5).bytes();
        try (ServerSocketChannel server = listen()) {
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> answerOnce(server, response));

            int status = Client.send(home, "cohort:info x", print(out), print(err));

            assertEquals("cohort:info x", received.get(10, TimeUnit.SECONDS));
            assertEquals(5, status);
            assertEquals("out ", text(out));
            assertEquals("err", text(err));
        }
    }

    @Test
    public void send_nodeClosesWithoutExitFrame_returnsConnectionFailed() throws Exception {
        byte[] response = new CommandProtocolTest.Frames().text('O', "partial").bytes();
        try (ServerSocketChannel server = listen()) {
            CompletableFuture.supplyAsync(() -> answerOnce(server, response));

            int status = Client.send(home, "cohort:info", print(out), print(err));

            assertEquals(Client.EXIT_CONNECTION_FAILED, status);
            assertTrue(text(err), text(err).contains("invalid response from the node"));
        }
    }

    private ServerSocketChannel listen() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(home.commandSocket()));
        return server;
    }

    /** Accepts one connection, reads one request, writes {@code response}, closes, and returns the command line. */
    private static String answerOnce(ServerSocketChannel server, byte[] response) {
        try (SocketChannel connection = server.accept()) {
            ByteBuffer length = readFully(connection, Integer.BYTES);
            ByteBuffer line = readFully(connection, length.getInt());
            ByteBuffer answer = ByteBuffer.wrap(response);
            while (answer.hasRemaining()) {
                connection.write(answer);
            }
            return StandardCharsets.UTF_8.decode(line).toString();
        } catch (IOException e) {
            throw new IllegalStateException("test server failed", e);
        }
    }

    private static ByteBuffer readFully(SocketChannel connection, int size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(size);
        while (buffer.hasRemaining()) {
            if (connection.read(buffer) < 0) {
                throw new IOException("client closed the connection early");
            }
        }
        return buffer.flip();
    }

    private static PrintStream print(ByteArrayOutputStream target) {
        return new PrintStream(target, true, StandardCharsets.UTF_8);
    }

    private static String text(ByteArrayOutputStream target) {
        return target.toString(StandardCharsets.UTF_8);
    }
}

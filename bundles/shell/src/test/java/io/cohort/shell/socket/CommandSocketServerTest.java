package io.cohort.shell.socket;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

/** The command socket server on a real Unix domain socket in a temporary directory, with a fake executor. */
public class CommandSocketServerTest {

    @Rule
    public Timeout timeout = Timeout.seconds(30);

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private Path socket;
    private final List<CommandSocketServer> servers = new ArrayList<>();
    private CommandProcessorImpl gogoProcessor;
    private ThreadIOImpl gogoThreadIO;

    private final CountDownLatch waitStarted = new CountDownLatch(1);
    private final CountDownLatch waitInterrupted = new CountDownLatch(1);
    private final CountDownLatch gogoCommandEnded = new CountDownLatch(1);

    /**
     * Echoes the command line to stdout. The line "fail" writes to stderr and fails, "boom" throws, and "wait"
     * blocks until its thread is interrupted.
     */
    private final CommandExecutor fakeExecutor = (line, out, err) -> {
        try {
            if (line.equals("wait")) {
                waitStarted.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    waitInterrupted.countDown();
                }
                return Frames.STATUS_OK;
            }
            if (line.equals("boom")) {
                throw new IllegalStateException("executor broke");
            }
            if (line.equals("fail")) {
                err.write("it failed\n".getBytes(StandardCharsets.UTF_8));
                return Frames.STATUS_FAILED;
            }
            out.write(("ran " + line + "\n").getBytes(StandardCharsets.UTF_8));
            return Frames.STATUS_OK;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    };

    @Before
    public void chooseSocketPath() {
        socket = folder.getRoot().toPath().resolve("run").resolve("cohort.sock");
    }

    @After
    public void closeServers() throws InterruptedException {
        servers.forEach(CommandSocketServer::close);
        if (gogoProcessor != null) {
            gogoProcessor.stop();
            GogoStreams.stopAfterSessions(gogoThreadIO);
        }
    }

    @Test
    public void request_commandSucceeds_returnsStdoutAndStatusZero() throws Exception {
        start(Duration.ofSeconds(10));

        Response response = call(Frames.encodeRequest("cohort:info"));

        assertEquals("ran cohort:info\n", response.stdout());
        assertEquals("", response.stderr());
        assertEquals(0, response.status());
    }

    @Test
    public void request_commandFails_returnsStderrAndStatusOne() throws Exception {
        start(Duration.ofSeconds(10));

        Response response = call(Frames.encodeRequest("fail"));

        assertEquals("it failed\n", response.stderr());
        assertEquals(1, response.status());
    }

    @Test
    public void request_executorThrows_returnsExceptionAndStatusOne() throws Exception {
        start(Duration.ofSeconds(10));

        Response response = call(Frames.encodeRequest("boom"));

        assertEquals("java.lang.IllegalStateException: executor broke\n", response.stderr());
        assertEquals(1, response.status());
    }

    @Test
    public void request_overMaximum_returnsStatusTwoWithoutRunning() throws Exception {
        start(Duration.ofSeconds(10));

        Response response = call(Frames.encodeRequest("x".repeat(Frames.MAX_REQUEST_BYTES + 1)));

        assertEquals(64, response.status());
        assertEquals("", response.stdout());
        assertTrue(response.stderr(), response.stderr().contains("over the maximum of 65536 bytes"));
    }

    @Test
    public void request_negativeLength_returnsStatusTwo() throws Exception {
        start(Duration.ofSeconds(10));

        Response response = call(new byte[] {(byte) 0x80, 0, 0, 0});

        assertEquals(64, response.status());
    }

    @Test
    public void request_exitFrame_isLastFrame() throws Exception {
        start(Duration.ofSeconds(10));

        Response response = call(Frames.encodeRequest("cohort:plugins"));

        List<Frames.Frame> frames = response.frames();
        assertEquals(Frames.EXIT, frames.get(frames.size() - 1).type());
        assertEquals(1, frames.stream().filter(frame -> frame.type() == Frames.EXIT).count());
    }

    @Test
    public void request_notSentInTime_connectionClosed() throws Exception {
        start(Duration.ofMillis(200));

        try (SocketChannel client = connect()) {
            client.write(ByteBuffer.wrap(new byte[] {0, 0}));

            assertNull(Frames.readFrame(Channels.newInputStream(client)));
        }
    }

    @Test
    public void request_manyClientsAtOnce_allAnswered() throws Exception {
        start(Duration.ofSeconds(10));
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<Response>> responses = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String line = "command-" + i;
                responses.add(clients.submit(() -> call(Frames.encodeRequest(line))));
            }

            for (int i = 0; i < responses.size(); i++) {
                assertEquals("ran command-" + i + "\n", responses.get(i).get().stdout());
            }
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    public void start_newDirectory_restrictsDirectoryToOwner() throws Exception {
        start(Duration.ofSeconds(10));

        assertEquals("rwx------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
    }

    @Test
    public void start_existingOpenDirectory_restrictsItToOwner() throws Exception {
        Files.createDirectories(socket.getParent());
        Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));

        start(Duration.ofSeconds(10));

        assertEquals("rwx------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
    }

    @Test
    public void clientLeaves_commandRunning_commandInterrupted() throws Exception {
        start(Duration.ofSeconds(10));
        try (SocketChannel client = connect()) {
            Channels.newOutputStream(client).write(Frames.encodeRequest("wait"));
            assertTrue("the command started", waitStarted.await(10, TimeUnit.SECONDS));
        }

        assertTrue("the command was interrupted", waitInterrupted.await(10, TimeUnit.SECONDS));
    }

    @Test
    public void clientLeaves_commandRunning_countedOnce() throws Exception {
        CommandSocketServer server = start(Duration.ofSeconds(10));
        try (SocketChannel client = connect()) {
            Channels.newOutputStream(client).write(Frames.encodeRequest("wait"));
            assertTrue("the command started", waitStarted.await(10, TimeUnit.SECONDS));
        }
        assertTrue("the command was interrupted", waitInterrupted.await(10, TimeUnit.SECONDS));

        assertEquals(1, server.commandsInterruptedByClient());
    }

    @Test
    public void clientLeavesAfterExitFrame_nothingInterrupted() throws Exception {
        CommandSocketServer server = start(Duration.ofSeconds(10));

        // A client that closes as soon as it has read the exit frame, as bin/cohort client does, races the end of
        // the request on the server. 300 requests give that race many chances.
        for (int i = 0; i < 300; i++) {
            try (SocketChannel client = connect()) {
                Channels.newOutputStream(client).write(Frames.encodeRequest("quick-" + i));
                InputStream in = Channels.newInputStream(client);
                Frames.Frame frame;
                do {
                    frame = Frames.readFrame(in);
                    assertNotNull("exit frame of request " + i, frame);
                } while (frame.type() != Frames.EXIT);
            }
        }

        assertEquals(0, server.commandsInterruptedByClient());
    }

    @Test
    public void clientLeaves_commandInterrupted_serverStillServes() throws Exception {
        start(Duration.ofSeconds(10));
        try (SocketChannel client = connect()) {
            Channels.newOutputStream(client).write(Frames.encodeRequest("wait"));
            assertTrue("the command started", waitStarted.await(10, TimeUnit.SECONDS));
        }
        assertTrue("the command was interrupted", waitInterrupted.await(10, TimeUnit.SECONDS));

        assertEquals("ran next\n", call(Frames.encodeRequest("next")).stdout());
    }

    @Test
    public void close_waitingCommand_printsNodeStopping() throws Exception {
        assertStopEndsCommand("test:block");
    }

    @Test
    public void close_commandRestoresInterrupt_printsNodeStopping() throws Exception {
        assertStopEndsCommand("test:rethrow");
    }

    /** Closes the server while {@code command} runs on Gogo, and checks what its client receives. */
    private void assertStopEndsCommand(String command) throws Exception {
        startGogo();
        try (SocketChannel client = connect()) {
            Channels.newOutputStream(client).write(Frames.encodeRequest(command));
            assertTrue("the command started", waitStarted.await(10, TimeUnit.SECONDS));

            servers.get(0).close();
            Response response = readResponse(client);

            assertEquals("command interrupted: the node is stopping\n", response.stderr());
            assertEquals(1, response.status());
            assertTrue("the command ended", gogoCommandEnded.await(10, TimeUnit.SECONDS));
        }
    }

    @Test
    public void start_bound_restrictsSocketFileToOwner() throws Exception {
        start(Duration.ofSeconds(10));

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    }

    @Test
    public void start_staleSocketFile_replacesItAndServes() throws Exception {
        Files.createDirectories(socket.getParent());
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));

        start(Duration.ofSeconds(10));

        assertEquals(0, call(Frames.encodeRequest("x")).status());
    }

    @Test
    public void start_socketInUse_returnsFalseAndKeepsIt() throws Exception {
        start(Duration.ofSeconds(10));
        CommandSocketServer second = new CommandSocketServer(socket, fakeExecutor, 1, Duration.ofSeconds(10));
        servers.add(second);

        boolean started = second.start();
        second.close();

        assertFalse(started);
        assertEquals("ran x\n", call(Frames.encodeRequest("x")).stdout());
    }

    @Test
    public void close_running_deletesSocketFile() throws Exception {
        CommandSocketServer server = start(Duration.ofSeconds(10));

        server.close();

        assertFalse(Files.exists(socket));
    }

    @Test
    public void close_running_stopsAcceptThread() throws Exception {
        CommandSocketServer server = start(Duration.ofSeconds(10));

        server.close();

        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.getName().equals(CommandSocketServer.ACCEPT_THREAD)));
    }

    private CommandSocketServer start(Duration requestTimeout) throws IOException {
        CommandSocketServer server = new CommandSocketServer(socket, fakeExecutor, 4, requestTimeout);
        servers.add(server);
        assertTrue(server.start());
        return server;
    }

    /** Starts a server that runs commands through a real Gogo runtime with the {@link WaitingCommand} commands. */
    private void startGogo() throws IOException {
        gogoThreadIO = new ThreadIOImpl();
        gogoThreadIO.start();
        gogoProcessor = new CommandProcessorImpl(gogoThreadIO);
        WaitingCommand commands = new WaitingCommand(waitStarted, gogoCommandEnded);
        gogoProcessor.addCommand("test", commands, "block");
        gogoProcessor.addCommand("test", commands, "rethrow");
        CommandSocketServer server = new CommandSocketServer(socket, new GogoCommandExecutor(gogoProcessor), 4,
                Duration.ofSeconds(10));
        servers.add(server);
        assertTrue(server.start());
    }

    private SocketChannel connect() throws IOException {
        SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
        client.connect(UnixDomainSocketAddress.of(socket));
        return client;
    }

    /** Sends {@code request} and reads frames until the exit frame, then checks that the server closed. */
    private Response call(byte[] request) throws IOException {
        try (SocketChannel client = connect()) {
            OutputStream out = Channels.newOutputStream(client);
            out.write(request);
            return readResponse(client);
        }
    }

    /** Reads frames until the exit frame, then checks that the server closed. */
    private static Response readResponse(SocketChannel client) throws IOException {
        InputStream in = Channels.newInputStream(client);
        List<Frames.Frame> frames = new ArrayList<>();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Frames.Frame frame;
        do {
            frame = Frames.readFrame(in);
            if (frame == null) {
                throw new AssertionError("connection closed before the exit frame; frames: " + frames.size());
            }
            frames.add(frame);
            if (frame.type() == Frames.STDOUT) {
                stdout.write(frame.payload());
            } else if (frame.type() == Frames.STDERR) {
                stderr.write(frame.payload());
            }
        } while (frame.type() != Frames.EXIT);
        assertNull("server sent bytes after the exit frame", Frames.readFrame(in));
        return new Response(stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8),
                frame.exitStatus(), frames);
    }

    /**
     * Gogo commands that block until their thread is interrupted. Gogo runs them on a thread of its own, which can
     * outlive the session, so tests wait for {@code ended} before they stop Gogo.
     */
    public static final class WaitingCommand {

        private final CountDownLatch started;
        private final CountDownLatch ended;

        WaitingCommand(CountDownLatch started, CountDownLatch ended) {
            this.started = started;
            this.ended = ended;
        }

        /** Lets the {@link InterruptedException} end the command. */
        public String block() throws InterruptedException {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } finally {
                ended.countDown();
            }
            return "not interrupted";
        }

        /**
         * Sets the interrupt flag again and throws its own error, as the admin commands do. Gogo runtime 1.1.6 then
         * reports an {@link InterruptedException} in place of that error.
         */
        public String rethrow() {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting", e);
            } finally {
                ended.countDown();
            }
            return "not interrupted";
        }
    }

    private record Response(String stdout, String stderr, int status, List<Frames.Frame> frames) {
    }
}

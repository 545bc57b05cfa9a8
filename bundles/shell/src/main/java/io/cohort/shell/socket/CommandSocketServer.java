package io.cohort.shell.socket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the {@link Frames local command protocol} on a Unix domain socket. Each connection carries one request,
 * and the server replies with output frames and one exit frame, then closes the connection.
 *
 * <p>Only the OS user that runs the node can connect: the socket's directory is created with permissions
 * {@code rwx------} and the socket file gets {@code rw-------}. A socket file left by a node that died is replaced.
 * One that still accepts connections belongs to a running node with the same data directory, and this server then
 * does not start.
 *
 * <p>Threads: {@value #ACCEPT_THREAD} accepts connections, and a pool of {@code cohort-shell-client-N} threads runs
 * one command per connection. A client that does not send its whole request within the request timeout is
 * disconnected.
 */
final class CommandSocketServer implements AutoCloseable {

    /** The name of the accepting thread. */
    static final String ACCEPT_THREAD = "cohort-shell-socket";

    private static final Logger LOG = LoggerFactory.getLogger(CommandSocketServer.class);
    private static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> SOCKET_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    /**
     * States of one request's command. The first of the command's end and the client's leaving wins, so a client
     * that leaves after the command ended interrupts nothing.
     */
    private static final int RUNNING = 0;
    private static final int ENDED = 1;
    private static final int CLIENT_LEFT = 2;

    private final Path socketPath;
    private final CommandExecutor executor;
    private final int workerCount;
    private final Duration requestTimeout;

    private ServerSocketChannel server;
    private Thread acceptThread;
    private ExecutorService workers;
    private ScheduledExecutorService timeouts;
    private volatile boolean closing;

    /** Commands interrupted because their client left while they ran. */
    private final AtomicLong interruptedByClient = new AtomicLong();

    /**
     * @param socketPath the socket file, whose parent directory is created or restricted to the owner
     * @param executor runs each command line
     * @param workerCount how many commands run at once. More connections wait in a queue
     * @param requestTimeout how long a client may take to send its request before it is disconnected
     */
    CommandSocketServer(Path socketPath, CommandExecutor executor, int workerCount, Duration requestTimeout) {
        this.socketPath = socketPath.toAbsolutePath().normalize();
        this.executor = executor;
        this.workerCount = workerCount;
        this.requestTimeout = requestTimeout;
    }

    Path socketPath() {
        return socketPath;
    }

    /**
     * Creates the directory, binds the socket and starts accepting.
     *
     * @return false when another process already accepts connections on the socket, and nothing was started
     * @throws IOException if the directory, its permissions or the socket cannot be set up
     * @throws IllegalStateException if this server was started before
     */
    synchronized boolean start() throws IOException {
        if (server != null || closing) {
            throw new IllegalStateException("command socket server for " + socketPath + " was already started");
        }
        prepareDirectory(socketPath.getParent());
        if (Files.exists(socketPath, LinkOption.NOFOLLOW_LINKS)) {
            if (isAnswering(socketPath)) {
                return false;
            }
            Files.delete(socketPath);
            LOG.info("Removed stale command socket {} left by a node that is no longer running", socketPath);
        }

        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(socketPath));
            Files.setPosixFilePermissions(socketPath, SOCKET_PERMISSIONS);
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(socketPath);
            throw e;
        }
        server = channel;
        workers = Executors.newFixedThreadPool(workerCount, namedThreads("cohort-shell-client-"));
        timeouts = Executors.newSingleThreadScheduledExecutor(namedThreads("cohort-shell-socket-timeout-"));
        acceptThread = new Thread(this::acceptLoop, ACCEPT_THREAD);
        acceptThread.setDaemon(true);
        acceptThread.start();
        return true;
    }

    /** Stops accepting, interrupts running commands and deletes the socket file. Calling it again does nothing. */
    @Override
    public synchronized void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (server == null) {
            return;
        }
        closeQuietly(server);
        workers.shutdownNow();
        timeouts.shutdownNow();
        try {
            acceptThread.join(STOP_TIMEOUT.toMillis());
            if (!workers.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Commands from the command socket {} still run {} ms after stop", socketPath,
                        STOP_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(socketPath);
        } catch (IOException e) {
            LOG.warn("Cannot delete the command socket file {}", socketPath, e);
        }
    }

    private static void prepareDirectory(Path directory) throws IOException {
        if (Files.isSymbolicLink(directory)) {
            throw new IOException("command socket directory " + directory + " is a symbolic link; expected a "
                    + "directory owned by the node's OS user");
        }
        Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(DIRECTORY_PERMISSIONS));
        Files.setPosixFilePermissions(directory, DIRECTORY_PERMISSIONS);
    }

    /** Returns whether a server accepts connections on the socket file. */
    private static boolean isAnswering(Path path) throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }

    private void acceptLoop() {
        while (!closing) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                break;
            } catch (IOException e) {
                if (closing) {
                    break;
                }
                LOG.warn("Accepting on the command socket {} failed; trying again", socketPath, e);
                pauseAfterAcceptFailure();
                continue;
            }
            try {
                workers.execute(() -> serve(client));
            } catch (RejectedExecutionException e) {
                closeQuietly(client);
            }
        }
    }

    /** Returns how many commands were interrupted because their client left while they ran. */
    long commandsInterruptedByClient() {
        return interruptedByClient.get();
    }

    private void serve(SocketChannel client) {
        Object writeLock = new Object();
        try (client) {
            InputStream in = Channels.newInputStream(client);
            OutputStream out = Channels.newOutputStream(client);
            ScheduledFuture<?> deadline = timeouts.schedule(() -> closeQuietly(client), requestTimeout.toMillis(),
                    TimeUnit.MILLISECONDS);
            String commandLine;
            try {
                commandLine = Frames.readRequest(in);
            } catch (Frames.BadRequestException e) {
                reject(in, out, writeLock, e);
                return;
            } finally {
                deadline.cancel(false);
            }
            if (commandLine != null) {
                AtomicInteger state = new AtomicInteger(RUNNING);
                Thread watcher = watchForDisconnect(client, commandLine, state);
                try {
                    run(commandLine, out, writeLock, state);
                } finally {
                    watcher.interrupt();
                }
            }
        } catch (IOException e) {
            LOG.debug("Command socket connection on {} ended early", socketPath, e);
        } catch (RejectedExecutionException e) {
            LOG.debug("Command socket {} is closing; dropping a connection", socketPath, e);
        }
    }

    /**
     * Starts a thread that interrupts {@code worker} when the client disconnects before its command ends, so that a
     * killed {@code bin/cohort client} also stops a command that waits or runs long. A client sends nothing after its
     * request, so the end of the stream, a reset, or any further byte counts as the client leaving.
     *
     * <p>The watcher reads the channel itself and not through a stream, because a stream read would hold the
     * channel's blocking lock and stall the command's output.
     */
    private Thread watchForDisconnect(SocketChannel client, String commandLine, AtomicInteger state) {
        Thread worker = Thread.currentThread();
        Thread watcher = new Thread(() -> {
            try {
                client.read(ByteBuffer.allocate(1));
            } catch (AsynchronousCloseException e) {
                // The command ended and the worker stopped this watch.
                return;
            } catch (IOException e) {
                LOG.debug("Client connection of the command socket {} failed while '{}' ran", socketPath,
                        commandLine, e);
            }
            if (!Thread.currentThread().isInterrupted() && state.compareAndSet(RUNNING, CLIENT_LEFT)) {
                interruptedByClient.incrementAndGet();
                LOG.info("Client of the command socket {} disconnected while '{}' ran; interrupting the command",
                        socketPath, commandLine);
                worker.interrupt();
            }
        }, worker.getName() + "-watch");
        watcher.setDaemon(true);
        watcher.start();
        return watcher;
    }

    private void run(String commandLine, OutputStream out, Object writeLock, AtomicInteger state)
            throws IOException {
        LOG.debug("Running command from socket {}: {}", socketPath, commandLine);
        FrameOutputStream stdout = new FrameOutputStream(out, writeLock, Frames.STDOUT);
        FrameOutputStream stderr = new FrameOutputStream(out, writeLock, Frames.STDERR);
        int status;
        try {
            status = executor.execute(commandLine, stdout, stderr);
        } catch (RuntimeException e) {
            LOG.error("Command from socket {} failed: {}", socketPath, commandLine, e);
            stderr.write((e + "\n").getBytes(StandardCharsets.UTF_8));
            status = Frames.STATUS_FAILED;
        }
        boolean clientLeft = !state.compareAndSet(RUNNING, ENDED);
        // A write on an interrupted thread would close the channel, so the flag is cleared until the exit frame is out.
        boolean interrupted = Thread.interrupted();
        if (clientLeft) {
            LOG.debug("Command from socket {} ended after its client left: {}", socketPath, commandLine);
            return;
        }
        if (interrupted && closing) {
            LOG.info("Command from socket {} was interrupted because the node is stopping: {}", socketPath,
                    commandLine);
        }
        try {
            stdout.flush();
            stderr.flush();
            synchronized (writeLock) {
                Frames.writeExit(out, status);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Rejects a bad request with status {@value Frames#STATUS_BAD_REQUEST}, then reads and discards what the client
     * still sends, within a new request timeout, so that a client that writes its whole request before reading
     * receives the response.
     */
    private void reject(InputStream in, OutputStream out, Object writeLock, Frames.BadRequestException e)
            throws IOException {
        LOG.warn("Rejected a request on the command socket {}: {}", socketPath, e.getMessage());
        synchronized (writeLock) {
            byte[] message = (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
            Frames.writeFrame(out, Frames.STDERR, message, 0, message.length);
            Frames.writeExit(out, Frames.STATUS_BAD_REQUEST);
        }
        if (e.unreadBytes() > 0) {
            try (InputStream ignored = in) {
                ScheduledFuture<?> deadline = timeouts.schedule(() -> closeQuietly(in), requestTimeout.toMillis(),
                        TimeUnit.MILLISECONDS);
                in.skipNBytes(e.unreadBytes());
                deadline.cancel(false);
            } catch (IOException drainFailure) {
                LOG.debug("Client of the command socket {} left during a rejected request", socketPath, drainFailure);
            }
        }
    }

    private void pauseAfterAcceptFailure() {
        try {
            TimeUnit.MILLISECONDS.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory namedThreads(String prefix) {
        AtomicInteger next = new AtomicInteger(1);
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + next.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.debug("Closing {} failed", closeable, e);
        }
    }
}

package io.cohort.launcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

/**
 * An exclusive lock on one node of a node home, held for the life of the node so a second process cannot share its
 * framework cache, its command socket and its data. The operating system releases it when the process ends, however
 * it ends.
 */
final class NodeLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private NodeLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@link NodeHome#lockFile()} and writes this process's pid into it.
     *
     * @throws IllegalStateException if another process holds the lock
     * @throws IOException if the lock file cannot be created or written
     */
    static NodeLock acquire(NodeHome home) throws IOException {
        Path file = home.lockFile();
        Files.createDirectories(file.getParent());
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = tryLock(channel);
            if (lock == null) {
                throw new IllegalStateException("Another node is already running at " + home.describe() + ": "
                        + file + " is locked by another process. Stop that node first, or start another node of"
                        + " this folder with --node N (2 to " + NodeHome.MAX_NODE + ")");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
            return new NodeLock(channel, lock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Returns the lock, or null when another process or another channel of this JVM holds it. */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    /**
     * Returns the pid in the lock file of {@code home} when that process is alive: the node that has the lock, or,
     * rarely, a process that reused the pid of a node killed while it had the lock. A node that stops empties the
     * file first.
     */
    static OptionalLong holder(NodeHome home) {
        try {
            long pid = Long.parseLong(Files.readString(home.lockFile(), StandardCharsets.US_ASCII).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent() ? OptionalLong.of(pid)
                    : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            channel.truncate(0);
            lock.release();
        } finally {
            channel.close();
        }
    }
}

package io.cohort.jdbc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;

import org.h2.store.fs.FileBase;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * H2 file system {@value #SCHEME}{@code :} that stores files on disk like {@code file:}, except that every write
 * fails with "No space left on device" while {@link #setFull(boolean) full} is set, as on a full disk.
 */
public final class DiskFullFilePath extends FilePathWrapper {

    public static final String SCHEME = "diskfull";

    private static volatile boolean full;

    /** Registers the file system with H2, so that URLs such as {@code jdbc:h2:diskfull:/tmp/db} open it. */
    public static void register() {
        FilePath.register(new DiskFullFilePath());
    }

    /** Makes every later write fail ({@code true}) or succeed again ({@code false}). */
    public static void setFull(boolean value) {
        full = value;
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileChannel open(String mode) throws IOException {
        return new DiskFullChannel(getBase().open(mode));
    }

    /** Forwards to the channel on disk and fails writes while the disk is full. */
    private static final class DiskFullChannel extends FileBase {

        private final FileChannel base;

        DiskFullChannel(FileChannel base) {
            this.base = base;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return base.read(dst);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return base.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            requireSpace();
            return base.write(src);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            requireSpace();
            return base.write(src, position);
        }

        @Override
        public long position() throws IOException {
            return base.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            base.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return base.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            requireSpace();
            base.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            requireSpace();
            base.force(metaData);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return base.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            base.close();
        }

        private static void requireSpace() throws IOException {
            if (full) {
                throw new IOException("No space left on device");
            }
        }
    }
}

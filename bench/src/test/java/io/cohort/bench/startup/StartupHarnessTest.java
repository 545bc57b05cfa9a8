package io.cohort.bench.startup;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

public class StartupHarnessTest {

    @Rule
    public Timeout timeout = Timeout.seconds(10);

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    @Test
    public void copyHome_usedFolder_emptiesRunFolders() throws IOException {
        Path distribution = folder.newFolder("cohort").toPath();
        Path launcher = write(distribution.resolve("lib/cohort-launcher.jar"), "jar");
        FileTime time = FileTime.fromMillis(1_700_000_000_000L);
        Files.setLastModifiedTime(launcher, time);
        write(distribution.resolve("etc/cohort.properties"), "a=b");
        write(distribution.resolve("deploy/plugin.jar"), "plugin");
        write(distribution.resolve("data/db/cohort.mv.db"), "rows");
        write(distribution.resolve("log/cohort.log"), "lines");
        Path home = distribution.resolveSibling("copy");

        StartupHarness.copyHome(distribution, home);

        assertEquals("jar", Files.readString(home.resolve("lib/cohort-launcher.jar")));
        assertEquals(time, Files.getLastModifiedTime(home.resolve("lib/cohort-launcher.jar")));
        assertEquals("a=b", Files.readString(home.resolve("etc/cohort.properties")));
        assertEquals(List.of(), list(home.resolve("deploy")));
        assertEquals(List.of(), list(home.resolve("data")));
        assertEquals(List.of(), list(home.resolve("log")));
        assertTrue(Files.exists(distribution.resolve("deploy/plugin.jar")));
    }

    @Test
    public void copyHome_commandSocketInData_skipsIt() throws IOException {
        Path distribution = folder.newFolder("cohort").toPath();
        write(distribution.resolve("etc/cohort.properties"), "a=b");
        Path socket = Files.createDirectories(distribution.resolve("data/run")).resolve("cohort.sock");
        Path home = distribution.resolveSibling("copy");

        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            StartupHarness.copyHome(distribution, home);
        }

        assertEquals(List.of(), list(home.resolve("data")));
        assertFalse(Files.exists(home.resolve("data/run/cohort.sock")));
    }

    private static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }
}

package io.cohort.launcher;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.ProtocolException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * Runs one Gogo command on a node of a home and exits with the command's status:
 * {@code bin/cohort [--node N] client COMMAND [ARG...]} or {@code bin/cohort [--node N] client -c 'LINE'}.
 *
 * <p>The client connects to the node's Unix domain socket {@code run/cohort.sock} in the node's data directory
 * ({@code <home>/data/} for node 1, {@code <home>/data/node-N/} for node N), sends the command
 * line in the format of {@link CommandProtocol}, and copies the node's standard output and standard error frames to
 * its own. Separate arguments are quoted as {@link CommandLine} describes, so they reach the command unchanged;
 * {@code -c} sends a line as typed, for pipes and several commands. The node runs the commands that {@code ;} or
 * line breaks separate in order, printing each result, and stops at the first that fails. A Boolean result (what
 * Gogo's {@code grep} returns) prints nothing, and {@code false} from the last command makes the exit status 1.
 *
 * <p>Exit status: the command's status, {@value #EXIT_NO_NODE} when no node of the home responds (none runs, or it has
 * not opened its command socket yet),
 * {@value #EXIT_CONNECTION_FAILED} when the connection failed or the response was invalid, {@value #EXIT_USAGE}
 * on a usage error.
 */
public final class Client {

    static final int EXIT_NO_NODE = 2;
    static final int EXIT_CONNECTION_FAILED = 3;
    static final int EXIT_USAGE = 64;

    private static final String USAGE = "Usage: cohort client COMMAND [ARG...]   or   cohort client -c 'COMMAND LINE'";

    private Client() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String commandLine;
        if (args.length == 0 || (args[0].equals("-c") && args.length != 2)) {
            err.println(USAGE);
            return EXIT_USAGE;
        } else if (args[0].equals("-c")) {
            commandLine = args[1];
        } else if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
            out.println(USAGE);
            out.println("Runs a command on the running node of this home and prints its output; 'cohort client help'"
                    + " lists the node's commands.");
            return 0;
        } else if (args[0].startsWith("-")) {
            // No Gogo command name starts with a dash, so this is an option the client does not have.
            err.println("cohort client: unknown option '" + args[0] + "'; the client takes only -c, and --home DIR"
                    + " and --node N come before client");
            err.println(USAGE);
            return EXIT_USAGE;
        } else {
            commandLine = CommandLine.join(Arrays.asList(args));
        }
        if (commandLine.isBlank() || args[0].isBlank()) {
            err.println("cohort client: the command is empty");
            err.println(USAGE);
            return EXIT_USAGE;
        }

        NodeHome home;
        try {
            home = NodeHome.fromSystemProperties();
        } catch (IllegalStateException e) {
            err.println("cohort client: " + e.getMessage());
            return EXIT_USAGE;
        }
        return send(home, commandLine, out, err);
    }

    /** Sends {@code commandLine} to the node of {@code home} and returns the exit status described above. */
    static int send(NodeHome home, String commandLine, PrintStream out, PrintStream err) {
        Path socket = home.commandSocket();
        if (!Files.exists(socket)) {
            if (!reportStartingNode(home, socket, err)) {
                err.println("no node is running at " + home.describe() + " (no socket at " + socket + ")");
            }
            return EXIT_NO_NODE;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer request = CommandProtocol.encodeRequest(commandLine);
            while (request.hasRemaining()) {
                channel.write(request);
            }
            return CommandProtocol.readResponse(new BufferedInputStream(Channels.newInputStream(channel)), out, err);
        } catch (ConnectException e) {
            // The socket file may be one that a killed node left behind while a new node of the home starts.
            if (!reportStartingNode(home, socket, err)) {
                err.println("no node is running at " + home.describe() + " (socket " + socket
                        + " refuses connections; the node may have stopped without removing it)");
            }
            return EXIT_NO_NODE;
        } catch (ProtocolException e) {
            err.println("cohort client: invalid response from the node at " + home.describe() + ": "
                    + e.getMessage());
            return EXIT_CONNECTION_FAILED;
        } catch (IOException e) {
            err.println("cohort client: connection to the node at " + home.describe() + " through " + socket
                    + " failed: " + e);
            return EXIT_CONNECTION_FAILED;
        }
    }

    /**
     * Prints that the node of {@code home} runs but does not accept commands on {@code socket} yet, when its lock file
     * names a live process, and returns whether it did.
     */
    private static boolean reportStartingNode(NodeHome home, Path socket, PrintStream err) {
        OptionalLong node = NodeLock.holder(home);
        if (node.isEmpty()) {
            return false;
        }
        err.println("the node at " + home.describe() + " (process " + node.getAsLong() + ") runs but has not"
                + " opened its command socket " + socket + ": it is starting or stopping, or its start is stuck"
                + " (see the node log)");
        return true;
    }
}

package io.cohort.itests.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;

/**
 * One Cohort node of a {@link ClusterHarness}: an embedded Felix framework with its own storage, configuration,
 * deploy folder, data directory and Hazelcast member, in the test JVM.
 *
 * <p>Gogo commands run through the framework's {@code CommandProcessor} service. The test class path has no Gogo
 * classes of the framework's class space, so the calls go through reflection on the service object.
 */
public final class ClusterNode {

    private static final String COMMAND_PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    private static final long STOP_TIMEOUT_MILLIS = 30_000;

    private final String name;
    private final Path home;
    private final int memberPort;
    private final Framework framework;

    ClusterNode(String name, Path home, int memberPort, Framework framework) {
        this.name = name;
        this.home = home;
        this.memberPort = memberPort;
        this.framework = framework;
    }

    /** Returns the node id, which is also its name in messages: {@code node-a}, {@code node-b}... */
    public String name() {
        return name;
    }

    /** Returns the folder with this node's {@code etc/}, {@code deploy/}, {@code data/} and framework storage. */
    public Path home() {
        return home;
    }

    /** Returns the first port this node's member tries. */
    public int memberPort() {
        return memberPort;
    }

    public BundleContext context() {
        BundleContext context = framework.getBundleContext();
        if (context == null) {
            throw new IllegalStateException("the framework of " + name + " is not running");
        }
        return context;
    }

    public boolean isRunning() {
        return framework.getState() == Bundle.ACTIVE;
    }

    /**
     * Runs one Gogo command line on this node and returns its result as text ({@code ""} for none). What the
     * command prints is not part of the result: Gogo also routes the log lines of the command's threads there.
     *
     * @throws AssertionError naming the node and the command if the command throws
     */
    public String run(String commandLine) {
        BundleContext context = context();
        ServiceReference<?> reference = commandProcessor(context);
        if (reference == null) {
            throw new AssertionError("no Gogo CommandProcessor on " + name + " for: " + commandLine);
        }
        Object processor = context.getService(reference);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Object session = invoke(processor, "createSession", new Class<?>[] {InputStream.class, OutputStream.class,
                OutputStream.class}, new ByteArrayInputStream(new byte[0]), out, out);
            try {
                Object result = invoke(session, "execute", new Class<?>[] {CharSequence.class}, commandLine);
                return result == null ? "" : result.toString();
            } finally {
                invoke(session, "close", new Class<?>[0]);
            }
        } catch (InvocationTargetException e) {
            throw new AssertionError(name + ": '" + commandLine + "' failed: " + e.getCause() + "\n--- output ---\n"
                    + out.toString(StandardCharsets.UTF_8), e.getCause());
        } finally {
            context.ungetService(reference);
        }
    }

    /**
     * Returns the command processor's reference, or null. The test class path has its own copy of the Gogo API, so
     * the system bundle's class space does not match the processor's, and only the unfiltered lookup finds it.
     */
    private static ServiceReference<?> commandProcessor(BundleContext context) {
        try {
            ServiceReference<?>[] references = context.getAllServiceReferences(COMMAND_PROCESSOR, null);
            return references == null ? null : references[0];
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("a null filter is never invalid", e);
        }
    }

    /** Installs and starts the bundle {@code jar} directly, bypassing the deploy folder; returns the bundle. */
    public Bundle install(Path jar) {
        try (InputStream content = Files.newInputStream(jar)) {
            Bundle bundle = context().installBundle("cluster-it:" + name + ":" + jar.getFileName(), content);
            bundle.start();
            return bundle;
        } catch (IOException | BundleException e) {
            throw new AssertionError(name + ": installing " + jar + " failed: " + e, e);
        }
    }

    /**
     * Drops {@code jar} into this node's deploy folder under {@code fileName} through an atomic move, so FileInstall
     * installs it, or updates the bundle it installed from a file of that name.
     */
    public void deploy(Path jar, String fileName) {
        Path deploy = home.resolve("deploy");
        try {
            Path staged = Files.createTempFile(home, "staged-", ".tmp");
            Files.copy(jar, staged, StandardCopyOption.REPLACE_EXISTING);
            Files.move(staged, deploy.resolve(fileName), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new AssertionError(name + ": deploying " + jar + " failed: " + e, e);
        }
    }

    /** Returns the bundle with {@code symbolicName}, or null. */
    public Bundle bundle(String symbolicName) {
        for (Bundle bundle : context().getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName())) {
                return bundle;
            }
        }
        return null;
    }

    /**
     * Kills the node as a crash would, as far as the cluster can tell: its Hazelcast member terminates without
     * handing over its partitions, then the framework stops.
     */
    public void kill() {
        if (!isRunning()) {
            return;
        }
        Bundle hazelcast = bundle("com.hazelcast");
        if (hazelcast != null) {
            try {
                Class<?> factory = hazelcast.loadClass("com.hazelcast.core.Hazelcast");
                Class<?> instanceType = hazelcast.loadClass("com.hazelcast.core.HazelcastInstance");
                Class<?> lifecycleType = hazelcast.loadClass("com.hazelcast.core.LifecycleService");
                for (Object instance : (Collection<?>) factory.getMethod("getAllHazelcastInstances").invoke(null)) {
                    Object lifecycle = instanceType.getMethod("getLifecycleService").invoke(instance);
                    lifecycleType.getMethod("terminate").invoke(lifecycle);
                }
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(name + ": terminating its Hazelcast member failed: " + e, e);
            }
        }
        stop();
    }

    /**
     * Stops the framework and waits for it. The test clusters configure {@code shutdown.graceful=false}, so the
     * member terminates here too instead of handing over its partitions.
     */
    public void stop() {
        if ((framework.getState() & (Bundle.STARTING | Bundle.ACTIVE)) == 0) {
            return;
        }
        try {
            framework.stop();
            FrameworkEvent event = framework.waitForStop(STOP_TIMEOUT_MILLIS);
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                throw new AssertionError(name + " did not stop within " + TimeUnit.MILLISECONDS.toSeconds(
                        STOP_TIMEOUT_MILLIS) + " s");
            }
        } catch (BundleException e) {
            throw new AssertionError(name + ": stopping the framework failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(name + ": interrupted while stopping", e);
        }
    }

    private static Object invoke(Object target, String method, Class<?>[] parameterTypes, Object... arguments)
            throws InvocationTargetException {
        try {
            Method found = publicMethod(target.getClass(), method, parameterTypes);
            return found.invoke(target, arguments);
        } catch (IllegalAccessException | NoSuchMethodException e) {
            throw new AssertionError("cannot call " + method + " on " + target.getClass().getName() + ": " + e, e);
        }
    }

    /** Finds the method on a public type of the object, so that a non-public implementation class does not matter. */
    private static Method publicMethod(Class<?> type, String method, Class<?>[] parameterTypes)
            throws NoSuchMethodException {
        for (Class<?> candidate = type; candidate != null; candidate = candidate.getSuperclass()) {
            for (Class<?> contract : candidate.getInterfaces()) {
                try {
                    return contract.getMethod(method, parameterTypes);
                } catch (NoSuchMethodException e) {
                    // Try the next interface.
                }
            }
        }
        return type.getMethod(method, parameterTypes);
    }

    @Override
    public String toString() {
        return name + " (member port " + memberPort + ")";
    }
}

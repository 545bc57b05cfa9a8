package io.cohort.shell;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import io.cohort.api.admin.ClusterAdmin;
import io.cohort.api.admin.ClusterResult;
import io.cohort.api.admin.NodeAdmin;
import io.cohort.api.node.ConfigurationError;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * The admin services behind the commands: the error a command gives when core does not provide them, and the thread
 * that calls them.
 *
 * <p>Gogo redirects {@code System.out} and {@code System.err} of the thread that runs a command to the command's
 * output, through an inheritable thread local, so threads that the command starts are redirected too. The managers
 * log while they work, and a console log appender writes through {@code System.out}, so their log lines would end
 * up in the command's output and break its JSON. {@link #call} therefore runs each admin call on a thread of its
 * own, {@code cohort-shell-admin-N}, that does not inherit thread locals, and waits for it.
 */
final class AdminServices {

    /** The order of configuration errors in every report, by PID, so that it does not depend on start order. */
    static final Comparator<ConfigurationError> CONFIGURATION_ERROR_ORDER = Comparator
            .comparing(ConfigurationError::pid).thenComparing(ConfigurationError::message);

    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

    /** Starts each call on a new daemon thread; operators run few commands, so threads are not pooled. */
    private static final Executor CALL_THREADS = task -> {
        Thread thread = new Thread(null, task, "cohort-shell-admin-" + THREAD_NUMBER.incrementAndGet(), 0,
                /* inheritThreadLocals= */ false);
        thread.setDaemon(true);
        thread.start();
    };

    private AdminServices() {
    }

    /**
     * Returns {@code admin}.
     *
     * @throws IllegalStateException if it is null, because core is not running
     */
    static NodeAdmin require(NodeAdmin admin) {
        if (admin == null) {
            throw coreNotRunning();
        }
        return admin;
    }

    /**
     * Returns the error of every command that needs Cohort core while core registers no services, because its
     * bundle is stopped, its configuration is invalid or one of its components is not satisfied. While a Cohort
     * bundle reports an invalid configuration file, the message names it, as {@code cohort:info} does. Otherwise it
     * names the commands that show which.
     */
    static IllegalStateException coreNotRunning() {
        List<ConfigurationError> errors = registeredConfigurationErrors();
        if (!errors.isEmpty()) {
            return configurationInvalid(errors);
        }
        return new IllegalStateException("Cohort core is not running on this node. Run 'lb cohort' to see the state "
                + "of the Cohort core bundle, and 'start <id>' to start it when it is not Active. When it is Active, "
                + "'cohort:info' names an invalid configuration file and 'scr:list' shows which io.cohort.core "
                + "component is not satisfied");
    }

    /** Returns the error of a command that finds core stopped while {@code errors}, not empty, are registered. */
    static IllegalStateException configurationInvalid(List<ConfigurationError> errors) {
        return new IllegalStateException("Cohort core is not running because a configuration is invalid: "
                + errors.stream().sorted(CONFIGURATION_ERROR_ORDER).map(NodeReport::describe)
                        .collect(Collectors.joining("; ")));
    }

    /** Returns the {@link ConfigurationError} services registered now, or none outside a framework. */
    private static List<ConfigurationError> registeredConfigurationErrors() {
        Bundle bundle = FrameworkUtil.getBundle(AdminServices.class);
        BundleContext context = bundle == null ? null : bundle.getBundleContext();
        if (context == null) {
            return List.of();
        }
        List<ConfigurationError> errors = new ArrayList<>();
        try {
            for (ServiceReference<ConfigurationError> reference
                    : context.getServiceReferences(ConfigurationError.class, null)) {
                ConfigurationError error = context.getService(reference);
                if (error != null) {
                    errors.add(error);
                    context.ungetService(reference);
                }
            }
        } catch (InvalidSyntaxException | IllegalStateException e) {
            // The filter is null, so only a stopping shell bundle gets here, and it gives the generic message.
            return List.of();
        }
        return errors;
    }

    /**
     * Runs {@code call} on an admin call thread and returns its result. What the call throws is thrown here
     * unchanged, so an {@link IllegalArgumentException} keeps its one-line message.
     *
     * @throws IllegalStateException if the command's thread is interrupted while it waits; the interrupt flag is set
     *     again
     */
    static <T> T call(Supplier<T> call) {
        CompletableFuture<T> result = CompletableFuture.supplyAsync(call, CALL_THREADS);
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the node's response", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }

    /**
     * Returns the rows of every node from {@code cluster}, waiting {@link ClusterAdmin#DEFAULT_TIMEOUT} for the other
     * nodes, or only this node's rows from {@code admin} when no cluster admin is registered.
     */
    static <T> ClusterResult<T> gather(ClusterAdmin cluster, NodeAdmin admin,
            Function<ClusterAdmin, ClusterResult<T>> clusterQuery, Function<NodeAdmin, List<T>> localQuery) {
        if (cluster != null) {
            return call(() -> clusterQuery.apply(cluster));
        }
        NodeAdmin local = require(admin);
        return call(() -> new ClusterResult<>(localQuery.apply(local), List.of(local.nodeId()), List.of(),
                Duration.ZERO));
    }
}

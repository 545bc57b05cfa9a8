package io.cohort.launcher;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.hooks.service.EventListenerHook;
import org.osgi.framework.hooks.service.FindHook;
import org.osgi.framework.hooks.service.ListenerHook.ListenerInfo;

/**
 * Hides Gogo's {@code telnetd} command service from every bundle, so that no command, from the console or through
 * {@code bin/cohort client}, can open an unauthenticated shell on a TCP port. A node takes commands only through its
 * owner-only Unix socket.
 *
 * <p>The launcher registers this hook from the system bundle before any other bundle starts, so Gogo's command
 * processor never sees the service. Only the framework itself still finds it.
 */
final class NetworkShellHook implements FindHook, EventListenerHook {

    /** The command functions hidden from bundles. */
    static final Set<String> HIDDEN_FUNCTIONS = Set.of("telnetd");

    /** The service property that lists a Gogo command service's functions. */
    static final String FUNCTION_PROPERTY = "osgi.command.function";

    @Override
    public void find(BundleContext context, String name, String filter, boolean allServices,
            Collection<ServiceReference<?>> references) {
        if (!isFramework(context)) {
            references.removeIf(reference -> isHidden(reference.getProperty(FUNCTION_PROPERTY)));
        }
    }

    @Override
    public void event(ServiceEvent event, Map<BundleContext, Collection<ListenerInfo>> listeners) {
        if (isHidden(event.getServiceReference().getProperty(FUNCTION_PROPERTY))) {
            listeners.entrySet().removeIf(entry -> !isFramework(entry.getKey()));
        }
    }

    /** Returns whether a {@value #FUNCTION_PROPERTY} value (string, array or collection) names a hidden function. */
    static boolean isHidden(Object functions) {
        if (functions instanceof String function) {
            return HIDDEN_FUNCTIONS.contains(function);
        }
        if (functions instanceof String[] array) {
            return isHidden(List.of(array));
        }
        if (functions instanceof Collection<?> collection) {
            return collection.stream().anyMatch(NetworkShellHook::isHidden);
        }
        return false;
    }

    private static boolean isFramework(BundleContext context) {
        return context.getBundle().getBundleId() == Constants.SYSTEM_BUNDLE_ID;
    }
}

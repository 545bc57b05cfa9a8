package io.cohort.core.json;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleReference;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops {@link JsonCodec}'s mappers of a bundle's class loader when the bundle stops, updates or uninstalls, so that
 * 100 deploy and undeploy cycles of a plugin leave no class loader behind in Jackson's caches.
 */
@Component(service = {}, immediate = true)
public class ClassLoaderEviction implements SynchronousBundleListener {

    private static final Logger LOG = LoggerFactory.getLogger(ClassLoaderEviction.class);

    private BundleContext context;

    @Activate
    void activate(BundleContext bundleContext) {
        context = bundleContext;
        context.addBundleListener(this);
    }

    @Deactivate
    void deactivate() {
        context.removeBundleListener(this);
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        Bundle changed = event.getBundle();
        int evicted = switch (event.getType()) {
            case BundleEvent.STOPPED -> JsonCodec.evictClassLoaders(loader -> belongsTo(loader, changed));
            case BundleEvent.UPDATED, BundleEvent.UNRESOLVED, BundleEvent.UNINSTALLED ->
                    JsonCodec.evictClassLoaders(ClassLoaderEviction::isStale);
            default -> 0;
        };
        if (evicted > 0) {
            LOG.debug("Dropped {} JSON mappers after bundle {} [{}] changed (event type {})", evicted,
                    changed.getSymbolicName(), changed.getBundleId(), event.getType());
        }
    }

    private static boolean belongsTo(ClassLoader loader, Bundle bundle) {
        return loader instanceof BundleReference reference && reference.getBundle() == bundle;
    }

    /** Returns whether {@code loader} is no longer the current class loader of a bundle that is still installed. */
    static boolean isStale(ClassLoader loader) {
        if (!(loader instanceof BundleReference reference)) {
            return false;
        }
        Bundle bundle = reference.getBundle();
        if (bundle == null || bundle.getState() == Bundle.UNINSTALLED) {
            return true;
        }
        BundleWiring wiring = bundle.adapt(BundleWiring.class);
        return wiring == null || wiring.getClassLoader() != loader;
    }
}

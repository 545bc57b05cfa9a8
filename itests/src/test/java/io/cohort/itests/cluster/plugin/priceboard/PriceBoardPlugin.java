package io.cohort.itests.cluster.plugin.priceboard;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.cohort.api.cache.CacheManager;
import io.cohort.api.cache.CacheOptions;
import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.api.pubsub.PubSubManager;
import io.cohort.itests.cluster.plugin.pricefeed.PriceFeedPlugin;
import io.cohort.itests.cluster.plugin.pricefeed.api.Price;

import org.osgi.framework.FrameworkUtil;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Test plugin Q: imports the price feed's exported {@link Price} and reads it, typed, from the price channel and the
 * price cache. Each report line names the bundle that loaded the {@link Price} class it got.
 *
 * <p>Only the price feed's constants come from its private package; they are compile-time constants, so this bundle
 * imports nothing but the exported {@code pricefeed.api} package from it.
 */
@Component(service = Plugin.class, property = {
    Plugin.NAME_PROPERTY + "=" + PriceBoardPlugin.NAME,
    "osgi.command.scope=priceboard",
    "osgi.command.function=received",
    "osgi.command.function=cached"
})
public class PriceBoardPlugin implements Plugin {

    public static final String NAME = "price-board";

    @Reference
    private PubSubManager pubSub;

    @Reference
    private CacheManager caches;

    private final Queue<String> received = new ConcurrentLinkedQueue<>();

    @Override
    public void beforeLoad(PluginContext context) {
        pubSub.subscribe(PriceFeedPlugin.CHANNEL, Price.class, message -> received.add(describe(message.payload())));
    }

    @Override
    public void load(PluginContext context) {
        // The subscription from beforeLoad is all this plugin does.
    }

    /** Returns one line {@code <sku> <cents> <bundle of the Price class>} per price received, in arrival order. */
    public String received() {
        StringBuilder report = new StringBuilder();
        received.forEach(line -> report.append(line).append('\n'));
        return report.toString();
    }

    /** Returns the price under {@code key}, read as {@link Price}, as {@code <sku> <cents> <bundle>}. */
    public String cached(String key) {
        return caches.createCache(CacheOptions.builder(PriceFeedPlugin.CACHE).build()).get(key, Price.class)
                .map(PriceBoardPlugin::describe).orElse("(absent)");
    }

    private static String describe(Price price) {
        return price.sku() + " " + price.cents() + " " + FrameworkUtil.getBundle(price.getClass()).getSymbolicName();
    }
}

package io.cohort.itests.cluster.plugin.pricefeed;

import io.cohort.api.cache.CacheManager;
import io.cohort.api.cache.CacheOptions;
import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.api.pubsub.PubSubManager;
import io.cohort.itests.cluster.plugin.pricefeed.api.Price;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Test plugin P: exports {@link Price} (package {@code pricefeed.api}) and publishes and caches it through the Gogo
 * commands {@code pricefeed:publish} and {@code pricefeed:cache}.
 */
@Component(service = Plugin.class, property = {
    Plugin.NAME_PROPERTY + "=" + PriceFeedPlugin.NAME,
    "osgi.command.scope=pricefeed",
    "osgi.command.function=publish",
    "osgi.command.function=cache"
})
public class PriceFeedPlugin implements Plugin {

    public static final String NAME = "price-feed";

    /** The channel the prices go out on. */
    public static final String CHANNEL = "prices";

    /** The cache the prices are stored in. */
    public static final String CACHE = "prices";

    @Reference
    private PubSubManager pubSub;

    @Reference
    private CacheManager caches;

    @Override
    public void load(PluginContext context) {
        // Everything happens through the commands.
    }

    /** Publishes {@code count} prices {@code <sku>-0} to {@code <sku>-<count-1>}, each of {@code cents}. */
    public String publish(String sku, long cents, int count) {
        for (int i = 0; i < count; i++) {
            pubSub.publish(CHANNEL, new Price(sku + "-" + i, cents));
        }
        return "published " + count;
    }

    public String cache(String key, String sku, long cents) {
        caches.createCache(CacheOptions.builder(CACHE).build()).set(key, new Price(sku, cents));
        return "cached";
    }
}

package io.cohort.itests.cluster.plugin.pricefeed.api;

/**
 * The payload type that the price feed plugin exports to other plugins.
 *
 * @param sku the article
 * @param cents the price in cents
 */
public record Price(String sku, long cents) {
}

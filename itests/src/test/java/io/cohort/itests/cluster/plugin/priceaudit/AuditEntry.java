package io.cohort.itests.cluster.plugin.priceaudit;

import java.util.List;

/**
 * The price audit plugin's own reading of the price channel. Its {@code cents} is a list, so a message written from
 * the price feed's {@code Price} (a number there) cannot be read as this type.
 *
 * @param sku the article
 * @param cents the amounts seen, in cents
 */
public record AuditEntry(String sku, List<Long> cents) {
}

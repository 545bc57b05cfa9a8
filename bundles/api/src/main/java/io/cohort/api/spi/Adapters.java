package io.cohort.api.spi;

/** Names shared by adapters and the managers that choose them. */
public final class Adapters {

    /** Service property that names an adapter; the managers select adapters by this value. */
    public static final String NAME_PROPERTY = "cohort.adapter.name";

    /** Name of the in-process adapters, the default of every manager. */
    public static final String MEMORY = "memory";

    /** Name of the adapters of the {@code cohort-hazelcast} bundle, which share data with the cluster. */
    public static final String HAZELCAST = "hazelcast";

    private Adapters() {
    }
}

package io.cohort.core.node;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Ids of messages and tasks. */
public final class Ids {

    private Ids() {
    }

    /**
     * Returns a random version 4 UUID as text, drawn from {@link ThreadLocalRandom} instead of the
     * {@link java.security.SecureRandom} that {@link UUID#randomUUID()} uses, because every publish, send and task
     * needs one. The ids only have to be unique, not unpredictable: 122 random bits make a collision between any two
     * ids of a cluster negligible.
     */
    public static String randomId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & ~(0xC000_0000_0000_0000L)) | 0x8000_0000_0000_0000L;
        return new UUID(high, low).toString();
    }
}

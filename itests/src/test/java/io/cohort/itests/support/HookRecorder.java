package io.cohort.itests.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Collects the events that test plugins report, in arrival order.
 *
 * <p>The test registers it as a {@code java.util.function.Consumer} service with {@link #PROPERTY}{@code =true}, and
 * the plugins reference it with {@link #TARGET}. The plugins see only the JDK interface, so the plugin bundles and
 * the probe share no test class.
 */
public final class HookRecorder implements Consumer<String> {

    /** Service property that marks the recorder. */
    public static final String PROPERTY = "cohort.it.recorder";

    /** Reference target filter of the plugins; a compile-time constant, so plugin bundles do not import this class. */
    public static final String TARGET = "(" + PROPERTY + "=true)";

    private final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void accept(String event) {
        events.add(event);
    }

    /** Returns a copy of the events recorded so far. */
    public List<String> events() {
        return new ArrayList<>(events);
    }

    /** Returns the recorded events that start with {@code prefix}, in order. */
    public List<String> eventsStartingWith(String prefix) {
        return matching(event -> event.startsWith(prefix));
    }

    /** Returns the recorded events that {@code filter} accepts, in order. */
    public List<String> matching(Predicate<String> filter) {
        List<String> result = new ArrayList<>();
        for (String event : events) {
            if (filter.test(event)) {
                result.add(event);
            }
        }
        return result;
    }

    /** Forgets every recorded event. */
    public void clear() {
        events.clear();
    }
}

package io.cohort.samples.starter;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands of the starter plugin: {@code starter:status} and {@code starter:greet <name>}.
 *
 * <p>The Gogo package is imported optionally (see {@code bnd.bnd}), so the plugin also resolves on a node without
 * Gogo. Only the help texts need it.
 */
@Component(service = StarterCommands.class, property = {
    "osgi.command.scope=starter",
    "osgi.command.function=status",
    "osgi.command.function=greet"
})
public class StarterCommands {

    @Reference
    private StarterPlugin plugin;

    @Descriptor("Shows what the starter plugin did on this node: greetings, cache hits and misses, pub/sub messages "
            + "received, queue jobs done and sync messages received")
    public String status() {
        return plugin.status();
    }

    @Descriptor("Greets someone: caches the greeting text, counts it under a lock, publishes it, queues a delivery "
            + "job and tells the other nodes")
    public String greet(@Descriptor("who to greet: 1 to 64 letters, digits, '.', '_' or '-'") String name)
            throws Exception {
        return plugin.greet(name);
    }
}

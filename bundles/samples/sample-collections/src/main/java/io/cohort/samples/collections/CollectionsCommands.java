package io.cohort.samples.collections;

import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands {@code collections:create} and {@code collections:list} of the sample-collections plugin. The
 * commands with a hyphen in their name are {@link FieldCommands}, because Gogo maps a command name to a Java method
 * only when the two are spelled alike.
 */
@Component(service = CollectionsCommands.class, property = {
    "osgi.command.scope=collections",
    "osgi.command.function=create",
    "osgi.command.function=list"
})
public class CollectionsCommands {

    static final String NAME_RULE = "a lower-case letter, then up to 47 lower-case letters, digits or '_'";

    @Reference
    private CollectionsPlugin plugin;

    @Descriptor("Creates an empty collection and tells the other nodes")
    public String create(@Descriptor("collection name: " + NAME_RULE) String name) throws Exception {
        return "Created " + plugin.create(name).describe() + "\n";
    }

    @Descriptor("Lists the collections in this node's in-memory registry")
    public String list() {
        List<CollectionSchema> schemas = plugin.list();
        StringBuilder text = new StringBuilder("Collections in the registry of node " + plugin.nodeId() + ": "
                + schemas.size() + "\n");
        schemas.forEach(schema -> text.append(schema.describe()).append('\n'));
        return text.toString();
    }
}

package io.cohort.samples.collections;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands {@code collections:add-field} and {@code collections:remove-field}. A command name with a hyphen
 * matches no Java method name, so each command is a service of its own with a method named {@code _main}. Gogo runs
 * {@code _main} for any command name of a service, with the name without its scope as the first argument and the
 * typed arguments after it, and it checks the number of arguments as it does for the other commands.
 */
public final class FieldCommands {

    private FieldCommands() {
    }

    /** {@code collections:add-field <collection> <field> <type>}. */
    @Component(service = AddField.class, property = {
        "osgi.command.scope=collections",
        "osgi.command.function=add-field"
    })
    public static final class AddField {

        @Reference
        private CollectionsPlugin plugin;

        /** Adds a field and sends the change to the other nodes. Gogo passes the function name first. */
        public String _main(String command,
                @Descriptor("collection name") String collection,
                @Descriptor("field name") String field,
                @Descriptor("field type: text, integer, decimal, boolean or timestamp") String type) throws Exception {
            return "Changed " + plugin.addField(collection, field, type).describe() + "\n";
        }
    }

    /** {@code collections:remove-field <collection> <field>}. */
    @Component(service = RemoveField.class, property = {
        "osgi.command.scope=collections",
        "osgi.command.function=remove-field"
    })
    public static final class RemoveField {

        @Reference
        private CollectionsPlugin plugin;

        /** Removes a field and sends the change to the other nodes. Gogo passes the function name first. */
        public String _main(String command,
                @Descriptor("collection name") String collection,
                @Descriptor("field name") String field) throws Exception {
            return "Changed " + plugin.removeField(collection, field).describe() + "\n";
        }
    }
}

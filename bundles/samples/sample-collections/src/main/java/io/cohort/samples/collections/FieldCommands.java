package io.cohort.samples.collections;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands {@code collections:add-field} and {@code collections:remove-field}. Each is a {@link Function}
 * service, which Gogo calls with the raw arguments whatever the command's name.
 */
public final class FieldCommands {

    private FieldCommands() {
    }

    /** {@code collections:add-field <collection> <field> <type>}. */
    @Component(service = Function.class, property = {
        "osgi.command.scope=collections",
        "osgi.command.function=add-field"
    })
    public static final class AddField implements Function {

        @Reference
        private CollectionsPlugin plugin;

        @Override
        public Object execute(CommandSession session, List<Object> arguments) throws Exception {
            List<String> words = words(arguments, 3, "collections:add-field <collection> <field> <type>; type is "
                    + "text, integer, decimal, boolean or timestamp");
            return "Changed " + plugin.addField(words.get(0), words.get(1), words.get(2)).describe() + "\n";
        }
    }

    /** {@code collections:remove-field <collection> <field>}. */
    @Component(service = Function.class, property = {
        "osgi.command.scope=collections",
        "osgi.command.function=remove-field"
    })
    public static final class RemoveField implements Function {

        @Reference
        private CollectionsPlugin plugin;

        @Override
        public Object execute(CommandSession session, List<Object> arguments) throws Exception {
            List<String> words = words(arguments, 2, "collections:remove-field <collection> <field>");
            return "Changed " + plugin.removeField(words.get(0), words.get(1)).describe() + "\n";
        }
    }

    private static List<String> words(List<Object> arguments, int expected, String usage) {
        if (arguments.size() != expected) {
            throw new IllegalArgumentException(arguments.size() + " arguments given, expected " + expected
                    + "; usage: " + usage);
        }
        return arguments.stream().map(String::valueOf).collect(Collectors.toList());
    }
}

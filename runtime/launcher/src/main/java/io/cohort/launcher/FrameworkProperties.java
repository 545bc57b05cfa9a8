package io.cohort.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Loads the framework properties of a node from a properties file and replaces each {@code ${name}} in a value.
 *
 * <p>A name is looked up first in the variables the launcher passes (such as {@code cohort.home}), then among the
 * other properties of the file, then among the system properties. Values may refer to properties that refer to
 * others; a cycle or a name found nowhere is an error.
 */
final class FrameworkProperties {

    private FrameworkProperties() {
    }

    /**
     * Reads {@code file} as UTF-8 in {@link Properties} format and returns its properties, sorted by name, with every
     * {@code ${name}} replaced.
     *
     * @param file the properties file
     * @param variables values that take precedence over the file and the system properties
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if a value refers to an undefined name, has an unclosed {@code ${}, or is
     *     part of a cycle; the message names the file and the property
     */
    static Map<String, String> load(Path file, Map<String, String> variables) throws IOException {
        Properties raw = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            raw.load(reader);
        }
        Map<String, String> declared = new TreeMap<>();
        for (String name : raw.stringPropertyNames()) {
            declared.put(name, raw.getProperty(name));
        }
        return resolve(file.toString(), declared, variables, System::getProperty);
    }

    static Map<String, String> resolve(String source, Map<String, String> declared, Map<String, String> variables,
            Function<String, String> systemProperties) {
        Resolver resolver = new Resolver(source, declared, variables, systemProperties);
        Map<String, String> resolved = new LinkedHashMap<>();
        for (String name : declared.keySet()) {
            resolved.put(name, resolver.valueOf(name));
        }
        return resolved;
    }

    private static final class Resolver {

        private final String source;
        private final Map<String, String> declared;
        private final Map<String, String> variables;
        private final Function<String, String> systemProperties;
        private final Map<String, String> done = new LinkedHashMap<>();
        private final Deque<String> inProgress = new ArrayDeque<>();

        Resolver(String source, Map<String, String> declared, Map<String, String> variables,
                Function<String, String> systemProperties) {
            this.source = source;
            this.declared = declared;
            this.variables = variables;
            this.systemProperties = systemProperties;
        }

        String valueOf(String name) {
            String value = done.get(name);
            if (value != null) {
                return value;
            }
            if (inProgress.contains(name)) {
                StringBuilder chain = new StringBuilder();
                inProgress.descendingIterator().forEachRemaining(step -> chain.append(step).append(" -> "));
                throw new IllegalArgumentException(source + ": properties refer to each other in a cycle: " + chain
                        + name);
            }
            inProgress.push(name);
            value = substitute(name, declared.get(name));
            inProgress.pop();
            done.put(name, value);
            return value;
        }

        private String substitute(String name, String value) {
            StringBuilder result = new StringBuilder(value.length());
            int position = 0;
            while (position < value.length()) {
                int start = value.indexOf("${", position);
                if (start < 0) {
                    result.append(value, position, value.length());
                    break;
                }
                int end = value.indexOf('}', start + 2);
                if (end < 0) {
                    throw new IllegalArgumentException(source + ": property " + name + " has a '${' without a closing"
                            + " '}' in '" + value + "'");
                }
                result.append(value, position, start);
                result.append(lookup(name, value.substring(start + 2, end)));
                position = end + 1;
            }
            return result.toString();
        }

        private String lookup(String referringName, String name) {
            if (variables.containsKey(name)) {
                return variables.get(name);
            }
            if (declared.containsKey(name)) {
                return valueOf(name);
            }
            String systemValue = systemProperties.apply(name);
            if (systemValue != null) {
                return systemValue;
            }
            throw new IllegalArgumentException(source + ": property " + referringName + " refers to ${" + name
                    + "}, which is neither a property of this file nor a system property");
        }
    }
}

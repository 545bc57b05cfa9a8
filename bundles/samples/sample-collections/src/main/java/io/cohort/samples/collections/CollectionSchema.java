package io.cohort.samples.collections;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The schema of one collection as the in-memory registry keeps it: its fields in order and the version of the
 * collection row it was read at.
 *
 * @param name the collection name
 * @param version 1 when created, one more with every field added or removed
 * @param fields the fields by position, 0 first; positions are always 0 to size - 1
 */
public record CollectionSchema(String name, long version, List<Field> fields) {

    /** The field types a collection may use. */
    static final Set<String> TYPES = Set.of("text", "integer", "decimal", "boolean", "timestamp");

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,47}");

    public CollectionSchema {
        fields = List.copyOf(fields);
    }

    /** Returns a new collection with no fields, at version 1. */
    static CollectionSchema create(String name) {
        return new CollectionSchema(requireName("collection", name), 1, List.of());
    }

    /**
     * Returns this schema with {@code field} of {@code type} appended and the next version.
     *
     * @throws IllegalArgumentException if the field name or type is invalid, or the field exists
     */
    CollectionSchema withField(String field, String type) {
        requireName("field", field);
        if (type == null || !TYPES.contains(type)) {
            throw new IllegalArgumentException("type '" + type + "' is invalid; expected one of "
                    + TYPES.stream().sorted().collect(Collectors.joining(", ")));
        }
        if (find(field) != null) {
            throw new IllegalArgumentException("field '" + field + "' already exists in collection '" + name + "'");
        }
        List<Field> next = new ArrayList<>(fields);
        next.add(new Field(field, type, fields.size()));
        return new CollectionSchema(name, version + 1, next);
    }

    /**
     * Returns this schema without {@code field}, the fields after it moved up one position, and the next version.
     *
     * @throws IllegalArgumentException if the collection has no such field
     */
    CollectionSchema withoutField(String field) {
        if (find(field) == null) {
            throw new IllegalArgumentException("field '" + field + "' not found in collection '" + name
                    + "'; its fields are " + fields.stream().map(Field::name).collect(Collectors.toList()));
        }
        List<Field> next = new ArrayList<>();
        for (Field each : fields) {
            if (!each.name().equals(field)) {
                next.add(new Field(each.name(), each.type(), next.size()));
            }
        }
        return new CollectionSchema(name, version + 1, next);
    }

    /** Returns the field named {@code field}, or null. */
    Field find(String field) {
        return fields.stream().filter(each -> each.name().equals(field)).findFirst().orElse(null);
    }

    /** Returns one line: {@code name  v<version>  field:type, ...}, or {@code (no fields)}. */
    String describe() {
        String fieldList = fields.isEmpty() ? "(no fields)"
                : fields.stream().map(field -> field.name() + ":" + field.type()).collect(Collectors.joining(", "));
        return String.format("%-20s v%-4d %s", name, version, fieldList);
    }

    /**
     * Returns {@code value} if it is a valid collection or field name: a lower-case letter, then up to 47 lower-case
     * letters, digits or '_'.
     *
     * @throws IllegalArgumentException otherwise
     */
    static String requireName(String what, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " name '" + value + "' is invalid; expected a lower-case "
                    + "letter followed by up to 47 lower-case letters, digits or '_'");
        }
        return value;
    }

    /**
     * One field of a collection.
     *
     * @param name the field name
     * @param type one of {@link #TYPES}
     * @param position the field's place in the collection, 0 first
     */
    public record Field(String name, String type, int position) {
    }
}

package io.cohort.samples.collections;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.stream.Collectors;

import io.cohort.samples.collections.CollectionSchema.Field;

import org.junit.Test;

public class CollectionSchemaTest {

    @Test(timeout = 5_000)
    public void create_validName_hasNoFieldsAtVersionOne() {
        CollectionSchema schema = CollectionSchema.create("articles");

        assertEquals("articles", schema.name());
        assertEquals(1, schema.version());
        assertEquals(List.of(), schema.fields());
    }

    @Test(timeout = 5_000)
    public void create_invalidNames_rejectNamingTheValue() {
        for (String name : new String[] {"", "Articles", "1st", "a-b", "a b", "x".repeat(49)}) {
            IllegalArgumentException error = assertThrows(name, IllegalArgumentException.class,
                    () -> CollectionSchema.create(name));
            assertTrue(error.getMessage(), error.getMessage().contains("'" + name + "'"));
        }
    }

    @Test(timeout = 5_000)
    public void withField_appends_atNextPositionAndVersion() {
        CollectionSchema schema = CollectionSchema.create("articles").withField("title", "text")
                .withField("views", "integer");

        assertEquals(List.of(new Field("title", "text", 0), new Field("views", "integer", 1)), schema.fields());
        assertEquals(3, schema.version());
    }

    @Test(timeout = 5_000)
    public void withField_existingField_rejects() {
        CollectionSchema schema = CollectionSchema.create("articles").withField("title", "text");

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> schema.withField("title", "integer"));

        assertTrue(error.getMessage(), error.getMessage().contains("already exists"));
    }

    @Test(timeout = 5_000)
    public void withField_unknownType_rejectsListingTypes() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> CollectionSchema.create("articles").withField("title", "string"));

        assertTrue(error.getMessage(), error.getMessage().contains("'string'"));
        assertTrue(error.getMessage(), error.getMessage().contains("boolean, decimal, integer, text, timestamp"));
    }

    @Test(timeout = 5_000)
    public void withoutField_middleField_renumbersTheRest() {
        CollectionSchema schema = CollectionSchema.create("articles").withField("title", "text")
                .withField("body", "text").withField("views", "integer").withField("tags", "text");

        CollectionSchema removed = schema.withoutField("body");

        assertEquals(List.of("title", "views", "tags"),
                removed.fields().stream().map(Field::name).collect(Collectors.toList()));
        assertEquals(List.of(0, 1, 2), removed.fields().stream().map(Field::position).collect(Collectors.toList()));
        assertEquals(schema.version() + 1, removed.version());
    }

    @Test(timeout = 5_000)
    public void withoutField_missingField_rejectsListingFields() {
        CollectionSchema schema = CollectionSchema.create("articles").withField("title", "text");

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> schema.withoutField("body"));

        assertTrue(error.getMessage(), error.getMessage().contains("'body' not found"));
        assertTrue(error.getMessage(), error.getMessage().contains("[title]"));
    }

    @Test(timeout = 5_000)
    public void describe_schema_listsFieldsInOrder() {
        CollectionSchema schema = CollectionSchema.create("articles").withField("title", "text")
                .withField("views", "integer");

        assertEquals("articles             v3    title:text, views:integer", schema.describe());
        assertEquals("empty                v1    (no fields)", CollectionSchema.create("empty").describe());
    }
}

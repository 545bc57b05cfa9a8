package io.cohort.core.plugin;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

/** Parsing of the plugin service properties. */
public class PluginEntryTest {

    private static final PluginEntry.BundleRef BUNDLE = new PluginEntry.BundleRef("test.bundle", 7, "1.2.3");

    @Test(timeout = 5000)
    public void of_noDependencies_parsesEmptyList() {
        PluginEntry entry = entry("orders", null);

        assertEquals("orders", entry.name());
        assertEquals(List.of(), entry.dependencies());
        assertNull(entry.propertyError());
    }

    @Test(timeout = 5000)
    public void of_dependencyArray_keepsOrderAndDropsRepeats() {
        PluginEntry entry = entry("orders", new String[] {"users", "billing", "users"});

        assertEquals(List.of("users", "billing"), entry.dependencies());
    }

    @Test(timeout = 5000)
    public void of_commaSeparatedString_splitsAndTrims() {
        PluginEntry entry = entry("orders", "users, billing");

        assertEquals(List.of("users", "billing"), entry.dependencies());
    }

    @Test(timeout = 5000)
    public void of_collection_parsesEachElement() {
        PluginEntry entry = entry("orders", List.of("users"));

        assertEquals(List.of("users"), entry.dependencies());
    }

    @Test(timeout = 5000)
    public void of_dependenciesOfWrongType_recordsError() {
        PluginEntry entry = entry("orders", 12);

        assertTrue(entry.propertyError(), entry.propertyError().contains("expected a String or String[]"));
    }

    @Test(timeout = 5000)
    public void of_invalidDependency_recordsErrorNamingIt() {
        PluginEntry entry = entry("orders", new String[] {"users", "Bad!"});

        assertTrue(entry.propertyError(), entry.propertyError().contains("'Bad!'"));
    }

    @Test(timeout = 5000)
    public void of_tooLongName_recordsError() {
        PluginEntry entry = entry("a".repeat(65), null);

        assertTrue(entry.propertyError(), entry.propertyError().contains("is invalid"));
    }

    @Test(timeout = 5000)
    public void describe_entry_namesPluginAndBundle() {
        assertEquals("orders (bundle test.bundle [7] 1.2.3)", entry("orders", null).describe());
    }

    private static PluginEntry entry(Object name, Object dependencies) {
        return PluginEntry.of(name, dependencies, BUNDLE, new RecordingHost.FixedService(null));
    }
}

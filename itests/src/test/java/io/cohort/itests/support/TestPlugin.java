package io.cohort.itests.support;

/**
 * The test plugin bundles. Each is built from one package under {@code io.cohort.itests.plugin} and is installed
 * from {@code <name>.jar} in the folder named by the framework property {@link #FOLDER_PROPERTY}.
 */
public enum TestPlugin {

    /** References all five managers and uses each once; plugin name {@code managers}. */
    MANAGERS("managers"),

    /** Records its hooks; plugin name {@code alpha}, no dependencies. */
    ALPHA("alpha"),

    /** Records its hooks; plugin name {@code beta}, depends on {@code alpha}. */
    BETA("beta"),

    /** Throws from {@code load}; plugin name {@code failing}. */
    FAILING("failing"),

    /** Takes one of every resource and never releases any; plugin name {@code holder}. */
    HOLDER("holder"),

    /** Uses every manager with a bundle-private payload type; plugin name {@code cycle}. */
    CYCLE("cycle"),

    /** Publishes one message from {@code load}; plugin name {@code herald}. */
    HERALD("herald"),

    /** Subscribes to herald's channel in {@code beforeLoad}; plugin name {@code listener}, needs {@code herald}. */
    LISTENER("listener");

    /** Framework property with the folder that contains the built plugin jars. */
    public static final String FOLDER_PROPERTY = "cohort.it.plugins";

    private final String pluginName;

    TestPlugin(String pluginName) {
        this.pluginName = pluginName;
    }

    /** Returns the plugin name, which is also the last segment of the plugin's package. */
    public String pluginName() {
        return pluginName;
    }

    /** Returns the bundle symbolic name of the plugin's bundle. */
    public String bundleSymbolicName() {
        return "io.cohort.itests.plugin." + pluginName;
    }

    /** Returns the package that contains the plugin's classes, as a resource path. */
    public String packagePath() {
        return "io/cohort/itests/plugin/" + pluginName;
    }

    /** Returns the file name of the built bundle. */
    public String fileName() {
        return pluginName + ".jar";
    }
}

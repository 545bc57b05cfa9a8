package io.cohort.core.json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.type.TypeFactory;
import com.fasterxml.jackson.databind.util.LRUMap;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * Writes payloads and cached values as JSON and reads them back as the type the caller names.
 *
 * <p>The caller's {@link Class} carries the caller bundle's class loader, so a record private to a plugin bundle is
 * read without any class loader lookups by name. Thread safe; one instance serves a whole manager.
 *
 * <p>Jackson caches a serializer and a deserializer for every class it has mapped, and those caches would keep a
 * stopped plugin's class loader alive. So classes from other class loaders (plugin bundles) are mapped by one
 * mapper per class loader, which {@link #evictClassLoaders} drops when the bundle goes away. JDK and Cohort classes
 * share one mapper, which every codec of this bundle uses. That mapper is built by the first call that needs it, so
 * creating a codec costs nothing, and Jackson's classes load when the first value is written or read.
 */
public final class JsonCodec {

    private static final ClassLoader OWN_LOADER = JsonCodec.class.getClassLoader();

    /** Mappers of classes from plugin class loaders, shared by every codec of this bundle so eviction is central. */
    private static final Map<ClassLoader, ObjectMapper> PLUGIN_MAPPERS = new ConcurrentHashMap<>();

    /**
     * Writes {@code value} as JSON bytes.
     *
     * @param subject what the value is, for the message, for example {@code "payload on channel orders"}
     * @throws IllegalArgumentException if the value is null or Jackson cannot write it
     */
    public byte[] encode(String subject, Object value) {
        return encode(() -> subject, value);
    }

    /**
     * Writes {@code value} as JSON bytes, like {@link #encode(String, Object)}, but builds the subject of the message
     * only when the value cannot be written, so that a path running once per message allocates no text.
     */
    public byte[] encode(Supplier<String> subject, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(subject.get() + " is null; expected a value Jackson can write as JSON");
        }
        try {
            return mapperFor(value.getClass()).writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(subject.get() + " of type " + value.getClass().getName()
                    + " cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads JSON bytes as {@code type}.
     *
     * @param subject what the value is, for the message, for example {@code "cache users key 42"}
     * @throws IllegalStateException if the bytes cannot be read as {@code type}; the message names the type and its
     *     bundle's class loader
     */
    public <T> T decode(String subject, byte[] json, Class<T> type) {
        return decode(() -> subject, json, type);
    }

    /**
     * Reads JSON bytes as {@code type}, like {@link #decode(String, byte[], Class)}, but builds the subject of the
     * message only when the bytes cannot be read, so that a path running once per message allocates no text.
     */
    public <T> T decode(Supplier<String> subject, byte[] json, Class<T> type) {
        if (type == null) {
            throw new IllegalArgumentException("type is null; expected the class to read " + subject.get() + " as");
        }
        try {
            return mapperFor(type).readValue(json, type);
        } catch (IOException e) {
            throw new IllegalStateException(subject.get() + " cannot be read as " + type.getName() + " (loaded by "
                    + type.getClassLoader() + "): " + readError(e), e);
        }
    }

    /**
     * Returns Jackson's message with the line and column, without the "Source: REDACTED" part that Jackson adds when
     * it leaves the JSON out of its messages, as it does by default. Cohort keeps that default: a payload may hold
     * private data.
     */
    static String readError(IOException e) {
        if (!(e instanceof JsonProcessingException json)) {
            return e.getMessage();
        }
        String message = json.getOriginalMessage().replace('\n', ' ');
        JsonLocation location = json.getLocation();
        if (location == null || location.getLineNr() < 0) {
            return message;
        }
        return message + " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    /** Returns the JSON bytes as text, for logs, dead letters and the shell. */
    public String toText(byte[] json) {
        return new String(json, StandardCharsets.UTF_8);
    }

    /**
     * Returns the mapper for JDK and Cohort types, for code that needs trees or custom types. Do not reconfigure it,
     * and do not map plugin classes with it: use {@link #encode} and {@link #decode}, which evict them.
     */
    public ObjectMapper mapper() {
        return SharedMapper.INSTANCE;
    }

    /**
     * Drops the mappers of the class loaders that {@code stale} accepts, so that Jackson's caches no longer hold
     * their classes. Call it when bundles stop, update or uninstall.
     *
     * @return how many mappers were dropped
     */
    public static int evictClassLoaders(Predicate<ClassLoader> stale) {
        int before = PLUGIN_MAPPERS.size();
        PLUGIN_MAPPERS.keySet().removeIf(stale);
        return before - PLUGIN_MAPPERS.size();
    }

    /** Returns how many class loaders have a mapper now. */
    public static int classLoaderCount() {
        return PLUGIN_MAPPERS.size();
    }

    private ObjectMapper mapperFor(Class<?> type) {
        ClassLoader loader = type.getClassLoader();
        if (loader == null || loader == OWN_LOADER) {
            return SharedMapper.INSTANCE;
        }
        return PLUGIN_MAPPERS.computeIfAbsent(loader, ignored -> newMapper());
    }

    private static ObjectMapper newMapper() {
        ObjectMapper created = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        // The default TypeFactory is a JVM-wide singleton whose cache would hold plugin classes too.
        created.setTypeFactory(TypeFactory.defaultInstance().withCache(new LRUMap<>(16, 200)));
        return created;
    }

    /** Holds the mapper for JDK and Cohort types; the JVM builds it when the class is first used. */
    private static final class SharedMapper {

        static final ObjectMapper INSTANCE = newMapper();

        private SharedMapper() {
        }
    }
}

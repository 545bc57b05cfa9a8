package io.cohort.samples.collections;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import io.cohort.api.lock.LockManager;
import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.api.sync.SyncMessage;
import io.cohort.api.sync.SyncOptions;
import io.cohort.api.tx.Transaction;
import io.cohort.api.tx.TransactionManager;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a schema of collections and their fields in the database and an in-memory copy of it, the registry, on
 * every node.
 *
 * <p>Each change runs in a transaction that writes the rows and sends the sync message {@link CollectionChanged}
 * after the commit. The other nodes reload that collection from the database in {@link #handleSyncMessage}, and the
 * writing node updates its own registry after the commit, so every node's registry shows the committed schema.
 *
 * <p>Every change moves the collection row from the version it read to the next one, and fails with
 * {@link IllegalStateException} if another transaction moved it first. Removing a field renumbers the fields after
 * it, so it also runs under the cluster lock {@code sample-collections:remove-field:<collection>}: two nodes removing
 * fields of one collection at once take turns, and the second reads what the first committed instead of failing.
 */
@Component(service = {Plugin.class, CollectionsPlugin.class},
        property = Plugin.NAME_PROPERTY + "=" + CollectionsPlugin.NAME)
public class CollectionsPlugin implements Plugin {

    /** The plugin name. */
    static final String NAME = "sample-collections";

    /** The sync channel of {@link CollectionChanged}, scoped by the runtime to this plugin. */
    static final String CHANGED_CHANNEL = "changed";

    private static final String SCHEMA_LOCK = NAME + ":create-tables";
    private static final Duration LOCK_TTL = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(CollectionsPlugin.class);

    @Reference
    private TransactionManager transactions;

    @Reference
    private LockManager locks;

    private final Map<String, CollectionSchema> registry = new ConcurrentHashMap<>();

    private volatile PluginContext context;

    /** Creates the tables if needed, under a cluster lock so that nodes starting together do not race. */
    @Override
    public void beforeLoad(PluginContext pluginContext) throws Exception {
        locks.runExclusive(SCHEMA_LOCK, () -> {
            transactions.run(tx -> CollectionsTable.createIfAbsent(tx.connection()));
            return null;
        }, LOCK_TTL);
    }

    /** Fills the registry from the database. */
    @Override
    public void load(PluginContext pluginContext) throws Exception {
        registry.clear();
        registry.putAll(transactions.call(tx -> CollectionsTable.readAll(tx.connection())));
        context = pluginContext;
        LOG.info("Plugin {} loaded on node {} with {} collections", NAME, pluginContext.nodeId(), registry.size());
    }

    @Override
    public void unload(PluginContext pluginContext) {
        context = null;
        registry.clear();
    }

    /** Reloads the collection that another node changed. */
    @Override
    public void handleSyncMessage(SyncMessage message) throws Exception {
        CollectionChanged changed = message.payload(CollectionChanged.class);
        Optional<CollectionSchema> schema = transactions.call(tx -> CollectionsTable.read(tx.connection(),
                changed.collection()));
        schema.ifPresent(this::remember);
        LOG.info("Node {} reloaded collection {} at version {} after '{}' (version {}) on node {}",
                nodeIdOrUnknown(), changed.collection(), schema.map(CollectionSchema::version).orElse(0L),
                changed.change(), changed.version(), message.sourceNode());
    }

    /**
     * Creates an empty collection.
     *
     * @throws IllegalArgumentException if the name is invalid or the collection exists
     */
    CollectionSchema create(String name) throws Exception {
        PluginContext current = requireLoaded();
        CollectionSchema created = CollectionSchema.create(name);

        return transactions.call(tx -> {
            if (CollectionsTable.exists(tx.connection(), name)) {
                throw new IllegalArgumentException("collection '" + name + "' already exists");
            }
            CollectionsTable.insert(tx.connection(), created);
            announce(current, tx, created, "create");
            return created;
        });
    }

    /**
     * Appends a field to a collection.
     *
     * @throws IllegalArgumentException if the collection is missing, or the field is invalid or exists
     * @throws IllegalStateException if another node changed the collection at the same moment; retry then
     */
    CollectionSchema addField(String collection, String field, String type) throws Exception {
        return change(collection, "add-field " + field, schema -> schema.withField(field, type));
    }

    /**
     * Removes a field and moves the fields after it up, under the cluster lock of that collection's removals.
     *
     * @throws IllegalArgumentException if the collection or field is missing
     */
    CollectionSchema removeField(String collection, String field) throws Exception {
        String lockKey = NAME + ":remove-field:" + CollectionSchema.requireName("collection", collection);
        return locks.runExclusive(lockKey, () -> {
            LOG.debug("Node {} holds lock {} to remove field {}", nodeIdOrUnknown(), lockKey, field);
            return change(collection, "remove-field " + field, schema -> schema.withoutField(field));
        }, LOCK_TTL);
    }

    /** Returns the registry of this node, by collection name. */
    List<CollectionSchema> list() {
        requireLoaded();
        return registry.values().stream()
                .sorted((left, right) -> left.name().compareTo(right.name()))
                .collect(Collectors.toList());
    }

    String nodeId() {
        return requireLoaded().nodeId();
    }

    private CollectionSchema change(String collection, String description, UnaryOperator<CollectionSchema> edit)
            throws Exception {
        PluginContext current = requireLoaded();
        CollectionSchema.requireName("collection", collection);

        return transactions.call(tx -> {
            CollectionSchema before = CollectionsTable.read(tx.connection(), collection)
                    .orElseThrow(() -> new IllegalArgumentException("collection '" + collection + "' not found"));
            CollectionSchema after = edit.apply(before);
            if (!CollectionsTable.replace(tx.connection(), before, after)) {
                throw new IllegalStateException("collection '" + collection + "' changed on another node while "
                        + description + " ran; run the command again");
            }
            announce(current, tx, after, description);
            return after;
        });
    }

    /** Sends the change to the other nodes and updates this node's registry, both after the commit. */
    private void announce(PluginContext current, Transaction tx, CollectionSchema schema, String description) {
        current.sendSync(CHANGED_CHANNEL, new CollectionChanged(schema.name(), schema.version(), description),
                SyncOptions.afterCommit(tx));
        tx.afterCommit(() -> {
            remember(schema);
            LOG.info("Node {} committed '{}' on collection {} at version {}", current.nodeId(), description,
                    schema.name(), schema.version());
        });
    }

    /** Stores {@code schema} unless the registry already contains a later version, which a sync message may bring. */
    private void remember(CollectionSchema schema) {
        registry.merge(schema.name(), schema, (held, loaded) -> loaded.version() >= held.version() ? loaded : held);
    }

    private PluginContext requireLoaded() {
        PluginContext current = context;
        if (current == null) {
            throw new IllegalStateException("plugin " + NAME + " is not loaded; see cohort:plugins for its state");
        }
        return current;
    }

    private String nodeIdOrUnknown() {
        PluginContext current = context;
        return current == null ? "(not loaded)" : current.nodeId();
    }
}

package io.cohort.hazelcast;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

import io.cohort.api.queue.DeadLetter;
import io.cohort.api.queue.TaskOptions;
import io.cohort.api.spi.TaskRecord;

/**
 * Explicit Compact serializers of the task queue's values that Cohort stores in Hazelcast; topic messages have their
 * own {@link EnvelopeSerializer}. Registering them by hand keeps the wire format fixed by these field names,
 * independent of reflection and of the class loader that loads the records.
 *
 * <p><b>Warning:</b> every member of a cluster must run the same field layout. Changing a field here needs a new type
 * name, or a rolling upgrade mixes two schemas under one name.
 */
final class CompactSerializers {

    private CompactSerializers() {
    }

    /** Returns one instance of each serializer, to register in the member configuration. */
    static List<CompactSerializer<?>> all() {
        return List.of(new TaskRecordSerializer(), new DeadLetterSerializer(),
                new InFlightTaskSerializer(), new DelayedTaskSerializer());
    }

    static final class TaskRecordSerializer implements CompactSerializer<TaskRecord> {

        @Override
        public TaskRecord read(CompactReader reader) {
            return new TaskRecord(reader.readString("id"), reader.readString("channel"),
                    reader.readArrayOfInt8("payload"), reader.readInt32("attempt"), reader.readInt32("maxRetries"),
                    reader.readInt64("timeoutMillis"), reader.readInt64("backoffMillis"),
                    reader.readInt64("publishedAtMillis"));
        }

        @Override
        public void write(CompactWriter writer, TaskRecord task) {
            writer.writeString("id", task.id());
            writer.writeString("channel", task.channel());
            writer.writeArrayOfInt8("payload", task.payload());
            writer.writeInt32("attempt", task.attempt());
            writer.writeInt32("maxRetries", task.maxRetries());
            writer.writeInt64("timeoutMillis", task.timeoutMillis());
            writer.writeInt64("backoffMillis", task.backoffMillis());
            writer.writeInt64("publishedAtMillis", task.publishedAtMillis());
        }

        @Override
        public String getTypeName() {
            return "cohort.TaskRecord";
        }

        @Override
        public Class<TaskRecord> getCompactClass() {
            return TaskRecord.class;
        }
    }

    /**
     * Writes each {@link Instant} and {@link Duration} as seconds plus nanoseconds, so it reads back exactly. The
     * seconds field is nullable and is null for a null value.
     */
    static final class DeadLetterSerializer implements CompactSerializer<DeadLetter> {

        @Override
        public DeadLetter read(CompactReader reader) {
            return new DeadLetter(reader.readString("taskId"), reader.readString("channel"),
                    reader.readString("payloadJson"), reader.readInt32("attempts"), reader.readString("lastError"),
                    readInstant(reader, "publishedAt"), readInstant(reader, "deadAt"), readOptions(reader));
        }

        @Override
        public void write(CompactWriter writer, DeadLetter letter) {
            writer.writeString("taskId", letter.taskId());
            writer.writeString("channel", letter.channel());
            writer.writeString("payloadJson", letter.payloadJson());
            writer.writeInt32("attempts", letter.attempts());
            writer.writeString("lastError", letter.lastError());
            writeInstant(writer, "publishedAt", letter.publishedAt());
            writeInstant(writer, "deadAt", letter.deadAt());
            writeOptions(writer, letter.options());
        }

        @Override
        public String getTypeName() {
            return "cohort.DeadLetter";
        }

        @Override
        public Class<DeadLetter> getCompactClass() {
            return DeadLetter.class;
        }

        private static Instant readInstant(CompactReader reader, String field) {
            Long seconds = reader.readNullableInt64(field + "Seconds");
            return seconds == null ? null : Instant.ofEpochSecond(seconds, reader.readInt32(field + "Nanos"));
        }

        private static void writeInstant(CompactWriter writer, String field, Instant instant) {
            writer.writeNullableInt64(field + "Seconds", instant == null ? null : instant.getEpochSecond());
            writer.writeInt32(field + "Nanos", instant == null ? 0 : instant.getNano());
        }

        private static TaskOptions readOptions(CompactReader reader) {
            Duration timeout = readDuration(reader, "timeout");
            if (timeout == null) {
                return null;
            }
            return new TaskOptions(timeout, reader.readInt32("maxRetries"), readDuration(reader, "backoff"));
        }

        private static void writeOptions(CompactWriter writer, TaskOptions options) {
            writeDuration(writer, "timeout", options == null ? null : options.timeout());
            writer.writeInt32("maxRetries", options == null ? 0 : options.maxRetries());
            writeDuration(writer, "backoff", options == null ? null : options.backoff());
        }

        private static Duration readDuration(CompactReader reader, String field) {
            Long seconds = reader.readNullableInt64(field + "Seconds");
            return seconds == null ? null : Duration.ofSeconds(seconds, reader.readInt32(field + "Nanos"));
        }

        private static void writeDuration(CompactWriter writer, String field, Duration duration) {
            writer.writeNullableInt64(field + "Seconds", duration == null ? null : duration.getSeconds());
            writer.writeInt32(field + "Nanos", duration == null ? 0 : duration.getNano());
        }
    }

    static final class InFlightTaskSerializer implements CompactSerializer<InFlightTask> {

        @Override
        public InFlightTask read(CompactReader reader) {
            return new InFlightTask(reader.readString(InFlightTask.OWNER_FIELD),
                    reader.readInt64(InFlightTask.TAKEN_AT_FIELD), reader.readCompact("task"));
        }

        @Override
        public void write(CompactWriter writer, InFlightTask inFlight) {
            writer.writeString(InFlightTask.OWNER_FIELD, inFlight.owner());
            writer.writeInt64(InFlightTask.TAKEN_AT_FIELD, inFlight.takenAtMillis());
            writer.writeCompact("task", inFlight.task());
        }

        @Override
        public String getTypeName() {
            return "cohort.InFlightTask";
        }

        @Override
        public Class<InFlightTask> getCompactClass() {
            return InFlightTask.class;
        }
    }

    static final class DelayedTaskSerializer implements CompactSerializer<DelayedTask> {

        @Override
        public DelayedTask read(CompactReader reader) {
            return new DelayedTask(reader.readInt64(DelayedTask.DUE_AT_FIELD), reader.readCompact("task"));
        }

        @Override
        public void write(CompactWriter writer, DelayedTask delayed) {
            writer.writeInt64(DelayedTask.DUE_AT_FIELD, delayed.dueAtMillis());
            writer.writeCompact("task", delayed.task());
        }

        @Override
        public String getTypeName() {
            return "cohort.DelayedTask";
        }

        @Override
        public Class<DelayedTask> getCompactClass() {
            return DelayedTask.class;
        }
    }
}

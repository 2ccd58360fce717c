package dev.cioforwarder.job;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An append-only list of records shared, by name, between a test and the job it runs in the same
 * JVM (a MiniCluster): what {@link InMemoryTopicSink} writes, {@link InMemoryTopicSource} reads, by
 * position, so a reader's checkpoint is the position it reached.
 *
 * <p>Unlike a Kafka topic under an exactly-once sink, what is written is readable at once, not at
 * the checkpoint that commits it: these topics serve tests of the job's rules, which run without
 * failures; the tests of recovery keep the broker.
 */
final class InMemoryTopic {

    private static final ConcurrentHashMap<String, InMemoryTopic> TOPICS =
            new ConcurrentHashMap<>();

    private final String name;
    private final List<SourceRecord> records = new ArrayList<>();
    private final List<CompletableFuture<Void>> waiting = new ArrayList<>();

    private InMemoryTopic(String name) {
        this.name = name;
    }

    /** The topic called {@code name}, created empty on first use. */
    static InMemoryTopic named(String name) {
        return TOPICS.computeIfAbsent(name, InMemoryTopic::new);
    }

    /** Forgets the topic: its records are no longer held once nothing reads them. */
    static void delete(String name) {
        TOPICS.remove(name);
    }

    String name() {
        return name;
    }

    /** Appends {@code value}; its offset is its position in the topic. */
    void append(byte[] value, long timestamp) {
        List<CompletableFuture<Void>> wake;
        synchronized (this) {
            records.add(new SourceRecord(value, name, 0, records.size(), timestamp));
            wake = new ArrayList<>(waiting);
            waiting.clear();
        }
        wake.forEach(f -> f.complete(null));
    }

    /** The record at {@code position}, or null when none is there yet. */
    synchronized SourceRecord at(long position) {
        return position < records.size() ? records.get((int) position) : null;
    }

    /** Every record written so far, in order. */
    synchronized List<SourceRecord> records() {
        return new ArrayList<>(records);
    }

    /** Completes once a record is at {@code position} (at once when one is there already). */
    synchronized CompletableFuture<Void> available(long position) {
        if (position < records.size()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> future = new CompletableFuture<>();
        waiting.add(future);
        return future;
    }
}

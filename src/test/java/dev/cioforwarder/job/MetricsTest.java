package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.privacy.ErasureOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/**
 * Counters that delivery updates from the HTTP client's Netty threads and its retry timer thread
 * besides the task thread: none may lose an increment or register a label twice.
 */
class MetricsTest {

    private static final int THREADS = 8;
    private static final int INCREMENTS = 50_000;

    /** A metric group that remembers every counter registered, by its scope and name. */
    private static final class RecordingGroup extends UnregisteredMetricsGroup {
        final Map<String, List<Counter>> counters;
        final String scope;

        RecordingGroup() {
            this(new ConcurrentHashMap<>(), "");
        }

        private RecordingGroup(Map<String, List<Counter>> counters, String scope) {
            this.counters = counters;
            this.scope = scope;
        }

        @Override
        public Counter counter(String name) {
            return counter(name, new SimpleCounter());
        }

        @Override
        public <C extends Counter> C counter(String name, C counter) {
            counters.computeIfAbsent(scope + name, k -> new ArrayList<>()).add(counter);
            return counter;
        }

        @Override
        public MetricGroup addGroup(String key, String value) {
            return new RecordingGroup(counters, scope + key + "=" + value + "/");
        }

        @Override
        public MetricGroup addGroup(String name) {
            return new RecordingGroup(counters, scope + name + "/");
        }

        /** The one counter registered under this key; fails on none or several. */
        Counter only(String key) {
            assertThat(counters.get(key)).as("counters registered as %s", key).hasSize(1);
            return counters.get(key).get(0);
        }
    }

    /** Runs {@code task(thread)} on every thread at once; fails on any exception. */
    private static void concurrently(ThrowingIntConsumer task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(
                        pool.submit(
                                () -> {
                                    start.await();
                                    task.accept(thread);
                                    return null;
                                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface ThrowingIntConsumer {
        void accept(int value) throws Exception;
    }

    @Test
    void aLabelledCounterCountsEveryIncrementFromManyThreads() throws Exception {
        RecordingGroup group = new RecordingGroup();
        Metrics.Labelled deadLetters =
                new Metrics.Labelled(group, Metrics.REASON, Metrics.DEAD_LETTERS);

        concurrently(
                thread -> {
                    for (int i = 0; i < INCREMENTS; i++) {
                        // Every thread first uses the same new labels at once, then its own.
                        deadLetters.inc("shared_" + (i % 4));
                        deadLetters.inc("thread_" + thread, 2);
                    }
                });

        long shared = 0;
        for (int l = 0; l < 4; l++) {
            Counter counter = group.only("reason=shared_" + l + "/" + Metrics.DEAD_LETTERS);
            assertThat(counter).isInstanceOf(ThreadSafeSimpleCounter.class);
            shared += counter.getCount();
        }
        assertThat(shared).isEqualTo((long) THREADS * INCREMENTS);
        for (int t = 0; t < THREADS; t++) {
            assertThat(group.only("reason=thread_" + t + "/" + Metrics.DEAD_LETTERS).getCount())
                    .isEqualTo(2L * INCREMENTS);
        }
    }

    @Test
    void theErasureOutcomeCountersAreThreadSafe() throws Exception {
        RecordingGroup group = new RecordingGroup();
        Map<String, Counter> erasures = Metrics.erasureOutcomes(group);
        assertThat(erasures.values()).allMatch(c -> c instanceof ThreadSafeSimpleCounter);

        concurrently(
                thread -> {
                    for (int i = 0; i < INCREMENTS; i++) {
                        erasures.get(ErasureOutcome.DONE).inc();
                    }
                });
        assertThat(group.only(Metrics.ERASURES_DONE).getCount())
                .isEqualTo((long) THREADS * INCREMENTS);
    }

    @Test
    void everyDeliveryCounterIsThreadSafeWithItsNameUnchanged() throws Exception {
        RecordingGroup group = new RecordingGroup();
        DeliveryMetrics metrics = new DeliveryMetrics(group, null);

        assertThat(group.counters.keySet())
                .containsExactlyInAnyOrder(
                        Metrics.REQUESTS,
                        Metrics.REQUEST_BYTES,
                        Metrics.RETRIES,
                        Metrics.RESPONSES_429,
                        Metrics.AUTH_FAILURES,
                        Metrics.EVENTS_DELIVERED,
                        Metrics.OPERATIONS_DELIVERED,
                        Metrics.IDENTIFIER_CHANGES_APPLIED,
                        Metrics.IDENTIFIER_CHANGES_NOT_NEEDED);
        assertThat(group.counters.values())
                .allSatisfy(
                        counters ->
                                assertThat(counters)
                                        .singleElement()
                                        .isInstanceOf(ThreadSafeSimpleCounter.class));

        concurrently(
                thread -> {
                    for (int i = 0; i < INCREMENTS; i++) {
                        metrics.requestSent(1, 3);
                    }
                });
        assertThat(group.only(Metrics.REQUESTS).getCount()).isEqualTo((long) THREADS * INCREMENTS);
        assertThat(group.only(Metrics.REQUEST_BYTES).getCount())
                .isEqualTo(3L * THREADS * INCREMENTS);
    }
}

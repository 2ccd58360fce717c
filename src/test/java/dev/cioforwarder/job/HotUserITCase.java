package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.simulator.CustomerioSimulator;
import dev.cioforwarder.simulator.SimulatorConfig;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.Jobs;
import dev.cioforwarder.testing.TestBatches;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One user with a million events (1,000 batches of 1,000) among ~50 ordinary users: every event of
 * the hot user is stored exactly once and in their order, the others' events all arrive (once, in
 * their order), and nothing is dead-lettered. The run's timings are printed.
 */
class HotUserITCase extends JobTestSupport {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final long HOT_MPID = 7_000_001;
    private static final String HOT_ID = "c-" + HOT_MPID;
    private static final int HOT_BATCHES = 1_000;
    private static final int EVENTS_PER_BATCH = 1_000;
    private static final int HOT_EVENTS = HOT_BATCHES * EVENTS_PER_BATCH;

    /** A simulator that keeps every event in full: the default keeps 1,000,000. */
    @BeforeAll
    static void simulatorForAMillionEvents() throws Exception {
        customerio.close();
        customerio =
                CustomerioSimulator.start(
                        SimulatorConfig.builder()
                                .port(0)
                                .siteId(SITE_ID)
                                .apiKey(API_KEY)
                                .region("us")
                                .maxStoredEvents(HOT_EVENTS + 100_000)
                                .build());
    }

    @Test
    void aMillionEventsOfOneUserArriveOnceAndInOrderBesideTheOthers() throws Exception {
        TestBatches others = TestBatches.generate(91, 3_000_000, 50, 300, 4);
        List<Map.Entry<String, byte[]>> otherRecords = others.records();
        int expected = HOT_EVENTS + others.expectedEvents().size();
        JobClient job = startJob(settings("mparticle.max-record-bytes", "8388608"));
        long start = System.currentTimeMillis();
        long produced;
        long delivered;
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            int othersPerChunk = otherRecords.size() / 10;
            for (int b = 0; b < HOT_BATCHES; b++) {
                if (b % (HOT_BATCHES / 10) == 0) {
                    // The others send a little all along.
                    int chunk = b / (HOT_BATCHES / 10);
                    for (Map.Entry<String, byte[]> r :
                            otherRecords.subList(
                                    chunk * othersPerChunk,
                                    chunk == 9
                                            ? otherRecords.size()
                                            : (chunk + 1) * othersPerChunk)) {
                        send(producer, r.getKey(), r.getValue());
                    }
                }
                send(producer, Long.toString(HOT_MPID), hotBatch(b));
            }
            producer.flush();
            produced = System.currentTimeMillis();
            Thread progress =
                    new Thread(
                            () -> {
                                try {
                                    while (true) {
                                        Thread.sleep(30_000);
                                        System.out.printf(
                                                "HotUserITCase: %d s, %d events stored%n",
                                                (System.currentTimeMillis() - start) / 1000,
                                                customerio.summary().events());
                                    }
                                } catch (InterruptedException stopped) {
                                    // done
                                }
                            });
            progress.setDaemon(true);
            progress.start();
            try {
                Await.until(
                        Duration.ofMinutes(20),
                        () -> customerio.summary().events() >= expected,
                        () -> customerio.summary().toString());
            } finally {
                progress.interrupt();
            }
            delivered = System.currentTimeMillis();
            Thread.sleep(3_000); // anything still arriving would be a duplicate or an extra
        } finally {
            Jobs.cancelAndWait(job);
        }
        System.out.printf(
                "HotUserITCase: %d events of one user and %d of %d others: produced in %d ms, all"
                        + " stored %d ms after the first was produced (%.0f events/s); %s%n",
                HOT_EVENTS,
                others.expectedEvents().size(),
                others.finalBatchesSent().size(),
                produced - start,
                delivered - start,
                expected * 1000.0 / (delivered - start),
                customerio.summary());

        List<StoredEvent> stored = customerio.events();
        assertThat(stored).hasSize(expected);
        long[] hotSeqs =
                stored.stream()
                        .filter(e -> HOT_ID.equals(e.personId()))
                        .mapToLong(e -> e.data().get("seq").asLong())
                        .toArray();
        assertThat(hotSeqs.length).as("the hot user's events").isEqualTo(HOT_EVENTS);
        for (int i = 0; i < hotSeqs.length; i++) {
            if (hotSeqs[i] != i + 1) {
                throw new AssertionError(
                        "the hot user's event #" + (i + 1) + " stored is seq " + hotSeqs[i]);
            }
        }
        assertExactlyOnceInOrder(
                stored.stream().filter(e -> !HOT_ID.equals(e.personId())).toList(), others);
        assertThat(customerio.personById(HOT_ID).orElseThrow().attributes().get("batch").asInt())
                .isEqualTo(HOT_BATCHES);
        assertThat(deadLetters(0, Duration.ofSeconds(2))).isEmpty();
    }

    private void send(KafkaProducer<byte[], byte[]> producer, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value));
    }

    /** Batch {@code b} of the hot user: 1,000 small custom events, seq 1,000·b+1 on. */
    private static byte[] hotBatch(int b) {
        long batchTime = 1_764_000_000_000L + b * 60_000L;
        StringBuilder json = new StringBuilder(EVENTS_PER_BATCH * 160);
        json.append("{\"mpid\":")
                .append(HOT_MPID)
                .append(",\"timestamp_unixtime_ms\":")
                .append(batchTime)
                .append(",\"user_identities\":[{\"identity_type\":\"customer_id\",\"identity\":\"")
                .append(HOT_ID)
                .append("\"}],\"user_attributes\":{\"batch\":")
                .append(b + 1)
                .append("},\"events\":[");
        for (int e = 0; e < EVENTS_PER_BATCH; e++) {
            long seq = (long) b * EVENTS_PER_BATCH + e + 1;
            if (e > 0) {
                json.append(',');
            }
            json.append("{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"Hot\"")
                    .append(",\"source_message_id\":\"h-")
                    .append(seq)
                    .append("\",\"timestamp_unixtime_ms\":")
                    .append(batchTime - 30_000 + e)
                    .append(",\"custom_attributes\":{\"seq\":")
                    .append(seq)
                    .append("}}}");
        }
        json.append("]}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}

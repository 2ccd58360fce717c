package dev.cioforwarder.testing;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generated mParticle batches for integration tests: many users, 1..maxEvents custom events or
 * screen views per batch, each event with a unique source_message_id and a per-user sequence number
 * (attribute {@code seq}), and a per-user attribute {@code batches_sent} that ends at the user's
 * batch count. Remembers what Customer.io must end up with.
 */
public final class TestBatches {

    /** An event Customer.io must receive exactly once. */
    public record ExpectedEvent(
            String customerId, String type, String name, long seq, String sourceMessageId) {}

    private final Random random;
    private final List<Map.Entry<String, byte[]>> records = new ArrayList<>();
    private final List<ExpectedEvent> expected = new ArrayList<>();
    private final Map<String, Integer> batchesPerUser = new LinkedHashMap<>();
    private final Map<String, Long> nextSeq = new HashMap<>();

    private TestBatches(long seed) {
        this.random = new Random(seed);
    }

    /**
     * {@code batches} batches spread over {@code users} users, events per batch in 1..maxEvents.
     */
    public static TestBatches generate(long seed, int users, int batches, int maxEvents) {
        return generate(seed, 1_000_000, users, batches, maxEvents);
    }

    /** The same, for the users {@code firstMpid} .. {@code firstMpid + users - 1}. */
    public static TestBatches generate(
            long seed, long firstMpid, int users, int batches, int maxEvents) {
        TestBatches t = new TestBatches(seed);
        for (int b = 0; b < batches; b++) {
            t.addBatch(firstMpid + t.random.nextInt(users), 1 + t.random.nextInt(maxEvents), null);
        }
        return t;
    }

    /** Adds a batch for user {@code mpid}; {@code eventName} forces the name of every event. */
    public void addBatch(long mpid, int events, String eventName) {
        String customerId = "c-" + mpid;
        int batchIndex = batchesPerUser.merge(customerId, 1, Integer::sum);
        long baseTime = 1_764_000_000_000L + (long) batchIndex * 60_000;
        StringBuilder json = new StringBuilder(512);
        json.append("{\"mpid\":")
                .append(mpid)
                .append(",\"timestamp_unixtime_ms\":")
                .append(baseTime + 59_000)
                .append(",\"user_identities\":[{\"identity_type\":\"customer_id\",\"identity\":\"")
                .append(customerId)
                .append("\"}],\"user_attributes\":{\"$FirstName\":\"User")
                .append(mpid)
                .append("\",\"batches_sent\":")
                .append(batchIndex)
                .append("},\"device_info\":{\"platform\":\"iOS\"},\"events\":[");
        for (int e = 0; e < events; e++) {
            long seq = nextSeq.merge(customerId, 1L, Long::sum);
            boolean screen = random.nextInt(4) == 0;
            String name =
                    eventName != null
                            ? eventName
                            : (screen ? "Screen " + (seq % 7) : "Action " + (seq % 11));
            String smid = customerId + "-" + seq;
            if (e > 0) {
                json.append(',');
            }
            json.append("{\"event_type\":\"")
                    .append(screen ? "screen_view" : "custom_event")
                    .append("\",\"data\":{\"")
                    .append(screen ? "screen_name" : "event_name")
                    .append("\":\"")
                    .append(name)
                    .append("\",\"timestamp_unixtime_ms\":")
                    .append(baseTime + e * 100L)
                    .append(",\"source_message_id\":\"")
                    .append(smid)
                    .append("\",\"custom_attributes\":{\"seq\":")
                    .append(seq)
                    .append(",\"note\":\"")
                    .append("x".repeat(random.nextInt(60)))
                    .append("\"}}}");
            expected.add(
                    new ExpectedEvent(
                            customerId,
                            screen ? "screen" : "event",
                            name.trim().replace(' ', '_'),
                            seq,
                            smid));
        }
        json.append("]}");
        records.add(
                new AbstractMap.SimpleEntry<>(
                        Long.toString(mpid), json.toString().getBytes(StandardCharsets.UTF_8)));
    }

    public List<Map.Entry<String, byte[]>> records() {
        return records;
    }

    public List<ExpectedEvent> expectedEvents() {
        return expected;
    }

    /** Each user's final {@code batches_sent}, which Customer.io must show after all updates. */
    public Map<String, Integer> finalBatchesSent() {
        return batchesPerUser;
    }
}

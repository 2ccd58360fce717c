package dev.cioforwarder.job;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.Map;

/**
 * One hand-written mParticle batch of one user for the integration tests that follow a user through
 * a story: a Customer ID, profile attributes, named custom events (each with a {@code seq}
 * attribute and a source_message_id unique to the user and name) and an opt-out.
 */
final class UserBatch {

    private final long mpid;
    private final long timeMs;
    private final String customerId;
    private String attributes = "{}";
    private final StringBuilder events = new StringBuilder();
    private int eventCount;

    private UserBatch(long mpid, long timeMs, String customerId) {
        this.mpid = mpid;
        this.timeMs = timeMs;
        this.customerId = customerId;
    }

    /** A batch of user {@code mpid} at {@code timeMs}, identified by {@code customerId}. */
    static UserBatch of(long mpid, long timeMs, String customerId) {
        return new UserBatch(mpid, timeMs, customerId);
    }

    /** The batch's user_attributes, as a JSON object. */
    UserBatch attributes(String json) {
        attributes = json;
        return this;
    }

    /** A custom event named {@code name} with attribute {@code seq}, a little before the batch. */
    UserBatch event(String name, long seq) {
        append(
                "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\""
                        + name
                        + "\",\"source_message_id\":\""
                        + mpid
                        + "-"
                        + name
                        + "-"
                        + seq
                        + "\",\"timestamp_unixtime_ms\":"
                        + (timeMs - 1_000 + eventCount)
                        + ",\"custom_attributes\":{\"seq\":"
                        + seq
                        + "}}}");
        return this;
    }

    /** An opt_out event ({@code is_opted_out}: true), a little before the batch. */
    UserBatch optOut() {
        append(
                "{\"event_type\":\"opt_out\",\"data\":{\"is_opted_out\":true,"
                        + "\"timestamp_unixtime_ms\":"
                        + (timeMs - 1_000 + eventCount)
                        + "}}");
        return this;
    }

    private void append(String event) {
        if (eventCount++ > 0) {
            events.append(',');
        }
        events.append(event);
    }

    /** The Kafka record: keyed by mpid. */
    Map.Entry<String, byte[]> record() {
        String json =
                "{\"mpid\":"
                        + mpid
                        + ",\"timestamp_unixtime_ms\":"
                        + timeMs
                        + ",\"user_identities\":[{\"identity_type\":\"customer_id\",\"identity\":\""
                        + customerId
                        + "\"}],\"user_attributes\":"
                        + attributes
                        + ",\"events\":["
                        + events
                        + "]}";
        return new AbstractMap.SimpleEntry<>(
                Long.toString(mpid), json.getBytes(StandardCharsets.UTF_8));
    }
}

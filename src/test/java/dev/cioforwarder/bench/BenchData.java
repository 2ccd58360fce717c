package dev.cioforwarder.bench;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Realistic mParticle batches for the benchmark: a skewed user distribution (a few heavy users, a
 * long tail), 90% of users with a Customer ID, 5% with only an email, 5% anonymous; 1-20 events a
 * batch, mostly custom events and screen views with a few attributes of realistic sizes, plus the
 * session and lifecycle events that are not forwarded; user attributes that rarely change. Every
 * forwardable event carries {@code _probe_sent_ms}, the time its batch was produced, so the
 * simulator measures Kafka-to-Customer.io latency per event.
 */
final class BenchData {

    private static final String[] EVENT_NAMES = {
        "Add To Cart", "Viewed Product", "Search", "Checkout Started", "Purchase", "Shared",
        "Played Video", "Paused Video", "Opened Push", "Rated", "Signed Up", "Logged In"
    };
    private static final String[] SCREENS = {
        "Home", "Product Detail", "Cart", "Checkout", "Settings", "Search Results", "Profile"
    };
    private static final String[] OTHER_TYPES = {
        "session_start",
        "session_end",
        "application_state_transition",
        "commerce_event",
        "breadcrumb"
    };
    private static final String[] PLATFORMS = {"iOS", "Android", "web"};

    private final Random random;
    private final int users;
    private final String runId;
    private long messageSeq;

    /** Counts of what was generated. */
    long batches;

    long events;
    long forwardableEvents;
    long bytes;

    BenchData(long seed, int users, String runId) {
        this.random = new Random(seed);
        this.users = users;
        this.runId = runId;
    }

    /** A user index skewed towards low numbers: roughly, 20% of users make 80% of batches. */
    private int nextUser() {
        double u = random.nextDouble();
        return (int) Math.min(users - 1, Math.floor(users * Math.pow(u, 3)));
    }

    /** The MPID of user {@code index}: stable per user index. */
    static long mpid(int index) {
        return 1_000_000_000_000L + index * 7919L;
    }

    /** Builds the next batch; {@code nowMs} is the batch time and the latency probe. */
    byte[] next(long nowMs, StringBuilder json, int maxEvents) {
        int user = nextUser();
        long mpid = mpid(user);
        int identity = user % 20; // 0: anonymous, 1: email only, else Customer ID and email
        json.setLength(0);
        json.append("{\"schema_version\":2,\"environment\":\"production\",\"mpid\":")
                .append(mpid)
                .append(",\"batch_id\":\"")
                .append(runId)
                .append('-')
                .append(batches)
                .append("\",\"timestamp_unixtime_ms\":")
                .append(nowMs)
                .append(",\"user_identities\":[");
        if (identity == 1) {
            json.append("{\"identity_type\":\"email\",\"identity\":\"user")
                    .append(user)
                    .append("@example.com\"}");
        } else if (identity != 0) {
            json.append("{\"identity_type\":\"customer_id\",\"identity\":\"cust-")
                    .append(user)
                    .append("\"},{\"identity_type\":\"email\",\"identity\":\"user")
                    .append(user)
                    .append("@example.com\"}");
        }
        json.append("],\"user_attributes\":{\"$FirstName\":\"First")
                .append(user)
                .append("\",\"$LastName\":\"Last")
                .append(user)
                .append("\",\"$City\":\"City ")
                .append(user % 97)
                .append("\",\"plan\":\"")
                .append(user % 3 == 0 ? "pro" : "free")
                .append("\",\"lifetime_orders\":")
                .append(user % 50)
                .append(",\"favourite_genres\":[\"jazz\",\"blues\"]");
        // One attribute in ten batches changes, so identify is sent now and then, not always.
        if (random.nextInt(10) == 0) {
            json.append(",\"last_campaign\":\"c-").append(random.nextInt(1000)).append('"');
        }
        String platform = PLATFORMS[user % PLATFORMS.length];
        json.append("},\"device_info\":{\"platform\":\"")
                .append(platform)
                .append("\",\"os_version\":\"17.")
                .append(user % 5)
                .append(
                        "\"},\"application_info\":{\"application_name\":\"Shop\",\"application_version\":\"4.2.")
                .append(user % 9)
                .append("\"},\"events\":[");
        int count = 1 + random.nextInt(maxEvents);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                json.append(',');
            }
            long eventTime = nowMs - (count - i) * 250L;
            String smid = runId + "-" + (messageSeq++);
            int kind = random.nextInt(100);
            if (kind < 60) {
                appendEvent(
                        json,
                        "custom_event",
                        "event_name",
                        EVENT_NAMES[random.nextInt(EVENT_NAMES.length)],
                        eventTime,
                        smid,
                        nowMs);
                if (identity != 0) {
                    forwardableEvents++;
                }
            } else if (kind < 85) {
                appendEvent(
                        json,
                        "screen_view",
                        "screen_name",
                        SCREENS[random.nextInt(SCREENS.length)],
                        eventTime,
                        smid,
                        nowMs);
                if (identity != 0) {
                    forwardableEvents++;
                }
            } else {
                json.append("{\"event_type\":\"")
                        .append(OTHER_TYPES[random.nextInt(OTHER_TYPES.length)])
                        .append("\",\"data\":{\"timestamp_unixtime_ms\":")
                        .append(eventTime)
                        .append(",\"source_message_id\":\"")
                        .append(smid)
                        .append("\",\"session_id\":")
                        .append(random.nextInt(1_000_000))
                        .append("}}");
            }
        }
        json.append("]}");
        batches++;
        events += count;
        byte[] out = json.toString().getBytes(StandardCharsets.UTF_8);
        bytes += out.length;
        return out;
    }

    private void appendEvent(
            StringBuilder json,
            String type,
            String nameField,
            String name,
            long time,
            String smid,
            long sentMs) {
        json.append("{\"event_type\":\"")
                .append(type)
                .append("\",\"data\":{\"")
                .append(nameField)
                .append("\":\"")
                .append(name)
                .append("\",\"timestamp_unixtime_ms\":")
                .append(time)
                .append(",\"source_message_id\":\"")
                .append(smid)
                .append("\",\"session_id\":")
                .append(random.nextInt(1_000_000))
                .append(",\"custom_attributes\":{\"_probe_sent_ms\":")
                .append(sentMs);
        int attributes = 1 + random.nextInt(5);
        for (int a = 0; a < attributes; a++) {
            json.append(",\"attr_").append(a).append("\":\"");
            int length = 5 + random.nextInt(40);
            for (int c = 0; c < length; c++) {
                json.append((char) ('a' + random.nextInt(26)));
            }
            json.append('"');
        }
        json.append(",\"price\":").append(random.nextInt(10_000) / 100.0).append("}}}");
    }
}

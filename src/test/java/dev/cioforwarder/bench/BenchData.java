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

    /** The share of users that stay anonymous; negative: the default mix (5%, no device ids). */
    private double anonymousShare = -1;

    /** The share of batches carrying the device's push token; negative: none. */
    private double pushShare = -1;

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

    /**
     * The anonymous-heavy mix: {@code share} of the users never identify themselves, every batch
     * names its device ({@code ios_idfv}, {@code android_uuid} or {@code mp_deviceid}), and with
     * anonymous events on, the anonymous users' events are forwardable too.
     */
    BenchData anonymousShare(double share) {
        this.anonymousShare = share;
        return this;
    }

    /**
     * The push-heavy mix: {@code share} of the batches carry the device's push token; the users are
     * on iOS and Android only (Customer.io's push platforms).
     */
    BenchData pushShare(double share) {
        this.pushShare = share;
        return this;
    }

    /** A fixed fraction in [0, 1) per user index, independent of the user's other traits. */
    private static double fractionOf(int user) {
        return ((user * 0x9E3779B97F4A7C15L) >>> 11) / (double) (1L << 53);
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
        // 0: anonymous, 1: email only, else Customer ID and email.
        int identity = user % 20;
        if (anonymousShare >= 0) {
            identity = fractionOf(user) < anonymousShare ? 0 : (identity == 1 ? 1 : 2);
        }
        // Anonymous users' events are forwarded only in the anonymous mix (anonymous events on).
        boolean forwardable = identity != 0 || anonymousShare >= 0;
        json.setLength(0);
        json.append("{\"schema_version\":2,\"environment\":\"production\",\"mpid\":")
                .append(mpid)
                .append(
                        anonymousShare >= 0 && user % 3 == 2
                                ? ",\"mp_deviceid\":\"web-" + user + "\""
                                : "")
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
        String platform = pushShare >= 0 ? PLATFORMS[user % 2] : PLATFORMS[user % PLATFORMS.length];
        json.append("},\"device_info\":{\"platform\":\"").append(platform).append('"');
        if (anonymousShare >= 0 && platform.equals("iOS")) {
            json.append(",\"ios_idfv\":\"idfv-").append(user).append('"');
        } else if (anonymousShare >= 0 && platform.equals("Android")) {
            json.append(",\"android_uuid\":\"uuid-").append(user).append('"');
        }
        if (pushShare >= 0 && random.nextDouble() < pushShare) {
            json.append(",\"push_token\":\"token-").append(user).append('"');
        }
        json.append(",\"os_version\":\"17.")
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
                if (forwardable) {
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
                if (forwardable) {
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
        appendAttributes(json, random);
        json.append("}}}");
    }

    /**
     * An event's attributes after its probe: one to five strings of 5 to 44 letters, then a price.
     * Shared with {@link SimulatorReplay}, whose requests carry the same attributes.
     */
    static void appendAttributes(StringBuilder json, Random random) {
        int attributes = 1 + random.nextInt(5);
        for (int a = 0; a < attributes; a++) {
            json.append(",\"attr_").append(a).append("\":\"");
            int length = 5 + random.nextInt(40);
            for (int c = 0; c < length; c++) {
                json.append((char) ('a' + random.nextInt(26)));
            }
            json.append('"');
        }
        json.append(",\"price\":").append(random.nextInt(10_000) / 100.0);
    }
}

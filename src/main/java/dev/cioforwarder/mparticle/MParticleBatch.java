package dev.cioforwarder.mparticle;

import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.privacy.ErasureRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An mParticle event batch, reduced to what the Customer.io rules read, exactly as received: the
 * parser decides nothing (the rules in {@code mapping} do). A Flink POJO: it crosses the keyBy
 * shuffle from the parser to the per-user state machine, so it carries no raw JSON tree.
 */
public class MParticleBatch {

    /** The keyBy key: the MPID in decimal, or the identity when there is no MPID. */
    public String userKey;

    public boolean hasMpid;

    /** The MPID, exact (never through a double); meaningful only when {@link #hasMpid}. */
    public long mpid;

    /**
     * The batch time ({@code timestamp_unixtime_ms}); the Kafka record time when the batch has
     * none.
     */
    public long timestampMs;

    /**
     * Whether {@link #timestampMs} is the Kafka record time (the batch has none of its own). A
     * replayed record has a new record time, so it never enters an event id.
     */
    public boolean timestampFromRecord;

    /** {@code batch_id} or another batch-level id, used to make event ids deterministic. */
    public String batchId;

    /** The {@code customer_id} of {@code user_identities}, trimmed; null when absent. */
    public String customerId;

    /** The {@code email} of {@code user_identities}, trimmed; null when absent. */
    public String email;

    /** {@code user_attributes}; a null value (a user tag) is kept as {@code ValueType.NULL}. */
    public Attributes userAttributes;

    public List<String> deletedUserAttributes;

    /**
     * Whether the top-level {@code environment} says {@code development} (in any case, spaces
     * around it ignored); false for {@code production}, another value or none. Read by the parse
     * stage ({@code mparticle.environments}).
     */
    public boolean developmentEnvironment;

    /** {@code device_info.platform} as received ({@code iOS}, {@code Android}, {@code web}…). */
    public String platform;

    /** {@code application_info.os} as received ({@code IOS}, {@code MobileWeb}…). */
    public String applicationOs;

    /**
     * {@code device_info.push_token} as received when it is a string (the device's push token at
     * the batch time); null when absent, blank or of another type.
     */
    public String pushToken;

    /**
     * The device's details for its Customer.io device attributes: {@code device_info.os_version},
     * {@code device_model}, {@code locale_language} and {@code locale_country}, and {@code
     * application_info.application_version}, when strings or numbers of at most {@value
     * #MAX_DEVICE_DETAIL_CHARS} characters. Kept only in a batch that says something about a push
     * token (else null: they would only cost the shuffle).
     */
    public String osVersion;

    public String deviceModel;
    public String localeLanguage;
    public String localeCountry;
    public String applicationVersion;

    /**
     * The device the batch came from, prefixed with which identifier it is ({@code ios_idfv:},
     * {@code android_uuid:} or {@code mp_deviceid:}), lower case; null when the batch names none,
     * or when the job does not stitch anonymous activity (then it is not read).
     */
    public String deviceId;

    /** Longer device details are not device details (and not kept). */
    public static final int MAX_DEVICE_DETAIL_CHARS = 100;

    /** The time of every event that carries one, in batch order (created_at reads them). */
    public long[] eventTimesMs;

    /** The events a rule reads (see {@link EventKind}), in batch order. */
    public List<MParticleEvent> events;

    /**
     * Not a batch but an erasure request for this user (from {@code privacy.erasure-topic}),
     * travelling the batch stream so that it reaches the user's state in order; null for batches.
     */
    public ErasureRequest erasure;

    // Where the batch came from, for dead letters.
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;

    public MParticleBatch() {
        userAttributes = new Attributes();
        deletedUserAttributes = new ArrayList<>();
        eventTimesMs = new long[0];
        events = new ArrayList<>();
    }

    /**
     * The element that carries an erasure request to the user's state: keyed as the user's batches
     * are, timed at the request.
     */
    public static MParticleBatch ofErasure(
            ErasureRequest request, String sourceTopic, int sourcePartition, long sourceOffset) {
        MParticleBatch batch = new MParticleBatch();
        batch.erasure = request;
        batch.hasMpid = request.hasMpid;
        batch.mpid = request.mpid;
        batch.timestampMs = request.timeMs;
        batch.userKey = userKey(request.hasMpid, request.mpid, request.customerId, request.email);
        batch.sourceTopic = sourceTopic;
        batch.sourcePartition = sourcePartition;
        batch.sourceOffset = sourceOffset;
        return batch;
    }

    /**
     * The keyBy key of a user: the MPID, else the Customer ID, else the email (case-insensitive);
     * null with none of them.
     */
    static String userKey(boolean hasMpid, long mpid, String customerId, String email) {
        if (hasMpid) {
            return Long.toString(mpid);
        } else if (customerId != null) {
            return "customer_id:" + customerId;
        } else if (email != null) {
            return "email:" + email.toLowerCase(Locale.ROOT);
        }
        return null;
    }

    /** The MPID as text, or null; for dead letters and logs. */
    public String mpidText() {
        return hasMpid ? Long.toString(mpid) : null;
    }

    /** The batch time in whole seconds, as Customer.io timestamps are. */
    public long timestampSeconds() {
        return Math.floorDiv(timestampMs, 1000);
    }
}

package dev.cioforwarder.mparticle;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.base.ParserBase;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.json.Json;
import dev.cioforwarder.json.Utf8;
import dev.cioforwarder.json.ValueType;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads one mParticle outgoing JSON batch in a single streaming pass, without building a tree. It
 * only parses: what the data means for Customer.io is decided by the rules in {@code mapping}.
 *
 * <p>It never throws on bad input. A record that is not a usable batch is rejected with a {@link
 * DeadLetterReason} and a detail naming where the problem is; a malformed event inside a good batch
 * is rejected on its own and the rest of the batch is kept. Details never quote payload values
 * (they may be personal data): they name the field, the expected and found JSON types and the
 * position.
 *
 * <p>Instances are not thread-safe only in the sense that they hold no state at all: one instance
 * can serve any number of threads.
 */
public final class BatchParser {

    /** Records over this size are rejected before parsing (bounded memory per record). */
    public static final int DEFAULT_MAX_RECORD_BYTES = 8 * 1024 * 1024;

    private final int maxRecordBytes;
    private final boolean readDeviceIds;

    public BatchParser() {
        this(DEFAULT_MAX_RECORD_BYTES);
    }

    public BatchParser(int maxRecordBytes) {
        this(maxRecordBytes, false);
    }

    /**
     * @param readDeviceIds whether to keep the batch's device identifier ({@link
     *     MParticleBatch#deviceId}): only anonymous activity stitching reads it, and a string per
     *     batch would cost every batch of a job that does not
     */
    public BatchParser(int maxRecordBytes, boolean readDeviceIds) {
        this.maxRecordBytes = maxRecordBytes;
        this.readDeviceIds = readDeviceIds;
    }

    /**
     * Parses one record.
     *
     * @param payload the Kafka record value
     * @param recordTimestampMs the Kafka record time, used when the batch carries no time
     */
    public ParseResult parse(byte[] payload, long recordTimestampMs) {
        if (payload == null || payload.length == 0) {
            return ParseResult.rejected(DeadLetterReason.EMPTY_RECORD, "the record has no value");
        }
        if (payload.length > maxRecordBytes) {
            return ParseResult.rejected(
                    DeadLetterReason.RECORD_TOO_LARGE,
                    "the record has "
                            + payload.length
                            + " bytes; the limit (mparticle.max-record-bytes) is "
                            + maxRecordBytes);
        }
        int invalid = Utf8.firstInvalidByte(payload);
        if (invalid >= 0) {
            // Checked before Jackson, which would decode overlong forms and encoded surrogates
            // into characters the sender never wrote, or guess UTF-16 from NUL bytes.
            return ParseResult.rejected(
                    DeadLetterReason.INVALID_JSON,
                    "the record is not valid UTF-8: byte "
                            + invalid
                            + " is "
                            + Utf8.describeInvalidByte(payload, invalid));
        }
        try (JsonParser parser = Json.factory().createParser(payload)) {
            return new Reader(parser, payload, recordTimestampMs, readDeviceIds).readBatch();
        } catch (BatchError e) {
            return ParseResult.rejected(e.reason, e.getMessage());
        } catch (StreamConstraintsException e) {
            return ParseResult.rejected(
                    DeadLetterReason.INVALID_JSON,
                    "limit exceeded: " + sanitize(e.getOriginalMessage()) + at(e.getLocation()));
        } catch (JsonProcessingException e) {
            return ParseResult.rejected(
                    DeadLetterReason.INVALID_JSON,
                    sanitize(e.getOriginalMessage()) + at(e.getLocation()));
        } catch (IOException | RuntimeException e) {
            // Jackson reports malformed UTF-8 and some truncations as plain IOExceptions; any
            // other surprise is still bad input, never a reason to fail the job.
            return ParseResult.rejected(
                    DeadLetterReason.INVALID_JSON,
                    e.getClass().getSimpleName() + ": " + sanitize(e.getMessage()));
        }
    }

    /**
     * {@link Long#parseLong} limited to ASCII digits: it also reads other scripts' digits, which
     * would make the MPID string {@code "١٢٣"} (Arabic-Indic) the same user as {@code 123}.
     */
    static long parseAsciiLong(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < '0' || c > '9') && !(i == 0 && (c == '-' || c == '+'))) {
                throw new NumberFormatException("not an ASCII integer");
            }
        }
        return Long.parseLong(text);
    }

    /**
     * Field names of the batch format: a duplicate of one of these is named in the detail; any
     * other key of the payload (an attribute name, say) is not.
     */
    private static final Set<String> FORMAT_FIELDS =
            Set.of(
                    "mpid",
                    "timestamp_unixtime_ms",
                    "batch_id",
                    "source_request_id",
                    "message_id",
                    "unique_id",
                    "user_identities",
                    "user_attributes",
                    "deleted_user_attributes",
                    "device_info",
                    "application_info",
                    "events",
                    "event_type",
                    "data",
                    "event_name",
                    "screen_name",
                    "source_message_id",
                    "event_id",
                    "custom_attributes",
                    "is_opted_out",
                    "is_first_run",
                    "new",
                    "identity_type",
                    "identity",
                    "platform",
                    "os",
                    "push_token",
                    "os_version",
                    "device_model",
                    "locale_language",
                    "locale_country",
                    "application_version",
                    "environment",
                    "ios_idfv",
                    "android_uuid",
                    "mp_deviceid",
                    "register",
                    "registration_token",
                    "product_action",
                    "promotion_action",
                    "product_impressions",
                    "currency_code",
                    "action",
                    "products",
                    "promotions");

    /** A product action's documented scalar fields besides {@code action}. */
    private static final Set<String> PRODUCT_ACTION_FIELDS =
            Set.of(
                    "transaction_id",
                    "affiliation",
                    "total_amount",
                    "tax_amount",
                    "shipping_amount",
                    "coupon_code",
                    "checkout_step",
                    "checkout_options",
                    "product_action_list",
                    "product_list_source");

    /** A product's documented scalar fields (its custom attributes are read apart). */
    private static final Set<String> PRODUCT_FIELDS =
            Set.of(
                    "id",
                    "name",
                    "brand",
                    "category",
                    "variant",
                    "position",
                    "price",
                    "quantity",
                    "coupon_code",
                    "total_product_amount");

    /** A promotion's documented fields. */
    private static final Set<String> PROMOTION_FIELDS =
            Set.of("id", "name", "creative", "position");

    /**
     * mParticle's identity types: named in details. Any other key of the inbound {@code
     * user_identities} object is payload, possibly long, and is not.
     */
    private static final Set<String> IDENTITY_TYPES =
            Set.of(
                    "customer_id",
                    "customerid",
                    "email",
                    "other",
                    "other_id_2",
                    "other_id_3",
                    "other_id_4",
                    "other_id_5",
                    "other_id_6",
                    "other_id_7",
                    "other_id_8",
                    "other_id_9",
                    "other_id_10",
                    "mobile_number",
                    "phone_number_2",
                    "phone_number_3",
                    "facebook",
                    "twitter",
                    "google",
                    "microsoft",
                    "yahoo",
                    "alias",
                    "facebook_custom_audience_id");

    private static final String UNRECOGNIZED_TOKEN = "Unrecognized token '";
    private static final String DUPLICATE_FIELD = "Duplicate field '";

    /** What Jackson writes for a location when the source is not included, before the line. */
    private static final String REDACTED_SOURCE =
            "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); ";

    /**
     * Jackson's message on one short line, without the input it quotes: an unrecognized token is
     * whatever unquoted text the record holds at that point (an email with its quotes lost, say),
     * and a duplicate key can be any key of the payload. Single characters and fixed words stay.
     */
    static String sanitize(String message) {
        if (message == null) {
            return "unreadable JSON";
        }
        String oneLine =
                message.replace('\n', ' ').replace('\r', ' ').replace(REDACTED_SOURCE, "[");
        if (oneLine.startsWith(UNRECOGNIZED_TOKEN)) {
            // The token itself may hold quotes; the fixed text after it is the last occurrence.
            int end = oneLine.lastIndexOf("': was expecting");
            oneLine =
                    "Unrecognized token (not quoted here)"
                            + (end >= UNRECOGNIZED_TOKEN.length()
                                    ? oneLine.substring(end + 1)
                                    : "");
        } else if (oneLine.startsWith(DUPLICATE_FIELD)) {
            int end = oneLine.lastIndexOf('\'');
            String name =
                    end > DUPLICATE_FIELD.length()
                            ? oneLine.substring(DUPLICATE_FIELD.length(), end)
                            : "";
            oneLine =
                    FORMAT_FIELDS.contains(name)
                            ? "Duplicate field '" + name + "'"
                            : "Duplicate field (a key of the payload, not quoted here)";
        }
        return oneLine.length() > 160 ? oneLine.substring(0, 160) + "…" : oneLine;
    }

    private static String at(JsonLocation location) {
        if (location == null) {
            return "";
        }
        return " (line "
                + location.getLineNr()
                + ", column "
                + location.getColumnNr()
                + ", byte "
                + location.getByteOffset()
                + ")";
    }

    /** A batch-level problem: the whole record is rejected. */
    private static final class BatchError extends RuntimeException {
        private final DeadLetterReason reason;

        BatchError(DeadLetterReason reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }

    /** An event-level problem: only that event is rejected. */
    private static final class EventError extends Exception {
        EventError(String detail) {
            super(detail, null, false, false);
        }
    }

    /** The per-record parsing state. */
    private static final class Reader {
        private final JsonParser p;
        private final byte[] payload;
        private final long recordTimestampMs;
        private final MParticleBatch batch = new MParticleBatch();
        private final List<EventRejection> eventRejections = new ArrayList<>(0);
        private int eventRejectionCount;
        private final List<String> notForwarded = new ArrayList<>(4);
        private boolean hasBatchTime;
        private String fallbackBatchId;
        private long[] eventTimes = new long[8];
        private int eventTimeCount;
        // Where the event being read starts, and the byte range [start, end) of each event in
        // batch.events, in its order: what an event without any id is identified by (finish()).
        private int eventStart;
        private int[] eventRanges = new int[16];
        // Where each device detail's value starts in the payload (-1: none). Read into strings
        // only when the batch says something about a push token (finish()): most batches carry
        // device details, few a token, and the strings would cost every batch.
        private int osVersionAt = -1;
        private int deviceModelAt = -1;
        private int localeLanguageAt = -1;
        private int localeCountryAt = -1;
        private int applicationVersionAt = -1;
        // Where the device identifiers start (-1: none), read only with readDeviceIds.
        private final boolean readDeviceIds;
        private int iosIdfvAt = -1;
        private int androidUuidAt = -1;
        private int mpDeviceIdAt = -1;
        // Only for the keyBy key of a batch without MPID and user_identities.
        private String changedCustomerId;
        private String changedEmail;

        Reader(JsonParser p, byte[] payload, long recordTimestampMs, boolean readDeviceIds) {
            this.p = p;
            this.payload = payload;
            this.recordTimestampMs = recordTimestampMs;
            this.readDeviceIds = readDeviceIds;
        }

        ParseResult readBatch() throws IOException {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new BatchError(DeadLetterReason.INVALID_JSON, "the record is blank");
            }
            if (first != JsonToken.START_OBJECT) {
                throw new BatchError(
                        DeadLetterReason.NOT_AN_OBJECT,
                        "the batch must be a JSON object, found " + describe(first));
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "mpid":
                        readMpid(value);
                        break;
                    case "timestamp_unixtime_ms":
                        readBatchTime(value);
                        break;
                    case "batch_id":
                        batch.batchId = scalarText(value, DeadLetterReason.INVALID_JSON, field);
                        break;
                    case "source_request_id":
                    case "message_id":
                    case "unique_id":
                        if (fallbackBatchId == null) {
                            fallbackBatchId =
                                    scalarText(value, DeadLetterReason.INVALID_JSON, field);
                        } else {
                            p.skipChildren();
                        }
                        break;
                    case "user_identities":
                        readUserIdentities(value);
                        break;
                    case "user_attributes":
                        readUserAttributes(value);
                        break;
                    case "deleted_user_attributes":
                        readDeletedUserAttributes(value);
                        break;
                    case "device_info":
                        readDeviceInfo(value);
                        break;
                    case "application_info":
                        readApplicationInfo(value);
                        break;
                    case "environment":
                        // Read leniently: it was never read before the setting existed.
                        // Compared in the parser's buffer: most batches carry it, and a string
                        // for each would cost every batch.
                        if (value == JsonToken.VALUE_STRING) {
                            batch.developmentEnvironment =
                                    isDevelopment(
                                            p.getTextCharacters(),
                                            p.getTextOffset(),
                                            p.getTextLength());
                        } else {
                            p.skipChildren();
                        }
                        break;
                    case "events":
                        readEvents(value);
                        break;
                    case "mp_deviceid":
                        mpDeviceIdAt = deviceDetailAt(value);
                        break;
                    default:
                        // Unknown and unused parts are still read through, so a syntax error
                        // anywhere in the record rejects it.
                        p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new BatchError(
                        DeadLetterReason.INVALID_JSON,
                        "unexpected content after the batch object" + at(p.currentLocation()));
            }
            return finish();
        }

        private ParseResult finish() {
            if (hasDeviceDetails() && (batch.pushToken != null || saysSomethingAboutAPushToken())) {
                // Only push devices read them: a batch without a token neither reads them into
                // strings nor carries them through the keyBy shuffle.
                batch.osVersion = deviceDetail(osVersionAt);
                batch.deviceModel = deviceDetail(deviceModelAt);
                batch.localeLanguage = deviceDetail(localeLanguageAt);
                batch.localeCountry = deviceDetail(localeCountryAt);
                batch.applicationVersion = deviceDetail(applicationVersionAt);
            }
            if (readDeviceIds) {
                batch.deviceId = deviceId();
            }
            if (!hasBatchTime) {
                batch.timestampMs = recordTimestampMs;
                batch.timestampFromRecord = true;
            }
            if (batch.batchId == null) {
                batch.batchId = fallbackBatchId;
            }
            batch.eventTimesMs = java.util.Arrays.copyOf(eventTimes, eventTimeCount);
            String customerId = batch.customerId != null ? batch.customerId : changedCustomerId;
            String email = batch.email != null ? batch.email : changedEmail;
            batch.userKey = MParticleBatch.userKey(batch.hasMpid, batch.mpid, customerId, email);
            for (int i = 0; i < batch.events.size(); i++) {
                MParticleEvent event = batch.events.get(i);
                if (event.dedupKey == null) {
                    // No SDK id: the batch id (else the batch's own time) and the position
                    // identify it, and they are stable across replays of the same record. Never
                    // the Kafka record time: a replayed record has a new one, and its events
                    // would get new ids and reach Customer.io twice. Without either, the event's
                    // own bytes (and position) identify it: a replay has the same bytes.
                    event.dedupKey =
                            batch.batchId != null || hasBatchTime
                                    ? "batch:"
                                            + (batch.batchId != null
                                                    ? batch.batchId
                                                    : batch.timestampMs)
                                            + "#"
                                            + event.position
                                    : "content:" + contentHash(i) + "#" + event.position;
                }
            }
            return ParseResult.accepted(batch, eventRejections, eventRejectionCount, notForwarded);
        }

        /** Whether the characters are "development", in any case, spaces around it ignored. */
        static boolean isDevelopment(char[] chars, int offset, int length) {
            int start = offset;
            int end = offset + length;
            while (start < end && Character.isWhitespace(chars[start])) {
                start++;
            }
            while (end > start && Character.isWhitespace(chars[end - 1])) {
                end--;
            }
            String development = "development";
            if (end - start != development.length()) {
                return false;
            }
            for (int i = 0; i < development.length(); i++) {
                if (Character.toLowerCase(chars[start + i]) != development.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private boolean hasDeviceDetails() {
            return osVersionAt >= 0
                    || deviceModelAt >= 0
                    || localeLanguageAt >= 0
                    || localeCountryAt >= 0
                    || applicationVersionAt >= 0;
        }

        private boolean saysSomethingAboutAPushToken() {
            for (int i = 0; i < batch.events.size(); i++) {
                if (batch.events.get(i).kind == EventKind.PUSH_REGISTRATION) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Where the current token (a brace here) starts in the payload, as {@code
         * currentTokenLocation().getByteOffset()} says. That builds a location object, twice per
         * event on the hot path; Jackson's byte parser keeps the same offset, plus one, in a field
         * it answers without allocating. Event ids hash these bytes, so the two must never differ
         * (BatchParserTest pins the bytes).
         */
        private int tokenByteOffset() {
            if (p instanceof ParserBase base && p.currentToken() != JsonToken.FIELD_NAME) {
                return (int) base.getTokenCharacterOffset() - 1;
            }
            return (int) p.currentTokenLocation().getByteOffset();
        }

        /** Hex SHA-256 (first 128 bits) of the bytes of the {@code index}th of batch.events. */
        private String contentHash(int index) {
            MessageDigest sha256;
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
            int start = eventRanges[2 * index];
            sha256.update(payload, start, eventRanges[2 * index + 1] - start);
            byte[] digest = sha256.digest();
            StringBuilder hex = new StringBuilder(32);
            for (int i = 0; i < 16; i++) {
                hex.append(Character.forDigit((digest[i] >> 4) & 0xF, 16))
                        .append(Character.forDigit(digest[i] & 0xF, 16));
            }
            return hex.toString();
        }

        private void readMpid(JsonToken value) throws IOException {
            switch (value) {
                case VALUE_NULL:
                    return;
                case VALUE_NUMBER_INT:
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        throw new BatchError(
                                DeadLetterReason.MPID_INVALID,
                                "mpid: outside the signed 64-bit range" + at(p.currentLocation()));
                    }
                    batch.mpid = p.getLongValue();
                    batch.hasMpid = true;
                    return;
                case VALUE_STRING:
                    String text = p.getText().trim();
                    if (text.isEmpty()) {
                        return;
                    }
                    try {
                        batch.mpid = parseAsciiLong(text);
                        batch.hasMpid = true;
                    } catch (NumberFormatException e) {
                        throw new BatchError(
                                DeadLetterReason.MPID_INVALID,
                                "mpid: the string is not a signed 64-bit integer"
                                        + at(p.currentLocation()));
                    }
                    return;
                default:
                    throw new BatchError(
                            DeadLetterReason.MPID_INVALID,
                            "mpid: expected an integer or a string of digits, found "
                                    + describe(value)
                                    + at(p.currentLocation()));
            }
        }

        private void readBatchTime(JsonToken value) throws IOException {
            try {
                long time = readTime(value);
                if (time != MParticleEvent.NO_TIME) {
                    batch.timestampMs = time;
                    hasBatchTime = true;
                }
            } catch (EventError e) {
                throw new BatchError(
                        DeadLetterReason.TIMESTAMP_INVALID,
                        "timestamp_unixtime_ms: " + e.getMessage());
            }
        }

        /** A time in ms as a number or numeric string; {@link MParticleEvent#NO_TIME} for null. */
        private long readTime(JsonToken value) throws IOException, EventError {
            long time;
            switch (value) {
                case VALUE_NULL:
                    return MParticleEvent.NO_TIME;
                case VALUE_NUMBER_INT:
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        throw new EventError("out of range" + at(p.currentLocation()));
                    }
                    time = p.getLongValue();
                    break;
                case VALUE_STRING:
                    try {
                        time = parseAsciiLong(p.getText().trim());
                    } catch (NumberFormatException e) {
                        throw new EventError(
                                "the string is not an integer number of milliseconds"
                                        + at(p.currentLocation()));
                    }
                    break;
                default:
                    p.skipChildren();
                    throw new EventError(
                            "expected integer milliseconds as a number or a string, found "
                                    + describe(value)
                                    + at(p.currentLocation()));
            }
            // ULIDs hold 48 bits of milliseconds; anything outside is not a real time.
            if (time < 0 || time >= (1L << 48)) {
                throw new EventError("the time is outside 0 .. 2^48 ms" + at(p.currentLocation()));
            }
            return time;
        }

        private void readUserIdentities(JsonToken value) throws IOException {
            switch (value) {
                case VALUE_NULL:
                    return;
                case START_ARRAY:
                    // Outgoing form: [{"identity_type": "...", "identity": "..."}, ...]
                    int index = 0;
                    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                        if (t != JsonToken.START_OBJECT) {
                            throw new BatchError(
                                    DeadLetterReason.USER_IDENTITIES_INVALID,
                                    "user_identities["
                                            + index
                                            + "]: expected an object, found "
                                            + describe(t)
                                            + at(p.currentLocation()));
                        }
                        String type = null;
                        String identity = null;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String name = p.currentName();
                            JsonToken v = p.nextToken();
                            if (name.equals("identity_type")) {
                                type =
                                        scalarText(
                                                v,
                                                DeadLetterReason.USER_IDENTITIES_INVALID,
                                                "user_identities[" + index + "].identity_type");
                            } else if (name.equals("identity")) {
                                identity =
                                        scalarText(
                                                v,
                                                DeadLetterReason.USER_IDENTITIES_INVALID,
                                                "user_identities[" + index + "].identity");
                            } else {
                                p.skipChildren();
                            }
                        }
                        acceptIdentity(type, identity);
                        index++;
                    }
                    return;
                case START_OBJECT:
                    // Inbound form: {"customer_id": "...", "email": "..."}
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String type = p.currentName();
                        JsonToken v = p.nextToken();
                        acceptIdentity(
                                type,
                                scalarText(
                                        v,
                                        DeadLetterReason.USER_IDENTITIES_INVALID,
                                        "user_identities."
                                                + (IDENTITY_TYPES.contains(type)
                                                        ? type
                                                        : "(a member)")));
                    }
                    return;
                default:
                    throw new BatchError(
                            DeadLetterReason.USER_IDENTITIES_INVALID,
                            "user_identities: expected an array or an object, found "
                                    + describe(value)
                                    + at(p.currentLocation()));
            }
        }

        private void acceptIdentity(String type, String identity) {
            if (type == null || identity == null) {
                return;
            }
            String trimmed = identity.trim();
            if (trimmed.isEmpty()) {
                return;
            }
            if (type.equalsIgnoreCase("customer_id") || type.equalsIgnoreCase("customerid")) {
                batch.customerId = trimmed;
            } else if (type.equalsIgnoreCase("email")) {
                batch.email = trimmed;
            }
        }

        private void readUserAttributes(JsonToken value) throws IOException {
            if (value == JsonToken.VALUE_NULL) {
                return;
            }
            if (value != JsonToken.START_OBJECT) {
                throw new BatchError(
                        DeadLetterReason.USER_ATTRIBUTES_INVALID,
                        "user_attributes: expected an object, found "
                                + describe(value)
                                + at(p.currentLocation()));
            }
            readAttributeObject(batch.userAttributes, true);
        }

        /**
         * Reads the members of an object already opened into {@code into}. A null is a user tag
         * ({@code setUserTag}) among user attributes, and kept; in event attributes it is skipped.
         */
        private void readAttributeObject(Attributes into, boolean keepNulls) throws IOException {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = Utf8.wellFormed(p.currentName());
                JsonToken v = p.nextToken();
                switch (v) {
                    case VALUE_STRING:
                        into.add(name, ValueType.STRING, text());
                        break;
                    case VALUE_NUMBER_INT:
                    case VALUE_NUMBER_FLOAT:
                        // The exact text: 19.99 stays 19.99, a 20-digit id stays exact.
                        into.add(name, ValueType.NUMBER, p.getText());
                        break;
                    case VALUE_TRUE:
                        into.add(name, ValueType.BOOLEAN, "true");
                        break;
                    case VALUE_FALSE:
                        into.add(name, ValueType.BOOLEAN, "false");
                        break;
                    case VALUE_NULL:
                        if (keepNulls) {
                            into.add(name, ValueType.NULL, "");
                        }
                        break;
                    default:
                        into.add(name, ValueType.JSON, copyStructure());
                }
            }
        }

        /** The current array or object as compact JSON text (lists are rare in attributes). */
        private String copyStructure() throws IOException {
            StringWriter out = new StringWriter(64);
            try (JsonGenerator g = Json.factory().createGenerator(out)) {
                g.copyCurrentStructure(p);
            }
            // Lone surrogates stay raw in a character-based copy; written later as raw UTF-8
            // they would make the encoder fail.
            return Utf8.wellFormed(out.toString());
        }

        private void readDeletedUserAttributes(JsonToken value) throws IOException {
            if (value == JsonToken.VALUE_NULL) {
                return;
            }
            if (value != JsonToken.START_ARRAY) {
                throw new BatchError(
                        DeadLetterReason.DELETED_USER_ATTRIBUTES_INVALID,
                        "deleted_user_attributes: expected an array of names, found "
                                + describe(value)
                                + at(p.currentLocation()));
            }
            int index = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t != JsonToken.VALUE_STRING) {
                    throw new BatchError(
                            DeadLetterReason.DELETED_USER_ATTRIBUTES_INVALID,
                            "deleted_user_attributes["
                                    + index
                                    + "]: expected a string, found "
                                    + describe(t)
                                    + at(p.currentLocation()));
                }
                batch.deletedUserAttributes.add(text());
                index++;
            }
        }

        /**
         * {@code device_info}: {@code platform}, and {@code push_token} as a string when it is one
         * (it was never read before push devices existed, so no other type rejects the batch).
         */
        private void readDeviceInfo(JsonToken value) throws IOException {
            if (!objectOrNull(value, "device_info", DeadLetterReason.DEVICE_INFO_INVALID)) {
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "platform":
                        batch.platform =
                                blankToNull(
                                        scalarText(
                                                v,
                                                DeadLetterReason.DEVICE_INFO_INVALID,
                                                "device_info.platform"));
                        break;
                    case "push_token":
                        if (v == JsonToken.VALUE_STRING) {
                            batch.pushToken = blankToNull(text());
                        } else {
                            p.skipChildren();
                        }
                        break;
                    case "os_version":
                        osVersionAt = deviceDetailAt(v);
                        break;
                    case "device_model":
                        deviceModelAt = deviceDetailAt(v);
                        break;
                    case "locale_language":
                        localeLanguageAt = deviceDetailAt(v);
                        break;
                    case "locale_country":
                        localeCountryAt = deviceDetailAt(v);
                        break;
                    case "ios_idfv":
                        iosIdfvAt = deviceDetailAt(v);
                        break;
                    case "android_uuid":
                        androidUuidAt = deviceDetailAt(v);
                        break;
                    default:
                        p.skipChildren();
                }
            }
        }

        /** {@code application_info}: {@code os}, and {@code application_version} leniently. */
        private void readApplicationInfo(JsonToken value) throws IOException {
            if (!objectOrNull(
                    value, "application_info", DeadLetterReason.APPLICATION_INFO_INVALID)) {
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("os")) {
                    batch.applicationOs =
                            blankToNull(
                                    scalarText(
                                            v,
                                            DeadLetterReason.APPLICATION_INFO_INVALID,
                                            "application_info.os"));
                } else if (name.equals("application_version")) {
                    applicationVersionAt = deviceDetailAt(v);
                } else {
                    p.skipChildren();
                }
            }
        }

        /** True at an object's start; false for null; a batch error for anything else. */
        private boolean objectOrNull(JsonToken value, String object, DeadLetterReason reason) {
            if (value == JsonToken.VALUE_NULL) {
                return false;
            }
            if (value != JsonToken.START_OBJECT) {
                throw new BatchError(
                        reason,
                        object
                                + ": expected an object, found "
                                + describe(value)
                                + at(p.currentLocation()));
            }
            return true;
        }

        /**
         * Where a device detail's value starts: a string or number; -1 for anything else (these
         * were never read before device attributes existed, so no value of them rejects a batch).
         */
        private int deviceDetailAt(JsonToken v) throws IOException {
            if (v != JsonToken.VALUE_STRING
                    && v != JsonToken.VALUE_NUMBER_INT
                    && v != JsonToken.VALUE_NUMBER_FLOAT) {
                p.skipChildren();
                return -1;
            }
            return tokenByteOffset();
        }

        /**
         * The device detail whose value starts at {@code offset}, trimmed, when it has 1 to {@value
         * MParticleBatch#MAX_DEVICE_DETAIL_CHARS} characters; else null.
         */
        private String deviceDetail(int offset) {
            if (offset < 0) {
                return null;
            }
            if (payload[offset] != '"') {
                // A number: its characters, as written (a root-level number must end the input
                // for Jackson, and here a comma or brace follows it).
                int end = offset;
                while (end < payload.length && "0123456789+-.eE".indexOf(payload[end]) >= 0) {
                    end++;
                }
                String number =
                        new String(payload, offset, end - offset, StandardCharsets.US_ASCII);
                return number.isEmpty() || number.length() > MParticleBatch.MAX_DEVICE_DETAIL_CHARS
                        ? null
                        : number;
            }
            try (JsonParser value =
                    Json.factory().createParser(payload, offset, payload.length - offset)) {
                if (value.nextToken() != JsonToken.VALUE_STRING) {
                    return null; // cannot happen: the offset is a string's opening quote
                }
                String text = Utf8.wellFormed(value.getText()).strip();
                return text.isEmpty() || text.length() > MParticleBatch.MAX_DEVICE_DETAIL_CHARS
                        ? null
                        : text;
            } catch (IOException e) {
                // Cannot happen either (the batch's pass read this value); a device attribute
                // is an extra, never a reason to fail the record or the job.
                return null;
            }
        }

        /**
         * The device the batch came from, for anonymous activity stitching: the vendor id on iOS
         * and tvOS, the Android id, else mParticle's device id (web, and apps whose batches carry
         * neither), prefixed with which it is. The OS identifiers come first: they survive a
         * reinstall (the Android id always, the vendor id while another app of the vendor stays),
         * where mParticle's own id is new. A value of zeros alone (an unavailable vendor id) is no
         * device.
         */
        private String deviceId() {
            String idfv = deviceIdentifier(iosIdfvAt);
            if (idfv != null) {
                return "ios_idfv:" + idfv;
            }
            String androidUuid = deviceIdentifier(androidUuidAt);
            if (androidUuid != null) {
                return "android_uuid:" + androidUuid;
            }
            String mpDeviceId = deviceIdentifier(mpDeviceIdAt);
            return mpDeviceId != null ? "mp_deviceid:" + mpDeviceId : null;
        }

        private String deviceIdentifier(int offset) {
            String value = deviceDetail(offset);
            if (value == null) {
                return null;
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c != '0' && c != '-') {
                    return value.toLowerCase(java.util.Locale.ROOT);
                }
            }
            return null;
        }

        private static String blankToNull(String text) {
            return text == null || text.isBlank() ? null : text;
        }

        private void readEvents(JsonToken value) throws IOException {
            if (value == JsonToken.VALUE_NULL) {
                return;
            }
            if (value != JsonToken.START_ARRAY) {
                throw new BatchError(
                        DeadLetterReason.EVENTS_INVALID,
                        "events: expected an array, found "
                                + describe(value)
                                + at(p.currentLocation()));
            }
            int position = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                readEvent(t, position++);
            }
        }

        /** Everything an event may carry; which parts count depends on its type. */
        private static final class EventFields {
            String type;
            String eventName;
            String screenName;
            long timestampMs = MParticleEvent.NO_TIME;
            String sourceMessageId;
            String eventId;
            Attributes attributes;
            Boolean optedOut;
            boolean firstRun;
            String activityType;
            String newIdentityType;
            String newIdentity;
            String newError;
            Boolean register;
            String registrationToken;
            CommerceData commerce;
            String error;
        }

        /**
         * Counts a malformed event; only the first few are described, so a record of millions of
         * broken events costs a counter, not millions of objects.
         */
        private void rejectEvent(EventRejection rejection) {
            eventRejectionCount++;
            if (eventRejections.size() < ParseResult.MAX_DESCRIBED_EVENT_REJECTIONS) {
                eventRejections.add(rejection);
            }
        }

        private void readEvent(JsonToken token, int position) throws IOException {
            String where = "events[" + position + "]";
            if (token != JsonToken.START_OBJECT) {
                p.skipChildren();
                rejectEvent(
                        new EventRejection(
                                DeadLetterReason.EVENT_INVALID,
                                where + ": expected an object, found " + describe(token),
                                position));
                return;
            }
            eventStart = tokenByteOffset();
            EventFields f = new EventFields();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("event_type")) {
                    f.type = eventText(v, f, where + ".event_type");
                } else if (name.equals("data")) {
                    readEventData(v, f, where + ".data");
                } else {
                    p.skipChildren();
                }
            }
            if (f.error == null && f.type == null) {
                f.error = where + ".event_type: missing";
            }
            if (f.error != null) {
                rejectEvent(new EventRejection(DeadLetterReason.EVENT_INVALID, f.error, position));
                return;
            }
            if (f.type.equals("user_identity_change") && f.newError != null) {
                rejectEvent(
                        new EventRejection(DeadLetterReason.EVENT_INVALID, f.newError, position));
                return;
            }
            if (f.timestampMs != MParticleEvent.NO_TIME) {
                if (eventTimeCount == eventTimes.length) {
                    eventTimes = java.util.Arrays.copyOf(eventTimes, eventTimeCount * 2);
                }
                eventTimes[eventTimeCount++] = f.timestampMs;
            }
            switch (f.type) {
                case "custom_event":
                    if (f.eventName == null) {
                        rejectEvent(
                                new EventRejection(
                                        DeadLetterReason.EVENT_INVALID,
                                        where + ".data.event_name: missing",
                                        position));
                        return;
                    }
                    addEvent(f, EventKind.CUSTOM_EVENT, position);
                    break;
                case "screen_view":
                    // screen_name is optional in mParticle's reference: the rules decide.
                    addEvent(f, EventKind.SCREEN_VIEW, position);
                    break;
                case "opt_out":
                    // is_opted_out is optional in mParticle's reference: the rules decide.
                    addEvent(f, EventKind.OPT_OUT, position);
                    break;
                case "application_state_transition":
                    if (f.firstRun) {
                        addEvent(f, EventKind.FIRST_RUN, position);
                    }
                    notForwarded.add(f.type);
                    break;
                case "first_run":
                    addEvent(f, EventKind.FIRST_RUN, position);
                    notForwarded.add(f.type);
                    break;
                case "push_registration":
                    addEvent(f, EventKind.PUSH_REGISTRATION, position);
                    notForwarded.add(f.type);
                    break;
                case "uninstall":
                    addEvent(f, EventKind.UNINSTALL, position);
                    notForwarded.add(f.type);
                    break;
                case "commerce_event":
                    // Every part is optional: the rules decide what an event without an action
                    // they know is (customerio.forward-commerce-events decides whether it counts).
                    addEvent(f, EventKind.COMMERCE_EVENT, position);
                    break;
                case "user_identity_change":
                    if (f.newIdentityType != null) {
                        addEvent(f, EventKind.IDENTITY_CHANGE, position);
                        rememberIdentityForKey(f);
                    }
                    notForwarded.add(f.type);
                    break;
                default:
                    notForwarded.add(f.type);
            }
        }

        private void addEvent(EventFields f, EventKind kind, int position) {
            MParticleEvent event = newEvent(f, kind, position);
            switch (kind) {
                case CUSTOM_EVENT:
                    event.name = f.eventName;
                    break;
                case SCREEN_VIEW:
                    event.name = f.screenName;
                    event.activityType = f.activityType;
                    break;
                case OPT_OUT:
                    event.optedOut = f.optedOut;
                    break;
                case PUSH_REGISTRATION:
                    event.pushRegister = f.register;
                    event.pushToken = f.registrationToken;
                    break;
                case COMMERCE_EVENT:
                    event.name = f.eventName;
                    event.commerce = f.commerce != null ? f.commerce : new CommerceData();
                    break;
                case IDENTITY_CHANGE:
                    event.identityType = f.newIdentityType;
                    event.identity =
                            f.newIdentity == null || f.newIdentity.isBlank()
                                    ? null
                                    : f.newIdentity.trim();
                    break;
                default:
                    break;
            }
            event.attributes = f.attributes != null ? f.attributes : new Attributes();
            // The parser stands on the event's closing brace: its bytes end after it.
            int index = batch.events.size();
            if (2 * index + 2 > eventRanges.length) {
                eventRanges = java.util.Arrays.copyOf(eventRanges, eventRanges.length * 2);
            }
            eventRanges[2 * index] = eventStart;
            eventRanges[2 * index + 1] = tokenByteOffset() + 1;
            batch.events.add(event);
        }

        private void rememberIdentityForKey(EventFields f) {
            if (f.newIdentity == null || f.newIdentity.isBlank()) {
                return;
            }
            if (f.newIdentityType.equalsIgnoreCase("customer_id")
                    || f.newIdentityType.equalsIgnoreCase("customerid")) {
                changedCustomerId = f.newIdentity.trim();
            } else if (f.newIdentityType.equalsIgnoreCase("email")) {
                changedEmail = f.newIdentity.trim();
            }
        }

        private MParticleEvent newEvent(EventFields f, EventKind kind, int position) {
            MParticleEvent event = new MParticleEvent();
            event.kind = kind;
            event.timestampMs = f.timestampMs;
            event.position = position;
            if (f.sourceMessageId != null && !f.sourceMessageId.isBlank()) {
                event.dedupKey = "smid:" + f.sourceMessageId;
            } else if (f.eventId != null && !f.eventId.isBlank()) {
                event.dedupKey = "eid:" + f.eventId;
            }
            return event;
        }

        private void readEventData(JsonToken value, EventFields f, String where)
                throws IOException {
            if (value == JsonToken.VALUE_NULL) {
                return;
            }
            if (value != JsonToken.START_OBJECT) {
                p.skipChildren();
                fail(f, where + ": expected an object, found " + describe(value));
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                String fieldWhere = where + "." + name;
                switch (name) {
                    case "event_name":
                        f.eventName = eventText(v, f, fieldWhere);
                        break;
                    case "screen_name":
                        f.screenName = eventText(v, f, fieldWhere);
                        break;
                    case "timestamp_unixtime_ms":
                        try {
                            f.timestampMs = readTime(v);
                        } catch (EventError e) {
                            if (f.error == null) {
                                f.error = fieldWhere + ": " + e.getMessage(); // has a location
                            }
                        }
                        break;
                    case "source_message_id":
                        f.sourceMessageId = eventText(v, f, fieldWhere);
                        break;
                    case "event_id":
                        f.eventId = eventText(v, f, fieldWhere);
                        break;
                    case "custom_attributes":
                        if (v == JsonToken.START_OBJECT) {
                            f.attributes = Attributes.withCapacity(8);
                            readAttributeObject(f.attributes, false);
                        } else if (v != JsonToken.VALUE_NULL) {
                            p.skipChildren();
                            fail(f, fieldWhere + ": expected an object, found " + describe(v));
                        }
                        break;
                    case "is_opted_out":
                        f.optedOut = eventBoolean(v, f, fieldWhere);
                        break;
                    case "is_first_run":
                        f.firstRun = Boolean.TRUE.equals(eventBoolean(v, f, fieldWhere));
                        break;
                    case "new":
                        readNewIdentity(v, f, fieldWhere);
                        break;
                    case "activity_type":
                        if (v == JsonToken.VALUE_STRING) {
                            f.activityType = text();
                        } else {
                            p.skipChildren();
                        }
                        break;
                    case "register":
                        // push_registration's: read leniently, so that no event of any type
                        // that was accepted before push devices existed is refused now; the
                        // rules count a registration they cannot use.
                        f.register = lenientBoolean(v);
                        break;
                    case "registration_token":
                        f.registrationToken = v == JsonToken.VALUE_STRING ? text() : null;
                        p.skipChildren();
                        break;
                    case "product_action":
                        readProductAction(v, commerce(f));
                        break;
                    case "promotion_action":
                        readPromotionAction(v, commerce(f));
                        break;
                    case "product_impressions":
                        readImpressions(v, commerce(f));
                        break;
                    case "currency_code":
                        commerce(f).currencyCode = lenientText(v);
                        break;
                    default:
                        p.skipChildren();
                }
            }
        }

        // Commerce parts were never read before commerce events were forwarded: they are read
        // leniently, so no event of any type that was accepted then is refused now. A value of
        // another shape than the reference's is left out.

        private static CommerceData commerce(EventFields f) {
            if (f.commerce == null) {
                f.commerce = new CommerceData();
            }
            return f.commerce;
        }

        private void readProductAction(JsonToken value, CommerceData c) throws IOException {
            if (value != JsonToken.START_OBJECT) {
                p.skipChildren();
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("action")) {
                    c.productAction = lenientText(v);
                } else if (name.equals("products")) {
                    readProducts(v, c, c.products);
                } else if (PRODUCT_ACTION_FIELDS.contains(name)) {
                    readScalar(v, name, c.actionFields);
                } else {
                    p.skipChildren();
                }
            }
        }

        private void readPromotionAction(JsonToken value, CommerceData c) throws IOException {
            if (value != JsonToken.START_OBJECT) {
                p.skipChildren();
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("action")) {
                    c.promotionAction = lenientText(v);
                } else if (name.equals("promotions") && v == JsonToken.START_ARRAY) {
                    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                        Attributes promotion = readObjectFields(t, PROMOTION_FIELDS, false);
                        if (promotion != null) {
                            c.promotions.add(promotion);
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        }

        private void readImpressions(JsonToken value, CommerceData c) throws IOException {
            if (value != JsonToken.START_ARRAY) {
                p.skipChildren();
                return;
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t != JsonToken.START_OBJECT) {
                    p.skipChildren();
                    continue;
                }
                ProductImpression impression = new ProductImpression();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken v = p.nextToken();
                    if (name.equals("product_impression_list")) {
                        impression.list = lenientText(v);
                    } else if (name.equals("products")) {
                        readProducts(v, c, impression.products);
                    } else {
                        p.skipChildren();
                    }
                }
                if (impression.list != null || !impression.products.isEmpty()) {
                    c.impressions.add(impression);
                }
            }
        }

        /** Products into {@code into}, up to {@link CommerceData#MAX_PRODUCTS} in the event. */
        private void readProducts(JsonToken value, CommerceData c, List<Attributes> into)
                throws IOException {
            if (value != JsonToken.START_ARRAY) {
                p.skipChildren();
                return;
            }
            int kept = c.productCount();
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (kept >= CommerceData.MAX_PRODUCTS) {
                    if (t == JsonToken.START_OBJECT) {
                        c.productsNotKept++;
                    }
                    p.skipChildren();
                    continue;
                }
                Attributes product = readObjectFields(t, PRODUCT_FIELDS, true);
                if (product != null) {
                    into.add(product);
                    kept++;
                }
            }
        }

        /**
         * The {@code known} scalar fields of an object (and, for a product, its {@code
         * custom_attributes} object as JSON); null when the value is not an object or holds none of
         * them.
         */
        private Attributes readObjectFields(JsonToken value, Set<String> known, boolean product)
                throws IOException {
            if (value != JsonToken.START_OBJECT) {
                p.skipChildren();
                return null;
            }
            Attributes fields = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (known.contains(name)) {
                    if (fields == null) {
                        fields = Attributes.withCapacity(known.size());
                    }
                    readScalar(v, name, fields);
                } else if (product
                        && (name.equals("custom_attributes") || name.equals("attributes"))
                        && v == JsonToken.START_OBJECT) {
                    String json = copyStructure();
                    if (fields == null) {
                        fields = Attributes.withCapacity(known.size() + 1);
                    }
                    // Both spellings in one product: the first one stands.
                    if (!json.equals("{}") && !fields.names.contains("custom_attributes")) {
                        fields.add("custom_attributes", ValueType.JSON, json);
                    }
                } else {
                    p.skipChildren();
                }
            }
            return fields == null || fields.size() == 0 ? null : fields;
        }

        /** A scalar with its JSON type into {@code into}; a null or a structure is left out. */
        private void readScalar(JsonToken v, String name, Attributes into) throws IOException {
            switch (v) {
                case VALUE_STRING:
                    into.add(name, ValueType.STRING, text());
                    break;
                case VALUE_NUMBER_INT:
                case VALUE_NUMBER_FLOAT:
                    into.add(name, ValueType.NUMBER, p.getText());
                    break;
                case VALUE_TRUE:
                case VALUE_FALSE:
                    into.add(name, ValueType.BOOLEAN, v == JsonToken.VALUE_TRUE ? "true" : "false");
                    break;
                default:
                    p.skipChildren();
            }
        }

        /** A string as well-formed text; null for anything else (skipped). */
        private String lenientText(JsonToken v) throws IOException {
            if (v == JsonToken.VALUE_STRING) {
                return text();
            }
            p.skipChildren();
            return null;
        }

        private void readNewIdentity(JsonToken value, EventFields f, String where)
                throws IOException {
            if (value != JsonToken.START_OBJECT) {
                // user_attribute_change sends its new value here (a string, a number, a list...);
                // only a user_identity_change needs an object, checked once its type is known.
                if (value != JsonToken.VALUE_NULL) {
                    f.newError =
                            where
                                    + ": expected an object, found "
                                    + describe(value)
                                    + at(p.currentLocation());
                }
                p.skipChildren();
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("identity_type")) {
                    f.newIdentityType = identityText(v, f, where + ".identity_type");
                } else if (name.equals("identity")) {
                    f.newIdentity = identityText(v, f, where + ".identity");
                } else {
                    p.skipChildren();
                }
            }
        }

        /** Like {@link #eventText}, but a wrong type only matters to a user_identity_change. */
        private String identityText(JsonToken v, EventFields f, String where) throws IOException {
            switch (v) {
                case VALUE_STRING:
                case VALUE_NUMBER_INT:
                    return text();
                case VALUE_NULL:
                    return null;
                default:
                    if (f.newError == null) {
                        f.newError =
                                where
                                        + ": expected a string, found "
                                        + describe(v)
                                        + at(p.currentLocation());
                    }
                    p.skipChildren();
                    return null;
            }
        }

        /** A string (or number, kept as its text) inside an event; a wrong type fails the event. */
        private String eventText(JsonToken v, EventFields f, String where) throws IOException {
            switch (v) {
                case VALUE_STRING:
                case VALUE_NUMBER_INT:
                    return text();
                case VALUE_NULL:
                    return null;
                default:
                    p.skipChildren();
                    fail(f, where + ": expected a string, found " + describe(v));
                    return null;
            }
        }

        private Boolean eventBoolean(JsonToken v, EventFields f, String where) throws IOException {
            switch (v) {
                case VALUE_TRUE:
                    return Boolean.TRUE;
                case VALUE_FALSE:
                    return Boolean.FALSE;
                case VALUE_NULL:
                    return null;
                case VALUE_STRING:
                    String text = p.getText().trim();
                    if (text.equalsIgnoreCase("true")) {
                        return Boolean.TRUE;
                    }
                    if (text.equalsIgnoreCase("false")) {
                        return Boolean.FALSE;
                    }
                    fail(f, where + ": expected a boolean, found a string that is not one");
                    return null;
                default:
                    p.skipChildren();
                    fail(f, where + ": expected a boolean, found " + describe(v));
                    return null;
            }
        }

        /** A boolean or a boolean string; null for anything else (skipped). */
        private Boolean lenientBoolean(JsonToken v) throws IOException {
            switch (v) {
                case VALUE_TRUE:
                    return Boolean.TRUE;
                case VALUE_FALSE:
                    return Boolean.FALSE;
                case VALUE_STRING:
                    String text = p.getText().trim();
                    if (text.equalsIgnoreCase("true")) {
                        return Boolean.TRUE;
                    }
                    return text.equalsIgnoreCase("false") ? Boolean.FALSE : null;
                default:
                    p.skipChildren();
                    return null;
            }
        }

        private void fail(EventFields f, String detail) {
            if (f.error == null) {
                f.error = detail + at(p.currentLocation());
            }
        }

        /** A scalar as text; a structure is a batch-level error of {@code reason}. */
        private String scalarText(JsonToken v, DeadLetterReason reason, String where)
                throws IOException {
            switch (v) {
                case VALUE_STRING:
                case VALUE_NUMBER_INT:
                case VALUE_NUMBER_FLOAT:
                case VALUE_TRUE:
                case VALUE_FALSE:
                    return text();
                case VALUE_NULL:
                    return null;
                default:
                    throw new BatchError(
                            reason,
                            where
                                    + ": expected a string, found "
                                    + describe(v)
                                    + at(p.currentLocation()));
            }
        }

        /** The current string or scalar as well-formed text (see {@link Utf8#wellFormed}). */
        private String text() throws IOException {
            return Utf8.wellFormed(p.getText());
        }

        private static String describe(JsonToken token) {
            switch (token) {
                case START_OBJECT:
                    return "an object";
                case START_ARRAY:
                    return "an array";
                case VALUE_STRING:
                    return "a string";
                case VALUE_NUMBER_INT:
                    return "an integer";
                case VALUE_NUMBER_FLOAT:
                    return "a decimal number";
                case VALUE_TRUE:
                case VALUE_FALSE:
                    return "a boolean";
                case VALUE_NULL:
                    return "null";
                default:
                    return token.name().toLowerCase(Locale.ROOT);
            }
        }
    }
}

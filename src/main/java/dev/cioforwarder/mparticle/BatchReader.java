package dev.cioforwarder.mparticle;

import static dev.cioforwarder.mparticle.ParseFailures.expected;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.cioforwarder.deadletter.DeadLetterReason;
import java.io.IOException;

/**
 * Reads one record's batch object, field by field, into {@link MParticleBatch}: the user (MPID,
 * identities, attributes), its time and id here, the device through {@link DeviceReader} and the
 * events through {@link EventReader}; then gives every event without an id of its own a stable one.
 * One instance per record.
 */
final class BatchReader {

    private final JsonCursor cursor;
    private final JsonParser p;
    private final long recordTimestampMs;
    private final MParticleBatch batch = new MParticleBatch();
    private final DeviceReader device;
    private final EventReader events;
    private boolean hasBatchTime;
    private String fallbackBatchId;

    /**
     * @param recordTimestampMs the Kafka record time, used when the batch carries no time
     * @param readDeviceIds whether to keep the batch's device identifier
     */
    BatchReader(JsonCursor cursor, long recordTimestampMs, boolean readDeviceIds) {
        this.cursor = cursor;
        this.p = cursor.p;
        this.recordTimestampMs = recordTimestampMs;
        this.device = new DeviceReader(cursor, batch, readDeviceIds);
        this.events = new EventReader(cursor, batch);
    }

    /**
     * The whole record; a {@link ParseFailures.BatchError} when it is not a usable batch.
     *
     * @throws IOException when Jackson cannot read the JSON
     */
    ParseResult readBatch() throws IOException {
        JsonToken first = p.nextToken();
        if (first == null) {
            throw new ParseFailures.BatchError(
                    DeadLetterReason.INVALID_JSON, "the record is blank");
        }
        if (first != JsonToken.START_OBJECT) {
            throw new ParseFailures.BatchError(
                    DeadLetterReason.NOT_AN_OBJECT,
                    "the batch must be a JSON object, found " + ParseFailures.describe(first));
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
                    batch.batchId = cursor.scalarText(value, DeadLetterReason.INVALID_JSON, field);
                    break;
                case "source_request_id":
                case "message_id":
                case "unique_id":
                    if (fallbackBatchId == null) {
                        fallbackBatchId =
                                cursor.scalarText(value, DeadLetterReason.INVALID_JSON, field);
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
                    device.readDeviceInfo(value);
                    break;
                case "application_info":
                    device.readApplicationInfo(value);
                    break;
                case "environment":
                    // Read leniently: it was never read before the setting existed. Compared in
                    // the parser's buffer: most batches carry it, and a string for each would
                    // cost every batch.
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
                    events.readEvents(value);
                    break;
                case "mp_deviceid":
                    device.readMpDeviceId(value);
                    break;
                default:
                    // Unknown and unused parts are still read through, so a syntax error
                    // anywhere in the record rejects it.
                    p.skipChildren();
            }
        }
        if (p.nextToken() != null) {
            throw new ParseFailures.BatchError(
                    DeadLetterReason.INVALID_JSON,
                    "unexpected content after the batch object" + cursor.here());
        }
        return finish();
    }

    private ParseResult finish() {
        device.finish();
        if (!hasBatchTime) {
            batch.timestampMs = recordTimestampMs;
            batch.timestampFromRecord = true;
        }
        if (batch.batchId == null) {
            batch.batchId = fallbackBatchId;
        }
        batch.eventTimesMs = events.eventTimes();
        String customerId =
                batch.customerId != null ? batch.customerId : events.changedCustomerId();
        String email = batch.email != null ? batch.email : events.changedEmail();
        batch.userKey = MParticleBatch.userKey(batch.hasMpid, batch.mpid, customerId, email);
        for (int i = 0; i < batch.events.size(); i++) {
            MParticleEvent event = batch.events.get(i);
            if (event.dedupKey == null) {
                // No SDK id: the batch id (else the batch's own time) and the position identify
                // it, and they are stable across replays of the same record. Never the Kafka
                // record time: a replayed record has a new one, and its events would get new ids
                // and reach Customer.io twice. Without either, the event's own bytes (and
                // position) identify it: a replay has the same bytes.
                event.dedupKey =
                        batch.batchId != null || hasBatchTime
                                ? "batch:"
                                        + (batch.batchId != null
                                                ? batch.batchId
                                                : batch.timestampMs)
                                        + "#"
                                        + event.position
                                : "content:" + events.contentHash(i) + "#" + event.position;
            }
        }
        return ParseResult.accepted(
                batch, events.rejections(), events.rejectionCount(), events.notForwarded());
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

    private void readMpid(JsonToken value) throws IOException {
        switch (value) {
            case VALUE_NULL:
                return;
            case VALUE_NUMBER_INT:
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw new ParseFailures.BatchError(
                            DeadLetterReason.MPID_INVALID,
                            "mpid: outside the signed 64-bit range" + cursor.here());
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
                    batch.mpid = JsonCursor.parseAsciiLong(text);
                    batch.hasMpid = true;
                } catch (NumberFormatException e) {
                    throw new ParseFailures.BatchError(
                            DeadLetterReason.MPID_INVALID,
                            "mpid: the string is not a signed 64-bit integer" + cursor.here());
                }
                return;
            default:
                throw new ParseFailures.BatchError(
                        DeadLetterReason.MPID_INVALID,
                        expected(
                                "mpid",
                                "an integer or a string of digits",
                                value,
                                p.currentLocation()));
        }
    }

    private void readBatchTime(JsonToken value) throws IOException {
        try {
            long time = cursor.readTime(value, "timestamp_unixtime_ms");
            if (time != MParticleEvent.NO_TIME) {
                batch.timestampMs = time;
                hasBatchTime = true;
            }
        } catch (ParseFailures.EventError e) {
            throw new ParseFailures.BatchError(DeadLetterReason.TIMESTAMP_INVALID, e.getMessage());
        }
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
                        throw new ParseFailures.BatchError(
                                DeadLetterReason.USER_IDENTITIES_INVALID,
                                expected(
                                        "user_identities[" + index + "]",
                                        "an object",
                                        t,
                                        p.currentLocation()));
                    }
                    String type = null;
                    String identity = null;
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        JsonToken v = p.nextToken();
                        if (name.equals("identity_type")) {
                            type =
                                    cursor.scalarText(
                                            v,
                                            DeadLetterReason.USER_IDENTITIES_INVALID,
                                            "user_identities[" + index + "].identity_type");
                        } else if (name.equals("identity")) {
                            identity =
                                    cursor.scalarText(
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
                            cursor.scalarText(
                                    v,
                                    DeadLetterReason.USER_IDENTITIES_INVALID,
                                    "user_identities."
                                            + (KnownFields.IDENTITY_TYPES.contains(type)
                                                    ? type
                                                    : "(a member)")));
                }
                return;
            default:
                throw new ParseFailures.BatchError(
                        DeadLetterReason.USER_IDENTITIES_INVALID,
                        expected(
                                "user_identities",
                                "an array or an object",
                                value,
                                p.currentLocation()));
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
            throw new ParseFailures.BatchError(
                    DeadLetterReason.USER_ATTRIBUTES_INVALID,
                    expected("user_attributes", "an object", value, p.currentLocation()));
        }
        cursor.readAttributeObject(batch.userAttributes, true);
    }

    private void readDeletedUserAttributes(JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return;
        }
        if (value != JsonToken.START_ARRAY) {
            throw new ParseFailures.BatchError(
                    DeadLetterReason.DELETED_USER_ATTRIBUTES_INVALID,
                    expected(
                            "deleted_user_attributes",
                            "an array of names",
                            value,
                            p.currentLocation()));
        }
        int index = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.VALUE_STRING) {
                throw new ParseFailures.BatchError(
                        DeadLetterReason.DELETED_USER_ATTRIBUTES_INVALID,
                        expected(
                                "deleted_user_attributes[" + index + "]",
                                "a string",
                                t,
                                p.currentLocation()));
            }
            batch.deletedUserAttributes.add(cursor.text());
            index++;
        }
    }
}

package dev.cioforwarder.mparticle;

import static dev.cioforwarder.mparticle.ParseFailures.expected;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.json.Json;
import dev.cioforwarder.json.Utf8;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads what a batch says about its device: {@code device_info}, {@code application_info} and
 * {@code mp_deviceid}. The platform, OS and push token are read at once; the device details and
 * identifiers only as where their values start in the payload, and into strings in {@link #finish}
 * when the batch needs them: most batches carry device details, few a push token, and the strings
 * would cost every batch.
 */
final class DeviceReader {

    private final JsonCursor cursor;
    private final JsonParser p;
    private final MParticleBatch batch;
    private final boolean readDeviceIds;
    // Where each device detail's value starts in the payload (-1: none).
    private int osVersionAt = -1;
    private int deviceModelAt = -1;
    private int localeLanguageAt = -1;
    private int localeCountryAt = -1;
    private int applicationVersionAt = -1;
    // Where the device identifiers start (-1: none), read only with readDeviceIds.
    private int iosIdfvAt = -1;
    private int androidUuidAt = -1;
    private int mpDeviceIdAt = -1;

    /**
     * @param readDeviceIds whether {@link #finish} keeps the batch's device identifier
     */
    DeviceReader(JsonCursor cursor, MParticleBatch batch, boolean readDeviceIds) {
        this.cursor = cursor;
        this.p = cursor.p;
        this.batch = batch;
        this.readDeviceIds = readDeviceIds;
    }

    /**
     * {@code device_info}: {@code platform}, and {@code push_token} as a string when it is one (it
     * was never read before push devices existed, so no other type rejects the batch).
     */
    void readDeviceInfo(JsonToken value) throws IOException {
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
                                    cursor.scalarText(
                                            v,
                                            DeadLetterReason.DEVICE_INFO_INVALID,
                                            "device_info.platform"));
                    break;
                case "push_token":
                    if (v == JsonToken.VALUE_STRING) {
                        batch.pushToken = blankToNull(cursor.text());
                    } else {
                        p.skipChildren();
                    }
                    break;
                case "os_version":
                    osVersionAt = detailAt(v);
                    break;
                case "device_model":
                    deviceModelAt = detailAt(v);
                    break;
                case "locale_language":
                    localeLanguageAt = detailAt(v);
                    break;
                case "locale_country":
                    localeCountryAt = detailAt(v);
                    break;
                case "ios_idfv":
                    iosIdfvAt = detailAt(v);
                    break;
                case "android_uuid":
                    androidUuidAt = detailAt(v);
                    break;
                default:
                    p.skipChildren();
            }
        }
    }

    /** {@code application_info}: {@code os}, and {@code application_version} leniently. */
    void readApplicationInfo(JsonToken value) throws IOException {
        if (!objectOrNull(value, "application_info", DeadLetterReason.APPLICATION_INFO_INVALID)) {
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("os")) {
                batch.applicationOs =
                        blankToNull(
                                cursor.scalarText(
                                        v,
                                        DeadLetterReason.APPLICATION_INFO_INVALID,
                                        "application_info.os"));
            } else if (name.equals("application_version")) {
                applicationVersionAt = detailAt(v);
            } else {
                p.skipChildren();
            }
        }
    }

    /** The batch's {@code mp_deviceid}, read leniently like the other identifiers. */
    void readMpDeviceId(JsonToken value) throws IOException {
        mpDeviceIdAt = detailAt(value);
    }

    /**
     * Once every event is read: the device details into strings when the batch says something about
     * a push token, and the device identifier when it is wanted.
     */
    void finish() {
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

    /** True at an object's start; false for null; a batch error for anything else. */
    private boolean objectOrNull(JsonToken value, String object, DeadLetterReason reason) {
        if (value == JsonToken.VALUE_NULL) {
            return false;
        }
        if (value != JsonToken.START_OBJECT) {
            throw new ParseFailures.BatchError(
                    reason, expected(object, "an object", value, p.currentLocation()));
        }
        return true;
    }

    /**
     * Where a device detail's value starts: a string or number; -1 for anything else (these were
     * never read before device attributes existed, so no value of them rejects a batch).
     */
    private int detailAt(JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_STRING
                && v != JsonToken.VALUE_NUMBER_INT
                && v != JsonToken.VALUE_NUMBER_FLOAT) {
            p.skipChildren();
            return -1;
        }
        return cursor.tokenByteOffset();
    }

    /**
     * The device detail whose value starts at {@code offset}, trimmed, when it has 1 to {@value
     * MParticleBatch#MAX_DEVICE_DETAIL_CHARS} characters; else null.
     */
    private String deviceDetail(int offset) {
        if (offset < 0) {
            return null;
        }
        byte[] payload = cursor.payload;
        if (payload[offset] != '"') {
            // A number: its characters, as written (a root-level number must end the input
            // for Jackson, and here a comma or brace follows it).
            int end = offset;
            while (end < payload.length && "0123456789+-.eE".indexOf(payload[end]) >= 0) {
                end++;
            }
            String number = new String(payload, offset, end - offset, StandardCharsets.US_ASCII);
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
     * The device the batch came from, for anonymous activity stitching: the vendor id on iOS and
     * tvOS, the Android id, else mParticle's device id (web, and apps whose batches carry neither),
     * prefixed with which it is. The OS identifiers come first: they survive a reinstall (the
     * Android id always, the vendor id while another app of the vendor stays), where mParticle's
     * own id is new. A value of zeros alone (an unavailable vendor id) is no device.
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
                return value.toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}

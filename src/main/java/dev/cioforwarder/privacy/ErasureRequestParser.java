package dev.cioforwarder.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.json.Json;
import dev.cioforwarder.json.Utf8;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * Reads one erasure request record. Accepted shapes:
 *
 * <ul>
 *   <li>the forwarder's own: {@code {"request_id":..., "mpid":..., "customer_id":..., "email":...,
 *       "time_ms":...}} (MPID as a number or a string; at least one of MPID, customer_id, email);
 *   <li>mParticle's data subject request (OpenDSR, as mParticle's DSR API takes it and forwards
 *       it): {@code {"subject_request_id":..., "subject_request_type":"erasure",
 *       "submitted_time":"<ISO-8601>", "subject_identities": ...}} where {@code subject_identities}
 *       is OpenDSR's array of {@code {"identity_type", "identity_value", "identity_format"}} or DSR
 *       API v3's object of {@code {"<type>": {"value", "encoding"}}}; {@code email} and {@code
 *       controller_customer_id} (or {@code customer_id}) are read, and the MPID in {@code
 *       extensions."opendsr.mparticle.com".subject_identities.mpid.value} (DSR API v3) or its
 *       {@code mpids} array (v2). {@code subject_request_type} must say {@code erasure}: a request
 *       that does not say what it is deletes nobody. Hashed identities (a format other than {@code
 *       raw}) cannot address anybody and are ignored.
 * </ul>
 *
 * A request naming several MPIDs becomes one request per MPID, sharing the request id. Never
 * throws: a record that is none of these is refused with a reason (never quoting its values).
 */
public final class ErasureRequestParser {

    /** The requests the record holds (one per MPID), or why the record is not a request. */
    public record Result(List<ErasureRequest> requests, String problem) {
        static Result refused(String problem) {
            return new Result(List.of(), problem);
        }

        /** The first request, or null when the record was refused. */
        public ErasureRequest request() {
            return requests.isEmpty() ? null : requests.get(0);
        }
    }

    private static final String MPARTICLE_EXTENSION = "opendsr.mparticle.com";

    public Result parse(byte[] value, long recordTimeMs) {
        if (value == null || value.length == 0) {
            return Result.refused("the record has no value");
        }
        if (Utf8.firstInvalidByte(value) >= 0) {
            return Result.refused("the record is not valid UTF-8");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(value);
        } catch (Exception e) {
            return Result.refused("the record is not JSON");
        }
        if (root == null || !root.isObject()) {
            return Result.refused("an erasure request must be a JSON object");
        }
        ErasureRequest r = new ErasureRequest();
        r.timeMs = recordTimeMs;
        List<String> mpids = new ArrayList<>();
        if (root.has("subject_request_id") || root.has("subject_identities")) {
            String problem = readSubjectRequest(root, r, mpids);
            if (problem != null) {
                return Result.refused(problem);
            }
        } else {
            r.requestId = text(root.get("request_id"));
            r.email = text(root.get("email"));
            r.customerId = text(root.get("customer_id"));
            String mpid = text(root.get("mpid"));
            if (mpid != null) {
                mpids.add(mpid);
            }
            JsonNode time = root.get("time_ms");
            if (time != null && !time.isNull()) {
                if (!time.canConvertToLong() && !time.asText().matches("\\d{1,18}")) {
                    return Result.refused("time_ms is not a number of milliseconds");
                }
                r.timeMs = time.canConvertToLong() ? time.asLong() : Long.parseLong(time.asText());
            }
        }
        if (r.requestId == null) {
            return Result.refused("the request has no id");
        }
        List<Long> parsedMpids = new ArrayList<>();
        for (String mpid : mpids) {
            if (!mpid.matches("-?\\d{1,19}")) {
                return Result.refused("the MPID is not a 64-bit integer");
            }
            try {
                parsedMpids.add(Long.parseLong(mpid));
            } catch (NumberFormatException e) {
                return Result.refused("the MPID is not a 64-bit integer");
            }
        }
        if (parsedMpids.isEmpty() && r.customerId == null && r.email == null) {
            return Result.refused("the request names no MPID, customer_id or email");
        }
        if (parsedMpids.isEmpty()) {
            return new Result(List.of(r), null);
        }
        List<ErasureRequest> requests = new ArrayList<>(parsedMpids.size());
        for (long mpid : new LinkedHashSet<>(parsedMpids)) {
            ErasureRequest one = r.copy();
            one.hasMpid = true;
            one.mpid = mpid;
            requests.add(one);
        }
        return new Result(requests, null);
    }

    /** Reads an OpenDSR / DSR API request into {@code r}; returns why it is refused, or null. */
    private static String readSubjectRequest(JsonNode root, ErasureRequest r, List<String> mpids) {
        // Never assumed: deleting a person is not what a request that does not say so means.
        JsonNode typeNode = root.get("subject_request_type");
        if (typeNode == null || typeNode.isNull() || text(typeNode) == null) {
            return "subject_request_type is missing; only erasure requests are applied";
        }
        if (!text(typeNode).equalsIgnoreCase("erasure")) {
            return "subject_request_type is not erasure";
        }
        r.requestId = text(root.get("subject_request_id"));
        readIdentities(root.path("subject_identities"), r, mpids);
        JsonNode extension = root.path("extensions").path(MPARTICLE_EXTENSION);
        // DSR API v3 names the MPID in the extension's own subject_identities ({"mpid": {"value":
        // ...}}); v2 listed MPIDs in the extension's mpids array. Both are read.
        readIdentities(extension.path("subject_identities"), r, mpids);
        for (JsonNode mpid : extension.path("mpids")) {
            String text = text(mpid);
            if (text != null) {
                mpids.add(text);
            }
        }
        String submitted = text(root.get("submitted_time"));
        if (submitted != null) {
            try {
                r.timeMs = Instant.parse(submitted).toEpochMilli();
            } catch (DateTimeParseException e) {
                return "submitted_time is not an ISO-8601 instant";
            }
        }
        return null;
    }

    /**
     * OpenDSR's array ({@code [{"identity_type", "identity_value", "identity_format"}]}) or DSR API
     * v3's object ({@code {"<type>": {"value", "encoding"}}}).
     */
    private static void readIdentities(JsonNode identities, ErasureRequest r, List<String> mpids) {
        if (identities.isArray()) {
            for (JsonNode identity : identities) {
                if (isRaw(identity.path("identity_format"))) {
                    take(r, mpids, identity.path("identity_type").asText(""), identity);
                }
            }
        } else if (identities.isObject()) {
            var fields = identities.fields();
            while (fields.hasNext()) {
                var field = fields.next();
                if (isRaw(field.getValue().path("encoding"))) {
                    take(r, mpids, field.getKey(), field.getValue());
                }
            }
        }
    }

    /** Formats and encodings other than raw are hashes: nothing Customer.io can find anybody by. */
    private static boolean isRaw(JsonNode format) {
        return format.isMissingNode() || format.isNull() || format.asText().equalsIgnoreCase("raw");
    }

    private static void take(ErasureRequest r, List<String> mpids, String type, JsonNode identity) {
        JsonNode valueNode =
                identity.has("identity_value")
                        ? identity.get("identity_value")
                        : identity.get("value");
        String value = text(valueNode);
        if (value == null) {
            return;
        }
        switch (type.toLowerCase(Locale.ROOT)) {
            case "email":
                r.email = value;
                break;
            case "controller_customer_id":
            case "customer_id":
                r.customerId = value;
                break;
            case "mparticle_id":
            case "mpid":
                mpids.add(value);
                break;
            default:
                // Advertising and device ids: not how Customer.io knows a person.
        }
    }

    private static String text(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode() || node.isContainerNode()) {
            return null;
        }
        String text = node.asText().trim();
        return text.isEmpty() ? null : text;
    }
}

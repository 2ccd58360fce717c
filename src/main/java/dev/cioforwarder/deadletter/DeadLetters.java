package dev.cioforwarder.deadletter;

import dev.cioforwarder.customerio.CustomerioOperation;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builds {@link DeadLetter}s for each stage. */
public final class DeadLetters {

    /**
     * Payloads are cut so that, as written into the dead letter (escaped text or base64), they take
     * at most this many bytes: a dead letter then always fits into a Kafka record under the default
     * 1 MB limit. The source coordinates still lead to the whole original.
     */
    public static final int MAX_PAYLOAD_BYTES = 900 * 1024;

    private DeadLetters() {}

    /** A Kafka record the parser refused. */
    public static DeadLetter forRecord(
            DeadLetterReason reason,
            String detail,
            byte[] value,
            String topic,
            int partition,
            long offset,
            String mpid,
            long nowMs) {
        DeadLetter d = base(reason, detail, nowMs);
        d.sourceTopic = topic;
        d.sourcePartition = partition;
        d.sourceOffset = offset;
        d.mpid = mpid;
        d.payloadKind = "record";
        setPayload(d, value == null ? new byte[0] : value);
        return d;
    }

    /** An event of a parsed batch that the rules refused, with its record's coordinates. */
    public static DeadLetter forEvent(
            DeadLetterReason reason,
            String detail,
            String eventJson,
            String topic,
            int partition,
            long offset,
            String mpid,
            long nowMs) {
        DeadLetter d = base(reason, detail, nowMs);
        d.sourceTopic = topic;
        d.sourcePartition = partition;
        d.sourceOffset = offset;
        d.mpid = mpid;
        d.payloadKind = "event";
        setPayload(d, eventJson.getBytes(StandardCharsets.UTF_8));
        return d;
    }

    /** An operation Customer.io refused, or that could not be delivered. */
    public static DeadLetter forOperation(
            DeadLetterReason reason,
            String detail,
            CustomerioOperation op,
            int responseStatus,
            String response,
            long nowMs) {
        DeadLetter d = base(reason, detail, nowMs);
        d.sourceTopic = op.sourceTopic;
        d.sourcePartition = op.sourcePartition;
        d.sourceOffset = op.sourceOffset;
        d.mpid = op.mpid;
        d.erasureRequestId = op.erasureRequestId;
        d.responseStatus = responseStatus;
        d.response = response;
        d.payloadKind = "operation";
        setPayload(d, op.body);
        return d;
    }

    private static DeadLetter base(DeadLetterReason reason, String detail, long nowMs) {
        DeadLetter d = new DeadLetter();
        d.reason = reason.code();
        d.stage = reason.stage().code();
        d.detail = detail;
        d.deadLetteredAtMs = nowMs;
        return d;
    }

    private static void setPayload(DeadLetter d, byte[] payload) {
        // Cutting by raw bytes is not enough: escaping can make text 6 times longer (control
        // characters), and a cut inside a character turns the rest into base64 (4/3).
        int keep = DeadLetterJson.fittingPrefix(payload, MAX_PAYLOAD_BYTES);
        if (keep < payload.length) {
            d.payload = Arrays.copyOf(payload, keep);
            d.payloadTruncated = true;
        } else {
            d.payload = payload;
        }
    }
}

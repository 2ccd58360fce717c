package dev.cioforwarder.deadletter;

/**
 * One record of the dead-letter topic: what was refused, why, at which stage, where it came from
 * and what Customer.io answered. A Flink POJO (it crosses operators into the exactly-once sink).
 */
public class DeadLetter {

    /** {@link DeadLetterReason#code()}. */
    public String reason;

    /** {@link DeadLetterReason.Stage#code()}. */
    public String stage;

    /** Where and what, in words. */
    public String detail;

    public String sourceTopic;
    public int sourcePartition = -1;
    public long sourceOffset = -1;

    /** The MPID when known. */
    public String mpid;

    /** Customer.io's HTTP status, for delivery dead letters; 0 otherwise. */
    public int responseStatus;

    /** Customer.io's answer for this operation (a 207 error entry, or a 400 body). */
    public String response;

    /**
     * What was refused: {@code record} (the original Kafka value), {@code event} (the rejected
     * event as JSON), or {@code operation} (the Customer.io operation body).
     */
    public String payloadKind;

    public byte[] payload;

    /** True when the payload was cut to fit into a Kafka record; the source offset has it all. */
    public boolean payloadTruncated;

    /** When the dead letter was made (ms). */
    public long deadLetteredAtMs;

    /** The erasure request a refused deletion belonged to, or null. */
    public String erasureRequestId;

    public DeadLetter() {}

    @Override
    public String toString() {
        return "DeadLetter{"
                + reason
                + " at "
                + stage
                + ", "
                + sourceTopic
                + "/"
                + sourcePartition
                + "@"
                + sourceOffset
                + ", mpid="
                + mpid
                + ", detail="
                + detail
                + '}';
    }
}

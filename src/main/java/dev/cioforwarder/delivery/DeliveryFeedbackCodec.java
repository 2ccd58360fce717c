package dev.cioforwarder.delivery;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.OperationKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The feedback topic's record value: a compact binary form of {@link DeliveryFeedback}. The topic
 * outlives job versions (a job restored from a savepoint reads what the one before wrote), so the
 * form is versioned and enums are written by name. There is one version so far; a later one must
 * append fields and keep reading this one. A record of a version this code does not know (written
 * by a newer job, then rolled back) is refused, and becomes a dead letter.
 */
public final class DeliveryFeedbackCodec {

    /** The first byte of every record. */
    static final byte VERSION = 1;

    private DeliveryFeedbackCodec() {}

    public static byte[] encode(DeliveryFeedback f) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + bodyLength(f));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            writeString(out, f.kind.name());
            writeString(out, f.userKey);
            out.writeBoolean(f.accepted);
            writeString(out, f.reason);
            out.writeLong(f.atMs);
            writeOperation(out, f.operation);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * @throws IllegalArgumentException for a record this code cannot read (another version, or not
     *     a feedback record at all)
     */
    public static DeliveryFeedback decode(byte[] value) {
        if (value == null || value.length == 0) {
            throw new IllegalArgumentException("empty feedback record");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("feedback record of unknown version " + version);
            }
            DeliveryFeedback f = new DeliveryFeedback();
            f.kind = DeliveryFeedback.Kind.valueOf(readString(in));
            f.userKey = readString(in);
            f.accepted = in.readBoolean();
            f.reason = readString(in);
            f.atMs = in.readLong();
            f.operation = readOperation(in);
            return f;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("unreadable feedback record: " + e, e);
        }
    }

    private static int bodyLength(DeliveryFeedback f) {
        return f.operation == null || f.operation.body == null ? 0 : f.operation.body.length;
    }

    private static void writeOperation(DataOutputStream out, CustomerioOperation op)
            throws IOException {
        out.writeBoolean(op != null);
        if (op == null) {
            return;
        }
        writeString(out, op.userKey);
        writeString(out, op.kind == null ? null : op.kind.name());
        writeString(out, op.method);
        writeString(out, op.path);
        writeBytes(out, op.body);
        writeString(out, op.eventId);
        out.writeBoolean(op.lastInRequest);
        writeString(out, op.erasureRequestId);
        out.writeLong(op.eventTimeMs);
        writeString(out, op.mpid);
        writeString(out, op.sourceTopic);
        out.writeInt(op.sourcePartition);
        out.writeLong(op.sourceOffset);
        out.writeLong(op.seq);
        out.writeLong(op.episode);
        out.writeBoolean(op.ackRequested);
        out.writeBoolean(op.confirmRequired);
        out.writeInt(op.effects);
        writeString(out, op.effectDetail);
        out.writeLong(op.firstAttemptMs);
        out.writeInt(op.waits);
    }

    private static CustomerioOperation readOperation(DataInputStream in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        CustomerioOperation op = new CustomerioOperation();
        op.userKey = readString(in);
        String kind = readString(in);
        op.kind = kind == null ? null : OperationKind.valueOf(kind);
        op.method = readString(in);
        op.path = readString(in);
        op.body = readBytes(in);
        op.eventId = readString(in);
        op.lastInRequest = in.readBoolean();
        op.erasureRequestId = readString(in);
        op.eventTimeMs = in.readLong();
        op.mpid = readString(in);
        op.sourceTopic = readString(in);
        op.sourcePartition = in.readInt();
        op.sourceOffset = in.readLong();
        op.seq = in.readLong();
        op.episode = in.readLong();
        op.ackRequested = in.readBoolean();
        op.confirmRequired = in.readBoolean();
        op.effects = in.readInt();
        op.effectDetail = readString(in);
        op.firstAttemptMs = in.readLong();
        op.waits = in.readInt();
        return op;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        writeBytes(out, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] b = readBytes(in);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        if (length > in.available()) {
            // Checked before allocating: a damaged length must not ask for gigabytes.
            throw new IOException("a field of " + length + " bytes runs past the record");
        }
        byte[] b = new byte[length];
        in.readFully(b);
        return b;
    }
}

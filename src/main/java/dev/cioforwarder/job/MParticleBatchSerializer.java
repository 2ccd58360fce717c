package dev.cioforwarder.job;

import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.mparticle.CommerceData;
import dev.cioforwarder.mparticle.EventKind;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.mparticle.MParticleEvent;
import dev.cioforwarder.mparticle.ProductImpression;
import dev.cioforwarder.privacy.ErasureRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The parsed batch on the wire of the keyBy shuffle, written field by field in a fixed order.
 *
 * <p>Flink's POJO serializer took 19% of the TaskManager's CPU samples for this one type: it
 * reaches every field through reflection, wraps every list element in a null marker, and reads
 * every string char by char through a thread-local buffer whose look-up alone was 5%. The batch's
 * strings are almost all Latin-1 (names, ids, attribute values), so they travel here as one byte
 * per char and come back with one array copy; any other string travels as UTF-16 chars, so every
 * string comes back exactly (a lone surrogate too, which UTF-8 would replace).
 *
 * <p>The batch is never kept in state: these bytes live only in network buffers, and in a
 * checkpoint only when a user turns on unaligned checkpoints (then a restore reads the in-flight
 * batches back with the serializer its snapshot names). {@link MParticleBatchSerializerTest} pins
 * the format: changing it means a new snapshot version that still reads the old bytes.
 *
 * <p>Not thread-safe (it keeps its read buffers): {@link #duplicate()} gives each user its own.
 */
public final class MParticleBatchSerializer extends TypeSerializer<MParticleBatch> {
    private static final long serialVersionUID = 1L;

    private static final EventKind[] KINDS = EventKind.values();
    private static final int NO_KIND = 255;

    private transient byte[] latin1Buffer;
    private transient byte[] writeBuffer;
    private transient char[] charBuffer;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<MParticleBatch> duplicate() {
        return new MParticleBatchSerializer();
    }

    @Override
    public MParticleBatch createInstance() {
        return new MParticleBatch();
    }

    /**
     * A deep copy through the wire format. The job runs with object reuse, so Flink copies a batch
     * only when a user turns it off; correctness matters here, not speed.
     */
    @Override
    public MParticleBatch copy(MParticleBatch from) {
        if (from == null) {
            return null;
        }
        try {
            DataOutputSerializer out = new DataOutputSerializer(4096);
            serialize(from, out);
            return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new IllegalStateException("could not copy a parsed batch", e);
        }
    }

    @Override
    public MParticleBatch copy(MParticleBatch from, MParticleBatch reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(MParticleBatch batch, DataOutputView out) throws IOException {
        writeString(batch.userKey, out);
        out.writeBoolean(batch.hasMpid);
        out.writeLong(batch.mpid);
        out.writeLong(batch.timestampMs);
        out.writeBoolean(batch.timestampFromRecord);
        writeString(batch.batchId, out);
        writeString(batch.customerId, out);
        writeString(batch.email, out);
        writeAttributes(batch.userAttributes, out);
        writeStrings(batch.deletedUserAttributes, out);
        out.writeBoolean(batch.developmentEnvironment);
        writeString(batch.platform, out);
        writeString(batch.applicationOs, out);
        writeString(batch.pushToken, out);
        writeString(batch.osVersion, out);
        writeString(batch.deviceModel, out);
        writeString(batch.localeLanguage, out);
        writeString(batch.localeCountry, out);
        writeString(batch.applicationVersion, out);
        writeString(batch.deviceId, out);
        writeLongs(batch.eventTimesMs, out);
        if (batch.events == null) {
            writeCount(-1, out);
        } else {
            writeCount(batch.events.size(), out);
            for (MParticleEvent event : batch.events) {
                writeEvent(event, out);
            }
        }
        writeErasure(batch.erasure, out);
        writeString(batch.sourceTopic, out);
        out.writeInt(batch.sourcePartition);
        out.writeLong(batch.sourceOffset);
    }

    @Override
    public MParticleBatch deserialize(DataInputView in) throws IOException {
        MParticleBatch batch = new MParticleBatch();
        batch.userKey = readString(in);
        batch.hasMpid = in.readBoolean();
        batch.mpid = in.readLong();
        batch.timestampMs = in.readLong();
        batch.timestampFromRecord = in.readBoolean();
        batch.batchId = readString(in);
        batch.customerId = readString(in);
        batch.email = readString(in);
        batch.userAttributes = readAttributes(in);
        batch.deletedUserAttributes = readStrings(in);
        batch.developmentEnvironment = in.readBoolean();
        batch.platform = readString(in);
        batch.applicationOs = readString(in);
        batch.pushToken = readString(in);
        batch.osVersion = readString(in);
        batch.deviceModel = readString(in);
        batch.localeLanguage = readString(in);
        batch.localeCountry = readString(in);
        batch.applicationVersion = readString(in);
        batch.deviceId = readString(in);
        batch.eventTimesMs = readLongs(in);
        int events = readCount(in);
        if (events < 0) {
            batch.events = null;
        } else {
            batch.events = new ArrayList<>(events);
            for (int i = 0; i < events; i++) {
                batch.events.add(readEvent(in));
            }
        }
        batch.erasure = readErasure(in);
        batch.sourceTopic = readString(in);
        batch.sourcePartition = in.readInt();
        batch.sourceOffset = in.readLong();
        return batch;
    }

    @Override
    public MParticleBatch deserialize(MParticleBatch reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    private void writeEvent(MParticleEvent event, DataOutputView out) throws IOException {
        if (event == null) {
            out.writeBoolean(false);
            return;
        }
        out.writeBoolean(true);
        out.writeByte(event.kind == null ? NO_KIND : event.kind.ordinal());
        writeString(event.name, out);
        out.writeLong(event.timestampMs);
        writeString(event.dedupKey, out);
        writeAttributes(event.attributes, out);
        writeFlag(event.optedOut, out);
        writeString(event.activityType, out);
        writeString(event.identityType, out);
        writeString(event.identity, out);
        writeFlag(event.pushRegister, out);
        writeString(event.pushToken, out);
        writeCommerce(event.commerce, out);
        out.writeInt(event.position);
    }

    private MParticleEvent readEvent(DataInputView in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        MParticleEvent event = new MParticleEvent();
        int kind = in.readUnsignedByte();
        event.kind = kind == NO_KIND ? null : KINDS[kind];
        event.name = readString(in);
        event.timestampMs = in.readLong();
        event.dedupKey = readString(in);
        event.attributes = readAttributes(in);
        event.optedOut = readFlag(in);
        event.activityType = readString(in);
        event.identityType = readString(in);
        event.identity = readString(in);
        event.pushRegister = readFlag(in);
        event.pushToken = readString(in);
        event.commerce = readCommerce(in);
        event.position = in.readInt();
        return event;
    }

    private void writeCommerce(CommerceData commerce, DataOutputView out) throws IOException {
        if (commerce == null) {
            out.writeBoolean(false);
            return;
        }
        out.writeBoolean(true);
        writeString(commerce.productAction, out);
        writeAttributes(commerce.actionFields, out);
        writeAttributeLists(commerce.products, out);
        writeString(commerce.promotionAction, out);
        writeAttributeLists(commerce.promotions, out);
        if (commerce.impressions == null) {
            writeCount(-1, out);
        } else {
            writeCount(commerce.impressions.size(), out);
            for (ProductImpression impression : commerce.impressions) {
                if (impression == null) {
                    out.writeBoolean(false);
                } else {
                    out.writeBoolean(true);
                    writeString(impression.list, out);
                    writeAttributeLists(impression.products, out);
                }
            }
        }
        writeString(commerce.currencyCode, out);
        out.writeInt(commerce.productsNotKept);
    }

    private CommerceData readCommerce(DataInputView in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        CommerceData commerce = new CommerceData();
        commerce.productAction = readString(in);
        commerce.actionFields = readAttributes(in);
        commerce.products = readAttributeLists(in);
        commerce.promotionAction = readString(in);
        commerce.promotions = readAttributeLists(in);
        int impressions = readCount(in);
        if (impressions < 0) {
            commerce.impressions = null;
        } else {
            commerce.impressions = new ArrayList<>(impressions);
            for (int i = 0; i < impressions; i++) {
                if (!in.readBoolean()) {
                    commerce.impressions.add(null);
                    continue;
                }
                ProductImpression impression = new ProductImpression();
                impression.list = readString(in);
                impression.products = readAttributeLists(in);
                commerce.impressions.add(impression);
            }
        }
        commerce.currencyCode = readString(in);
        commerce.productsNotKept = in.readInt();
        return commerce;
    }

    private void writeErasure(ErasureRequest erasure, DataOutputView out) throws IOException {
        if (erasure == null) {
            out.writeBoolean(false);
            return;
        }
        out.writeBoolean(true);
        writeString(erasure.requestId, out);
        out.writeBoolean(erasure.hasMpid);
        out.writeLong(erasure.mpid);
        writeString(erasure.customerId, out);
        writeString(erasure.email, out);
        out.writeLong(erasure.timeMs);
    }

    private ErasureRequest readErasure(DataInputView in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        ErasureRequest erasure = new ErasureRequest();
        erasure.requestId = readString(in);
        erasure.hasMpid = in.readBoolean();
        erasure.mpid = in.readLong();
        erasure.customerId = readString(in);
        erasure.email = readString(in);
        erasure.timeMs = in.readLong();
        return erasure;
    }

    private void writeAttributeLists(List<Attributes> lists, DataOutputView out)
            throws IOException {
        if (lists == null) {
            writeCount(-1, out);
            return;
        }
        writeCount(lists.size(), out);
        for (Attributes attributes : lists) {
            writeAttributes(attributes, out);
        }
    }

    private List<Attributes> readAttributeLists(DataInputView in) throws IOException {
        int count = readCount(in);
        if (count < 0) {
            return null;
        }
        List<Attributes> lists = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            lists.add(readAttributes(in));
        }
        return lists;
    }

    /** Names and tagged values, the two lists written one after the other. */
    private void writeAttributes(Attributes attributes, DataOutputView out) throws IOException {
        if (attributes == null) {
            out.writeBoolean(false);
            return;
        }
        out.writeBoolean(true);
        writeStrings(attributes.names, out);
        writeStrings(attributes.values, out);
    }

    private Attributes readAttributes(DataInputView in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        Attributes attributes = new Attributes();
        attributes.names = readStrings(in);
        attributes.values = readStrings(in);
        return attributes;
    }

    private void writeStrings(List<String> strings, DataOutputView out) throws IOException {
        if (strings == null) {
            writeCount(-1, out);
            return;
        }
        writeCount(strings.size(), out);
        for (String s : strings) {
            writeString(s, out);
        }
    }

    private List<String> readStrings(DataInputView in) throws IOException {
        int count = readCount(in);
        if (count < 0) {
            return null;
        }
        List<String> strings = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            strings.add(readString(in));
        }
        return strings;
    }

    private static void writeLongs(long[] values, DataOutputView out) throws IOException {
        if (values == null) {
            writeCount(-1, out);
            return;
        }
        writeCount(values.length, out);
        for (long value : values) {
            out.writeLong(value);
        }
    }

    private static long[] readLongs(DataInputView in) throws IOException {
        int count = readCount(in);
        if (count < 0) {
            return null;
        }
        long[] values = new long[count];
        for (int i = 0; i < count; i++) {
            values[i] = in.readLong();
        }
        return values;
    }

    /** A nullable Boolean in one byte: 0 null, 1 false, 2 true. */
    private static void writeFlag(Boolean flag, DataOutputView out) throws IOException {
        out.writeByte(flag == null ? 0 : flag ? 2 : 1);
    }

    private static Boolean readFlag(DataInputView in) throws IOException {
        int flag = in.readUnsignedByte();
        return flag == 0 ? null : flag == 2;
    }

    /**
     * A string: a variable-length header, 0 for null, else {@code (length << 1 | wide) + 1}, then
     * the chars, one byte each when all are Latin-1, else two.
     */
    // String.getBytes(int, int, byte[], int) is exactly Latin-1's one byte per char, and for a
    // Latin-1 string (the JDK's compact strings) one array copy, without allocating.
    @SuppressWarnings("deprecation")
    private void writeString(String s, DataOutputView out) throws IOException {
        if (s == null) {
            writeVarInt(0, out);
            return;
        }
        int length = s.length();
        boolean wide = false;
        for (int i = 0; i < length; i++) {
            if (s.charAt(i) > 0xFF) {
                wide = true;
                break;
            }
        }
        writeVarInt(((length << 1) | (wide ? 1 : 0)) + 1, out);
        if (wide) {
            out.writeChars(s);
            return;
        }
        // Not out.writeBytes(s): Flink 2.2's DataOutputSerializer, which the network stack writes
        // records with, advances its position twice there and leaves a gap of garbage.
        if (writeBuffer == null || writeBuffer.length < length) {
            writeBuffer = new byte[Math.max(length, 256)];
        }
        s.getBytes(0, length, writeBuffer, 0);
        out.write(writeBuffer, 0, length);
    }

    private String readString(DataInputView in) throws IOException {
        int header = readVarInt(in);
        if (header == 0) {
            return null;
        }
        int length = (header - 1) >>> 1;
        if (((header - 1) & 1) == 0) {
            if (latin1Buffer == null || latin1Buffer.length < length) {
                latin1Buffer = new byte[Math.max(length, 256)];
            }
            in.readFully(latin1Buffer, 0, length);
            return new String(latin1Buffer, 0, length, StandardCharsets.ISO_8859_1);
        }
        if (charBuffer == null || charBuffer.length < length) {
            charBuffer = new char[Math.max(length, 256)];
        }
        for (int i = 0; i < length; i++) {
            charBuffer[i] = in.readChar();
        }
        return new String(charBuffer, 0, length);
    }

    /** A count, or -1 for a null list. */
    private static void writeCount(int count, DataOutputView out) throws IOException {
        writeVarInt(count + 1, out);
    }

    private static int readCount(DataInputView in) throws IOException {
        return readVarInt(in) - 1;
    }

    private static void writeVarInt(int value, DataOutputView out) throws IOException {
        while ((value & ~0x7F) != 0) {
            out.writeByte((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.writeByte(value);
    }

    private static int readVarInt(DataInputView in) throws IOException {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("a length of more than five bytes: the stream is corrupt");
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof MParticleBatchSerializer;
    }

    @Override
    public int hashCode() {
        return MParticleBatchSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<MParticleBatch> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The format has one version so far; a new format needs a new snapshot version. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<MParticleBatch> {
        public Snapshot() {
            super(MParticleBatchSerializer::new);
        }
    }
}

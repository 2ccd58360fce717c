package dev.cioforwarder.job;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * An unbounded source reading an {@link InMemoryTopic} from its start, in order: one split, the
 * topic, read by subtask 0 (the others idle), so records keep the order they were written in, as a
 * user's records do in their Kafka partition. The split's state is the position reached.
 */
final class InMemoryTopicSource
        implements Source<SourceRecord, InMemoryTopicSource.Split, Boolean>,
                ResultTypeQueryable<SourceRecord> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    InMemoryTopicSource(String topic) {
        this.topic = topic;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public TypeInformation<SourceRecord> getProducedType() {
        return TypeInformation.of(SourceRecord.class);
    }

    @Override
    public SplitEnumerator<Split, Boolean> createEnumerator(SplitEnumeratorContext<Split> context) {
        return new Enumerator(context, new Split(topic, 0), false);
    }

    @Override
    public SplitEnumerator<Split, Boolean> restoreEnumerator(
            SplitEnumeratorContext<Split> context, Boolean assigned) {
        // Once assigned, the split lives in the reader's state (or comes back through
        // addSplitsBack); before, the enumerator still holds it.
        return new Enumerator(context, new Split(topic, 0), assigned);
    }

    @Override
    public SimpleVersionedSerializer<Split> getSplitSerializer() {
        return new SplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<Boolean> getEnumeratorCheckpointSerializer() {
        return new SimpleVersionedSerializer<>() {
            @Override
            public int getVersion() {
                return 1;
            }

            @Override
            public byte[] serialize(Boolean assigned) {
                return new byte[] {(byte) (assigned ? 1 : 0)};
            }

            @Override
            public Boolean deserialize(int version, byte[] serialized) {
                return serialized[0] == 1;
            }
        };
    }

    @Override
    public SourceReader<SourceRecord, Split> createReader(SourceReaderContext context) {
        return new Reader();
    }

    /** The topic and the position of the next record to read. */
    static final class Split implements SourceSplit {
        final String topic;
        final long position;

        Split(String topic, long position) {
            this.topic = topic;
            this.position = position;
        }

        @Override
        public String splitId() {
            return topic;
        }
    }

    private static final class SplitSerializer implements SimpleVersionedSerializer<Split> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Split split) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeUTF(split.topic);
                out.writeLong(split.position);
            }
            return bytes.toByteArray();
        }

        @Override
        public Split deserialize(int version, byte[] serialized) throws IOException {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                return new Split(in.readUTF(), in.readLong());
            }
        }
    }

    /** Gives the one split to subtask 0 when it registers; again when it comes back. */
    private static final class Enumerator implements SplitEnumerator<Split, Boolean> {
        private final SplitEnumeratorContext<Split> context;
        private Split unassigned;

        Enumerator(SplitEnumeratorContext<Split> context, Split split, boolean assigned) {
            this.context = context;
            this.unassigned = assigned ? null : split;
        }

        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtask, String host) {}

        @Override
        public void addSplitsBack(List<Split> splits, int subtask) {
            if (!splits.isEmpty()) {
                unassigned = splits.get(0);
                assignWhenReady();
            }
        }

        @Override
        public void addReader(int subtask) {
            assignWhenReady();
        }

        private void assignWhenReady() {
            if (unassigned != null && context.registeredReaders().containsKey(0)) {
                context.assignSplit(unassigned, 0);
                unassigned = null;
            }
        }

        @Override
        public Boolean snapshotState(long checkpointId) {
            return unassigned == null;
        }

        @Override
        public void close() {}
    }

    private static final class Reader implements SourceReader<SourceRecord, Split> {
        private InMemoryTopic topic;
        private long position;
        // What isAvailable gives before the split comes: completed when it does.
        private final CompletableFuture<Void> splitAssigned = new CompletableFuture<>();

        @Override
        public void start() {}

        @Override
        public InputStatus pollNext(ReaderOutput<SourceRecord> output) {
            if (topic == null) {
                return InputStatus.NOTHING_AVAILABLE;
            }
            SourceRecord record = topic.at(position);
            if (record == null) {
                return InputStatus.NOTHING_AVAILABLE;
            }
            position++;
            output.collect(record, record.timestamp);
            return topic.at(position) != null
                    ? InputStatus.MORE_AVAILABLE
                    : InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public List<Split> snapshotState(long checkpointId) {
            List<Split> state = new ArrayList<>(1);
            if (topic != null) {
                state.add(new Split(topic.name(), position));
            }
            return state;
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return topic == null ? splitAssigned : topic.available(position);
        }

        @Override
        public void addSplits(List<Split> splits) {
            Split split = splits.get(0);
            topic = InMemoryTopic.named(split.topic);
            position = split.position;
            splitAssigned.complete(null);
        }

        @Override
        public void notifyNoMoreSplits() {}

        @Override
        public void close() {}
    }
}

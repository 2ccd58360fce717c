package dev.cioforwarder.job;

import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A type whose records are handed over from one operator to the next and never touched again by the
 * one that made them, so a chained operator may keep them without a copy.
 *
 * <p>With object reuse on, Flink's AsyncIO operator copies every record it queues with the type's
 * serializer, in case the operator before it changes the record later. The request batcher never
 * does (it builds a new request each time) and delivery never changes one, yet the copy of each
 * request, operation by operation through reflection, was 8% of the TaskManager's CPU and 18% of
 * the user-state task's, the job's busiest. This serializer's copy is the record itself; everything
 * else, the bytes it writes and the snapshot a checkpoint records, is the wrapped serializer's, so
 * checkpoints and savepoints are the same as with the wrapped type, and restore either way.
 */
public final class HandedOverTypeInfo<T> extends TypeInformation<T> {
    private static final long serialVersionUID = 1L;

    private final TypeInformation<T> wrapped;

    public HandedOverTypeInfo(TypeInformation<T> wrapped) {
        this.wrapped = wrapped;
    }

    public static <T> HandedOverTypeInfo<T> of(Class<T> type) {
        return new HandedOverTypeInfo<>(TypeInformation.of(type));
    }

    @Override
    public boolean isBasicType() {
        return wrapped.isBasicType();
    }

    @Override
    public boolean isTupleType() {
        return wrapped.isTupleType();
    }

    @Override
    public int getArity() {
        return wrapped.getArity();
    }

    @Override
    public int getTotalFields() {
        return wrapped.getTotalFields();
    }

    @Override
    public Class<T> getTypeClass() {
        return wrapped.getTypeClass();
    }

    @Override
    public boolean isKeyType() {
        return wrapped.isKeyType();
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return new HandedOverSerializer<>(wrapped.createSerializer(config));
    }

    @Override
    public String toString() {
        return "HandedOver<" + wrapped + ">";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof HandedOverTypeInfo<?> other && wrapped.equals(other.wrapped);
    }

    @Override
    public int hashCode() {
        return 31 * wrapped.hashCode() + 7;
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof HandedOverTypeInfo;
    }

    /** The wrapped serializer, except that a copy is the record itself. */
    static final class HandedOverSerializer<T> extends TypeSerializer<T> {
        private static final long serialVersionUID = 1L;

        private final TypeSerializer<T> wrapped;

        HandedOverSerializer(TypeSerializer<T> wrapped) {
            this.wrapped = wrapped;
        }

        @Override
        public boolean isImmutableType() {
            return wrapped.isImmutableType();
        }

        @Override
        public TypeSerializer<T> duplicate() {
            TypeSerializer<T> duplicate = wrapped.duplicate();
            return duplicate == wrapped ? this : new HandedOverSerializer<>(duplicate);
        }

        @Override
        public T createInstance() {
            return wrapped.createInstance();
        }

        @Override
        public T copy(T from) {
            return from;
        }

        @Override
        public T copy(T from, T reuse) {
            return from;
        }

        @Override
        public int getLength() {
            return wrapped.getLength();
        }

        @Override
        public void serialize(T record, DataOutputView target) throws IOException {
            wrapped.serialize(record, target);
        }

        @Override
        public T deserialize(DataInputView source) throws IOException {
            return wrapped.deserialize(source);
        }

        @Override
        public T deserialize(T reuse, DataInputView source) throws IOException {
            return wrapped.deserialize(reuse, source);
        }

        @Override
        public void copy(DataInputView source, DataOutputView target) throws IOException {
            wrapped.copy(source, target);
        }

        @Override
        public boolean equals(Object obj) {
            return obj instanceof HandedOverSerializer<?> other && wrapped.equals(other.wrapped);
        }

        @Override
        public int hashCode() {
            return 31 * wrapped.hashCode() + 7;
        }

        /**
         * The wrapped serializer's snapshot: a checkpoint holds exactly what it held before this
         * type was used, and a restore checks compatibility as it did then.
         */
        @Override
        public TypeSerializerSnapshot<T> snapshotConfiguration() {
            return wrapped.snapshotConfiguration();
        }
    }
}

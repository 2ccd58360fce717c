package dev.cioforwarder.job;

import dev.cioforwarder.mparticle.MParticleBatch;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** The parsed batch's type in the job graph: serialized by {@link MParticleBatchSerializer}. */
public final class MParticleBatchTypeInfo extends TypeInformation<MParticleBatch> {
    private static final long serialVersionUID = 1L;

    public static final MParticleBatchTypeInfo INSTANCE = new MParticleBatchTypeInfo();

    private MParticleBatchTypeInfo() {}

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<MParticleBatch> getTypeClass() {
        return MParticleBatch.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<MParticleBatch> createSerializer(SerializerConfig config) {
        return new MParticleBatchSerializer();
    }

    @Override
    public String toString() {
        return "MParticleBatch";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof MParticleBatchTypeInfo;
    }

    @Override
    public int hashCode() {
        return MParticleBatchTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof MParticleBatchTypeInfo;
    }
}

package dev.cioforwarder.job;

import dev.cioforwarder.mparticle.MParticleBatch;
import org.apache.flink.api.java.functions.KeySelector;

/** Keys batches by user: the MPID, or the resolved identity when a batch has none. */
public class UserKeySelector implements KeySelector<MParticleBatch, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(MParticleBatch batch) {
        return batch.userKey;
    }
}

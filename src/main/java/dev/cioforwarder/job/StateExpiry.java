package dev.cioforwarder.job;

import java.time.Duration;
import org.apache.flink.api.common.state.StateTtlConfig;

/**
 * The job's one state expiry policy ({@code state.ttl}), for the user state and the keyed indexes
 * alike: an entry unseen (not written) for the TTL is forgotten, never returned once expired, and
 * dropped by RocksDB during compaction. Every write renews it, so an entry in use never expires.
 */
final class StateExpiry {

    private StateExpiry() {}

    /** The TTL configuration for {@code stateTtl}; null when state never expires. */
    static StateTtlConfig of(Duration stateTtl) {
        if (stateTtl == null) {
            return null;
        }
        return StateTtlConfig.newBuilder(stateTtl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupInRocksdbCompactFilter(1000)
                .build();
    }
}

package dev.cioforwarder.job;

import dev.cioforwarder.mapping.DeviceChange;
import dev.cioforwarder.mapping.TokenOwnership;
import dev.cioforwarder.mapping.TokenSighting;
import dev.cioforwarder.state.TokenOwner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The token index in Flink ({@link TokenOwnership}): keyed by push token, the owner of each token
 * in RocksDB, so it is rescaled and restored like the user state. Emits, keyed by user for the
 * user-state stage, the device changes each sighting causes. Data flows one way, parse → tokens →
 * users: no feedback loop.
 */
public class DeviceTokenFunction extends KeyedProcessFunction<String, TokenSighting, DeviceChange> {
    private static final long serialVersionUID = 1L;

    /** Part of every savepoint from state version 4 on: never rename it. */
    public static final String TOKEN_OWNER_NAME = "token-owner";

    private final Duration stateTtl;
    private final long refreshIntervalMs;
    private transient ValueState<TokenOwner> owner;
    private transient List<DeviceChange> changes;

    /**
     * @param refreshIntervalMs customerio.device-refresh-interval: a device seen again this much
     *     later than its owner was last told goes to them again; 0: never
     */
    public DeviceTokenFunction(Duration stateTtl, long refreshIntervalMs) {
        this.stateTtl = stateTtl;
        this.refreshIntervalMs = refreshIntervalMs;
    }

    /** The descriptor of the token state, shared with the tests. */
    public static ValueStateDescriptor<TokenOwner> tokenOwnerDescriptor() {
        return new ValueStateDescriptor<>(TOKEN_OWNER_NAME, TypeInformation.of(TokenOwner.class));
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<TokenOwner> descriptor = tokenOwnerDescriptor();
        if (stateTtl != null) {
            // A token unseen for the TTL is forgotten, like its users; every newer sighting
            // writes the record, so a token in use never expires.
            descriptor.enableTimeToLive(StateExpiry.of(stateTtl));
        }
        owner = getRuntimeContext().getState(descriptor);
        changes = new ArrayList<>(2);
    }

    @Override
    public void processElement(TokenSighting sighting, Context ctx, Collector<DeviceChange> out)
            throws Exception {
        TokenOwner current = owner.value();
        changes.clear();
        TokenOwner next = TokenOwnership.apply(current, sighting, refreshIntervalMs, changes);
        if (next != current) {
            owner.update(next);
        }
        for (DeviceChange change : changes) {
            out.collect(change);
        }
    }
}

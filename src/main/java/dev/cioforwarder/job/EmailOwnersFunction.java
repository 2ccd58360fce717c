package dev.cioforwarder.job;

import dev.cioforwarder.mapping.EmailClaim;
import dev.cioforwarder.mapping.EmailOwnership;
import dev.cioforwarder.mapping.EmailVerdict;
import dev.cioforwarder.state.EmailOwner;
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
 * The email index in Flink ({@link EmailOwnership}): keyed by email, its owner in RocksDB, so it is
 * rescaled and restored like the user state. Emits, keyed by user for the user-state stage, the
 * verdicts claims cause. Data flows one way, parse → emails → users: no feedback loop.
 */
public class EmailOwnersFunction extends KeyedProcessFunction<String, EmailClaim, EmailVerdict> {
    private static final long serialVersionUID = 1L;

    /** Part of every savepoint with the email index: never rename it. */
    public static final String EMAIL_OWNER_NAME = "email-owner";

    private final Duration stateTtl;
    private transient ValueState<EmailOwner> owner;
    private transient List<EmailVerdict> verdicts;

    public EmailOwnersFunction(Duration stateTtl) {
        this.stateTtl = stateTtl;
    }

    /** The descriptor of the email state, shared with the tests. */
    public static ValueStateDescriptor<EmailOwner> emailOwnerDescriptor() {
        return new ValueStateDescriptor<>(EMAIL_OWNER_NAME, TypeInformation.of(EmailOwner.class));
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<EmailOwner> descriptor = emailOwnerDescriptor();
        if (stateTtl != null) {
            // An email unseen for the TTL is forgotten, like its users.
            descriptor.enableTimeToLive(StateExpiry.of(stateTtl));
        }
        owner = getRuntimeContext().getState(descriptor);
        verdicts = new ArrayList<>(1);
    }

    @Override
    public void processElement(EmailClaim claim, Context ctx, Collector<EmailVerdict> out)
            throws Exception {
        verdicts.clear();
        owner.update(EmailOwnership.apply(owner.value(), claim, verdicts));
        for (EmailVerdict v : verdicts) {
            out.collect(v);
        }
    }
}

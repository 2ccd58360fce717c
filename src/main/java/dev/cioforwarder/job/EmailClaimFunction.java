package dev.cioforwarder.job;

import dev.cioforwarder.mapping.EmailClaim;
import dev.cioforwarder.mapping.EmailOwnership;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mparticle.MParticleBatch;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The claim each parsed batch makes on its email ({@link EmailOwnership#claimOf}), for the email
 * index. Chained to the parser and always in the topology (idle with {@code
 * customerio.guard-shared-emails=false}). A user's batches carry the same email again and again,
 * and come through one source partition: a claim the same parallel instance made less than an hour
 * earlier (by batch time) is not made again, so the index sees each user about hourly, not with
 * every batch. The memory of recent claims is bounded and not checkpointed: after a restart a claim
 * is made once more, which changes nothing.
 */
public class EmailClaimFunction extends ProcessFunction<MParticleBatch, EmailClaim> {
    private static final long serialVersionUID = 1L;

    static final long REPEAT_AFTER_MS = 60 * 60 * 1000L;
    static final int RECENT_CLAIMS = 10_000;

    private final MappingSettings settings;
    private transient Map<String, Long> recent;

    public EmailClaimFunction(MappingSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        recent =
                new LinkedHashMap<>(1024, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                        return size() > RECENT_CLAIMS;
                    }
                };
    }

    @Override
    public void processElement(MParticleBatch batch, Context ctx, Collector<EmailClaim> out) {
        EmailClaim claim = EmailOwnership.claimOf(batch, settings);
        if (claim == null) {
            return;
        }
        String key = claim.email + '\u0000' + claim.id;
        Long last = recent.get(key);
        if (last != null && Math.abs(claim.timeMs - last) < REPEAT_AFTER_MS) {
            return;
        }
        recent.put(key, claim.timeMs);
        out.collect(claim);
    }
}

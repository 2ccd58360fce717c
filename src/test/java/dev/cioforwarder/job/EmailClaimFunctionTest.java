package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.mapping.EmailClaim;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mparticle.MParticleBatch;
import java.util.List;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * A user's batches carry the same email again and again: the email index hears of a claim once an
 * hour of batch time at most (earlier or later), and at once of a new email or a new claimant.
 */
class EmailClaimFunctionTest {

    private static final long HOUR = 60 * 60 * 1000L;
    private static final long T0 = 1_764_400_000_000L;
    private static final MappingSettings GUARDED =
            MappingSettings.defaults().toBuilder().guardSharedEmails(true).build();

    private static MParticleBatch batch(String customerId, String email, long timeMs) {
        MParticleBatch b = new MParticleBatch();
        b.hasMpid = true;
        b.mpid = 42;
        b.userKey = "42";
        b.customerId = customerId;
        b.email = email;
        b.timestampMs = timeMs;
        return b;
    }

    private static List<String> claims(MappingSettings settings, MParticleBatch... batches)
            throws Exception {
        try (var h =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(new EmailClaimFunction(settings)))) {
            h.open();
            for (MParticleBatch b : batches) {
                h.processElement(new StreamRecord<>(b));
            }
            return h.extractOutputValues().stream()
                    .map((EmailClaim c) -> c.id + " " + c.email + " " + (c.timeMs - T0) / HOUR)
                    .toList();
        }
    }

    @Test
    void aClaimIsMadeAgainOnlyAnHourOfBatchTimeLater() throws Exception {
        assertThat(
                        claims(
                                GUARDED,
                                batch("c-1", "Ann@Example.com", T0),
                                batch("c-1", "ann@example.com", T0 + HOUR - 1),
                                // Out of order by less than an hour: not again either.
                                batch("c-1", "ann@example.com", T0 - HOUR + 1),
                                batch("c-1", "ann@example.com", T0 + HOUR),
                                batch("c-1", "ann@example.com", T0 - HOUR)))
                .containsExactly(
                        "c-1 ann@example.com 0", "c-1 ann@example.com 1", "c-1 ann@example.com -1");
    }

    @Test
    void aNewEmailOrANewClaimantIsClaimedAtOnce() throws Exception {
        assertThat(
                        claims(
                                GUARDED,
                                batch("c-1", "ann@example.com", T0),
                                batch("c-1", "ann@work.example", T0 + 1),
                                batch("c-2", "ann@example.com", T0 + 2)))
                .containsExactly(
                        "c-1 ann@example.com 0", "c-1 ann@work.example 0", "c-2 ann@example.com 0");
    }

    @Test
    void withTheGuardOffNothingIsClaimed() throws Exception {
        MappingSettings off =
                MappingSettings.defaults().toBuilder().guardSharedEmails(false).build();
        assertThat(claims(off, batch("c-1", "ann@example.com", T0))).isEmpty();
    }
}

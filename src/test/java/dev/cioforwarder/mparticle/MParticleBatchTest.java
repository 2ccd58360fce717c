package dev.cioforwarder.mparticle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.privacy.ErasureRequest;
import org.junit.jupiter.api.Test;

/**
 * The batch as the rules read it: keyed by the MPID, else the Customer ID, else the email (any
 * case), and timed in whole seconds as Customer.io's timestamps are.
 */
class MParticleBatchTest {

    @Test
    void theUserKeyIsTheMpidFirst() {
        assertThat(MParticleBatch.userKey(true, 8675309L, "c-1", "ada@example.com"))
                .isEqualTo("8675309");
        assertThat(MParticleBatch.userKey(true, -42L, null, null)).isEqualTo("-42");
        assertThat(MParticleBatch.userKey(true, Long.MIN_VALUE, null, null))
                .isEqualTo("-9223372036854775808");
    }

    @Test
    void withoutAnMpidTheCustomerIdThenTheEmailInLowerCase() {
        assertThat(MParticleBatch.userKey(false, 0, "c-1", "Ada@Example.com"))
                .isEqualTo("customer_id:c-1");
        assertThat(MParticleBatch.userKey(false, 0, null, "Ada@Example.COM"))
                .isEqualTo("email:ada@example.com");
        assertThat(MParticleBatch.userKey(false, 0, null, null)).isNull();
    }

    @Test
    void theCustomerIdKeepsItsCase() {
        assertThat(MParticleBatch.userKey(false, 0, "Cust-ABC", null))
                .isEqualTo("customer_id:Cust-ABC");
    }

    @Test
    void anErasureIsKeyedAndTimedLikeTheUsersBatches() {
        ErasureRequest request = new ErasureRequest();
        request.requestId = "dsr-1";
        request.hasMpid = true;
        request.mpid = 7;
        request.customerId = "c-7";
        request.timeMs = 1764320400123L;
        MParticleBatch batch = MParticleBatch.ofErasure(request, "mparticle-erasures", 3, 99L);
        assertThat(batch.erasure).isSameAs(request);
        assertThat(batch.userKey).isEqualTo("7");
        assertThat(batch.hasMpid).isTrue();
        assertThat(batch.mpid).isEqualTo(7L);
        assertThat(batch.timestampMs).isEqualTo(1764320400123L);
        assertThat(batch.sourceTopic).isEqualTo("mparticle-erasures");
        assertThat(batch.sourcePartition).isEqualTo(3);
        assertThat(batch.sourceOffset).isEqualTo(99L);
        assertThat(batch.events).isEmpty();
        assertThat(batch.userAttributes.size()).isZero();

        ErasureRequest byEmail = new ErasureRequest();
        byEmail.email = "Ada@Example.com";
        assertThat(MParticleBatch.ofErasure(byEmail, "t", 0, 0L).userKey)
                .isEqualTo("email:ada@example.com");
    }

    @Test
    void theMpidAsTextOnlyWhenThereIsOne() {
        MParticleBatch batch = new MParticleBatch();
        assertThat(batch.mpidText()).isNull();
        batch.hasMpid = true;
        batch.mpid = -8675309L;
        assertThat(batch.mpidText()).isEqualTo("-8675309");
    }

    @Test
    void theTimeInSecondsIsFloored() {
        MParticleBatch batch = new MParticleBatch();
        batch.timestampMs = 1764320400999L;
        assertThat(batch.timestampSeconds()).isEqualTo(1764320400L);
        batch.timestampMs = 1764320400000L;
        assertThat(batch.timestampSeconds()).isEqualTo(1764320400L);
        batch.timestampMs = -1L;
        assertThat(batch.timestampSeconds()).isEqualTo(-1L);
        batch.timestampMs = -1000L;
        assertThat(batch.timestampSeconds()).isEqualTo(-1L);
        batch.timestampMs = -1001L;
        assertThat(batch.timestampSeconds()).isEqualTo(-2L);
    }
}

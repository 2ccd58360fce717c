package dev.cioforwarder.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The circuit breaker opens only after transient failures that last (three at least, over the
 * opening span), then lets one trial through per interval until an answer closes it; a refused key
 * opens it at once, with its own trial interval.
 */
class DeliveryHealthTest {

    @Test
    void opensOnlyWhenTransientFailuresLastAndClosesOnAnAnswer() {
        DeliveryHealth health = new DeliveryHealth(1_000, 200, 5_000);
        health.transientFailure(0);
        health.transientFailure(500);
        health.transientFailure(999);
        assertThat(health.isOpen()).as("three failures, but under a second").isFalse();
        health.transientFailure(1_000);
        assertThat(health.isOpen()).isTrue();
        assertThat(health.reason()).isEqualTo(DeliveryHealth.UNAVAILABLE);

        health.answered();
        assertThat(health.isOpen()).isFalse();
        assertThat(health.reason()).isNull();
        assertThat(health.mayAttempt(1_001)).isTrue();
    }

    @Test
    void aLongSpanOfFewerThanThreeFailuresDoesNotOpenIt() {
        DeliveryHealth health = new DeliveryHealth(1_000, 200, 5_000);
        health.transientFailure(0);
        health.transientFailure(10_000);
        assertThat(health.isOpen()).isFalse();
        // An answer in between starts the count again.
        health.answered();
        health.transientFailure(20_000);
        health.transientFailure(30_000);
        assertThat(health.isOpen()).isFalse();
    }

    @Test
    void whileOpenOneTrialGoesThroughPerInterval() {
        DeliveryHealth health = new DeliveryHealth(0, 200, 5_000);
        health.transientFailure(0);
        health.transientFailure(0);
        health.transientFailure(0);
        assertThat(health.isOpen()).isTrue();
        assertThat(health.mayAttempt(100)).isFalse();
        assertThat(health.mayAttempt(200)).as("the trial").isTrue();
        assertThat(health.mayAttempt(201)).as("only one per interval").isFalse();
        // A failed trial pushes the next one an interval further.
        health.transientFailure(300);
        assertThat(health.mayAttempt(450)).isFalse();
        assertThat(health.mayAttempt(500)).isTrue();
    }

    @Test
    void aRefusedKeyOpensItAtOnceWithTheAuthRetryInterval() {
        DeliveryHealth health = new DeliveryHealth(60_000, 200, 5_000);
        health.unauthorized(1_000);
        assertThat(health.isOpen()).isTrue();
        assertThat(health.reason()).isEqualTo(DeliveryHealth.UNAUTHORIZED);
        assertThat(health.mayAttempt(5_999)).isFalse();
        assertThat(health.mayAttempt(6_000)).isTrue();
        assertThat(health.mayAttempt(6_200)).as("the next trial is 5 s away, not 200 ms").isFalse();
        assertThat(health.mayAttempt(11_000)).isTrue();
    }
}

package dev.cioforwarder.mparticle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** An event's time is its own {@code timestamp_unixtime_ms}, else the time it is given. */
class MParticleEventTest {

    @Test
    void anEventWithoutATimeTakesTheFallback() {
        MParticleEvent event = new MParticleEvent();
        assertThat(event.timestampMs).isEqualTo(MParticleEvent.NO_TIME);
        assertThat(event.timeOr(1764320400000L)).isEqualTo(1764320400000L);
    }

    @Test
    void anEventsOwnTimeWinsEvenZeroOrNegative() {
        MParticleEvent event = new MParticleEvent();
        event.timestampMs = 1764320399000L;
        assertThat(event.timeOr(1764320400000L)).isEqualTo(1764320399000L);
        event.timestampMs = 0;
        assertThat(event.timeOr(1764320400000L)).isZero();
        event.timestampMs = -5;
        assertThat(event.timeOr(1764320400000L)).isEqualTo(-5L);
    }
}

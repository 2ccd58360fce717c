package dev.cioforwarder.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.simulator.RunningSimulator;
import dev.cioforwarder.simulator.Summary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The replay's load is what the simulator's CPU is measured on: it must all be accepted. */
class SimulatorReplayTest {

    @RegisterExtension
    static final RunningSimulator customerio = new RunningSimulator("site-replay", "key-replay");

    @Test
    void everyOperationIsAcceptedAndEveryEventStoredOnceWithItsProbe() throws Exception {
        SimulatorReplay.Sent sent =
                SimulatorReplay.replay(
                        customerio.simulator().baseUrl(), "site-replay", "key-replay", 3, 7);

        Summary summary = customerio.simulator().summary();
        assertThat(sent.requests()).isEqualTo(3);
        // About 300 KB of operations of a few hundred bytes each, per request.
        assertThat(sent.operations()).isBetween(3 * 500L, 3 * 2_000L);
        assertThat(sent.events()).isBetween(sent.operations() * 90 / 100, sent.operations());
        assertThat(summary.operations()).isEqualTo(sent.operations());
        assertThat(summary.rejectedOperations()).isZero();
        assertThat(summary.events()).isEqualTo(sent.events());
        assertThat(summary.duplicateEventsIgnored()).isZero();
        assertThat(summary.latencyProbe().count()).isEqualTo(sent.events());
    }

    @Test
    void aRequestOfASeedIsTheSameButForTheProbeAndAnotherSeedsIsNot() {
        String first = SimulatorReplay.body(5, 12, new long[2]);
        String again = SimulatorReplay.body(5, 12, new long[2]);
        String otherSeed = SimulatorReplay.body(6, 12, new long[2]);
        String probe = "\"_probe_sent_ms\":\\d+";
        assertThat(again.replaceAll(probe, "")).isEqualTo(first.replaceAll(probe, ""));
        assertThat(otherSeed.replaceAll(probe, "")).isNotEqualTo(first.replaceAll(probe, ""));
    }
}

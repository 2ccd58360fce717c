package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The job fails only after more than the limit without a completed checkpoint, and the limit leaves
 * room for the checkpoint timeout and a restart before Kafka aborts the sinks' transactions.
 */
class CheckpointProgressGuardTest {

    private static final long START = 1_764_320_400_000L;

    @Test
    void doesNotThrowUpToTheLimitAndThrowsJustAfterIt() {
        CheckpointProgressGuard guard = new CheckpointProgressGuard(60_000, START);

        assertThatCode(() -> guard.check(START)).doesNotThrowAnyException();
        assertThatCode(() -> guard.check(START + 59_999)).doesNotThrowAnyException();
        assertThatCode(() -> guard.check(START + 60_000)).doesNotThrowAnyException();
        assertThatThrownBy(() -> guard.check(START + 60_001))
                .isInstanceOf(CheckpointProgressGuard.CheckpointsStalledException.class)
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aCompletedCheckpointRestartsTheClock() {
        CheckpointProgressGuard guard = new CheckpointProgressGuard(60_000, START);
        guard.checkpointCompleted(START + 50_000);

        assertThat(guard.sinceProgressMs(START + 80_000)).isEqualTo(30_000);
        assertThatCode(() -> guard.check(START + 110_000)).doesNotThrowAnyException();
        assertThatThrownBy(() -> guard.check(START + 110_001))
                .isInstanceOf(CheckpointProgressGuard.CheckpointsStalledException.class);
    }

    @Test
    void countsFromTheStartUntilTheFirstCheckpoint() {
        CheckpointProgressGuard guard = new CheckpointProgressGuard(60_000, START);

        assertThat(guard.sinceProgressMs(START + 12_345)).isEqualTo(12_345);
    }

    @Test
    void aLimitOfZeroOrLessNeverThrows() {
        for (long limit : new long[] {0, -1, -60_000, Long.MIN_VALUE}) {
            CheckpointProgressGuard guard = new CheckpointProgressGuard(limit, START);
            assertThatCode(() -> guard.check(START + 1))
                    .as("limit %d", limit)
                    .doesNotThrowAnyException();
            assertThatCode(() -> guard.check(START + 365L * 24 * 3_600_000))
                    .as("limit %d", limit)
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void theLimitLeavesRoomForTheCheckpointTimeoutAndAMargin() {
        // The Kafka default transaction timeout (15 min) and a 5 min checkpoint timeout: a
        // minute of margin.
        assertThat(CheckpointProgressGuard.limitFor(900_000, 300_000)).isEqualTo(540_000);
        // Short timeouts: a tenth of the transaction timeout as margin.
        assertThat(CheckpointProgressGuard.limitFor(60_000, 20_000)).isEqualTo(34_000);
        // The margin is at most a minute, however long the transaction timeout.
        assertThat(CheckpointProgressGuard.limitFor(3_600_000, 600_000)).isEqualTo(2_940_000);
    }

    @Test
    void theLimitIsAlwaysBelowTheTransactionTimeoutMinusTheCheckpointTimeout() {
        long[] transactionTimeouts = {10_000, 60_000, 600_000, 900_000, 3_600_000};
        long[] checkpointTimeouts = {1_000, 5_000, 20_000, 300_000};
        for (long tx : transactionTimeouts) {
            for (long cp : checkpointTimeouts) {
                assertThat(CheckpointProgressGuard.limitFor(tx, cp))
                        .as("transaction %d, checkpoint %d", tx, cp)
                        .isLessThan(tx - cp);
            }
        }
    }

    @Test
    void theMessageNamesTransactionTimeoutAndTellsWhatToFix() {
        CheckpointProgressGuard guard = new CheckpointProgressGuard(540_000, START);

        assertThatThrownBy(() -> guard.check(START + 600_000))
                .hasMessageContaining("No checkpoint completed for 600 s")
                .hasMessageContaining("transaction.timeout.ms")
                .hasMessageContaining("restarts from its last checkpoint")
                .hasMessageContaining("Fix what makes checkpoints fail")
                .hasMessageContaining("checkpoint history in the Flink UI");
    }
}

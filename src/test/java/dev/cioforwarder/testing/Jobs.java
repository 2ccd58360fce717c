package dev.cioforwarder.testing;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.core.execution.JobClient;

/** Stopping the jobs that integration tests start. */
public final class Jobs {

    private static final Duration TERMINATION_TIMEOUT = Duration.ofMinutes(2);

    private Jobs() {}

    /**
     * Cancels the job and waits until it is terminal. {@code cancel().get()} alone returns once the
     * MiniCluster accepted the request, while tasks may still write checkpoints and RocksDB files
     * into the test's temporary directory; JUnit then fails to delete it, or the next test of the
     * class meets the old job's tasks.
     */
    public static void cancelAndWait(JobClient job) throws Exception {
        try {
            job.cancel().get(TERMINATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException alreadyTerminal) {
            // A job that already failed or finished cannot be cancelled; it is terminal already.
        }
        try {
            job.getJobExecutionResult().get(TERMINATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException cancelledOrFailed) {
            // The result of a cancelled job is a JobCancellationException: what was asked for.
        } catch (TimeoutException stuck) {
            throw new AssertionError(
                    "job " + job.getJobID() + " did not stop within " + TERMINATION_TIMEOUT, stuck);
        }
    }
}

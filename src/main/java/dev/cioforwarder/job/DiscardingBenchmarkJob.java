package dev.cioforwarder.job;

import dev.cioforwarder.settings.ForwarderSettings;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forwarder with its delivery step replaced by {@link DiscardingDelivery}: it reads, parses,
 * keeps state and builds every request like the job, and sends nothing. For {@code scripts/bench.sh
 * --sink discard}, which compares it with the job to tell what delivery costs; an entry class of
 * its own so that no setting of the real job can turn delivery off.
 */
public final class DiscardingBenchmarkJob {
    private static final Logger LOG = LoggerFactory.getLogger(DiscardingBenchmarkJob.class);

    private DiscardingBenchmarkJob() {}

    public static void main(String[] args) throws Exception {
        ForwarderSettings settings = ForwarderSettings.fromArgs(args);
        LOG.warn("Benchmark job: requests are built and discarded, nothing is sent to Customer.io");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ForwarderJob.build(
                env, settings, ForwarderEnds.kafka(settings), ForwarderJob.Delivery.DISCARD);
        env.execute(settings.jobName() + " (benchmark: requests discarded)");
    }
}

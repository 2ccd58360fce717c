package dev.cioforwarder.ops;

/**
 * Nothing answered at the cluster's REST address (refused, reset, timed out). Transient while a
 * JobManager restarts, so polling loops retry it until their deadline; a single call reports it.
 */
public class FlinkUnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FlinkUnreachableException(String url, String why) {
        super(
                "the Flink cluster at "
                        + url
                        + " is unreachable ("
                        + why
                        + "). Is it running? The local one: scripts/stack.sh start flink (its REST"
                        + " port is FLINK_REST_PORT); another cluster: --flink URL.");
    }
}

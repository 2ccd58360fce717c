package dev.cioforwarder.ops;

/**
 * A job that was to replace another did not get to "running, with a checkpoint of its own": Flink
 * refused it, it failed or restarted, or time ran out. The message says which, with the job's root
 * exception when it has one; the caller decides whether that means a rollback.
 */
public final class JobDidNotStart extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The job Flink started, or null when it refused to start one. */
    private final String jobId;

    JobDidNotStart(String jobId, String message) {
        super(message);
        this.jobId = jobId;
    }

    public String jobId() {
        return jobId;
    }
}

package dev.cioforwarder.ops;

/**
 * An operation that ends unsuccessfully, with the exit status that says what state it left behind
 * (docs/operations.md): {@link #NOTHING_CHANGED} or {@link #NOT_RUNNING}. A rollback that worked is
 * not a failure of this kind: it ends with {@link #ROLLED_BACK} and the id of the job that runs.
 */
public final class OpsFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The operation failed and left everything as it was: the old job still runs. */
    public static final int NOTHING_CHANGED = 1;

    /** The new job failed and the previous version runs again. */
    public static final int ROLLED_BACK = 2;

    /**
     * The old job was stopped and neither the new job nor the rollback runs (or it cannot be told):
     * the state is in the savepoint or checkpoint the message names, with the command to start it.
     */
    public static final int NOT_RUNNING = 3;

    private final int exitCode;

    public OpsFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /** Nothing changed: exit status 1. */
    public static OpsFailure nothingChanged(String message) {
        return new OpsFailure(NOTHING_CHANGED, message);
    }

    public int exitCode() {
        return exitCode;
    }
}

package dev.cioforwarder.mapping;

import dev.cioforwarder.codes.Coded;

/** Which first-seen time of a device type may become the person's {@code created_at}. */
public enum CreatedAtPolicy implements Coded {
    /**
     * The earliest moment the device type was seen: a first-run signal, else the earliest event
     * time. For users who existed before the forwarder saw them this is a guess, not a sign-up.
     */
    FIRST_SEEN("first-seen"),
    /**
     * Only a first run mParticle marked ({@code first_run}, or {@code is_first_run: true}): a user
     * who installed before the forwarder started never has their real sign-up date overwritten.
     */
    FIRST_RUN_ONLY("first-run-only");

    private final String code;

    CreatedAtPolicy(String code) {
        this.code = code;
    }

    @Override
    public String code() {
        return code;
    }

    /** The code: what settings, logs and Flink's enum options read and write. */
    @Override
    public String toString() {
        return code;
    }
}

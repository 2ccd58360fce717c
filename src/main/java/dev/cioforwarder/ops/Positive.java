package dev.cioforwarder.ops;

/** Counts given on the command line (a parallelism, seconds) are positive whole numbers. */
final class Positive {

    private Positive() {}

    static void require(String option, Integer value) {
        if (value != null && value <= 0) {
            throw OpsFailure.nothingChanged(
                    option + " must be a positive whole number, got \"" + value + "\"");
        }
    }
}

package dev.cioforwarder.ops;

import java.util.List;

/**
 * Flink's REST API answered, but not with success: the HTTP status and the exception lines of its
 * {@code {"errors":[...]}} answer, stack frames left out.
 */
public class FlinkRestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final List<String> errors;

    FlinkRestException(String request, int status, List<String> errors) {
        super(request + " answered HTTP " + status + ": " + FlinkErrors.summary(errors, 3));
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    public int status() {
        return status;
    }

    /** Flink's error texts (often whole stack traces), as it sent them. */
    public List<String> errors() {
        return errors;
    }

    /** The innermost cause of Flink's answer: usually what a person needs to read. */
    public String innermostCause() {
        return FlinkErrors.innermostCause(String.join("\n", errors));
    }
}

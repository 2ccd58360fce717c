package dev.cioforwarder.ops;

import java.util.ArrayList;
import java.util.List;

/**
 * Java stack traces as Flink sends them (REST error answers, exception history, failed savepoints),
 * shortened for a person: the exception lines without their frames, and the innermost cause.
 */
final class FlinkErrors {

    private FlinkErrors() {}

    /** The exception lines of a trace ("X: message", "Caused by: ..."), at most {@code max}. */
    static List<String> exceptionLines(String trace, int max) {
        List<String> lines = new ArrayList<>();
        for (String line : trace.split("\r?\n")) {
            String stripped = line.strip();
            if (stripped.isEmpty()
                    || stripped.startsWith("at ")
                    || stripped.matches("\\.\\.\\. \\d+ more")
                    // The wrapper Flink's REST handlers put around a server-side exception.
                    || stripped.equals("<Exception on server side:")
                    || stripped.equals("End of exception on server side>")
                    || stripped.equals("Internal server error.")) {
                continue;
            }
            lines.add(line.startsWith("\t") ? line.substring(1) : line);
            if (lines.size() >= max) {
                break;
            }
        }
        return lines;
    }

    /** The last "Caused by:" of a trace, else its first exception line. */
    static String innermostCause(String trace) {
        String cause = null;
        for (String line : trace.split("\r?\n")) {
            if (line.startsWith("Caused by: ")) {
                cause = line.substring("Caused by: ".length());
            }
        }
        if (cause != null) {
            return cause.strip();
        }
        List<String> lines = exceptionLines(trace, 1);
        return lines.isEmpty() ? trace.strip() : lines.get(0).strip();
    }

    /** Flink's error list in one line each, frames left out. */
    static String summary(List<String> errors, int maxLines) {
        List<String> lines = exceptionLines(String.join("\n", errors), maxLines);
        return lines.isEmpty() ? "(no reason given)" : String.join(" / ", lines);
    }
}

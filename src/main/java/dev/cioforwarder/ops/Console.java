package dev.cioforwarder.ops;

import java.io.PrintStream;

/**
 * Where the operations write: stdout carries only the result (a job id, a savepoint path), so that
 * scripts can capture it; progress, warnings and errors go to stderr.
 */
public final class Console {

    private final PrintStream out;
    private final PrintStream err;

    public Console(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** The result, on stdout. */
    public void result(String line) {
        out.println(line);
        out.flush();
    }

    public void info(String message) {
        err.println("==> " + message);
        err.flush();
    }

    public void warn(String message) {
        err.println("WARNING: " + message);
        err.flush();
    }

    /** An error; its further lines are indented under the first, unless they are already. */
    public void error(String message) {
        StringBuilder text = new StringBuilder("ERROR: ");
        String[] lines = message.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                text.append('\n').append(lines[i].startsWith(" ") ? "" : "       ");
            }
            text.append(lines[i]);
        }
        err.println(text);
        err.flush();
    }

    /** Lines under a progress line (a reason, an exception summary). */
    public void detail(String text) {
        for (String line : text.split("\n")) {
            err.println("      " + line);
        }
        err.flush();
    }

    /** Plain text on stderr (usage, a table). */
    public void text(String text) {
        err.print(text);
        err.flush();
    }

    PrintStream out() {
        return out;
    }
}

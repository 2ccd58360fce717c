package dev.cioforwarder.settings;

import java.time.Duration;
import java.util.Locale;

/**
 * Parses durations as operators write them: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 2h},
 * {@code 30d}.
 */
public final class Durations {

    private Durations() {}

    public static Duration parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no duration");
        }
        String s = text.trim().toLowerCase(Locale.ROOT);
        int unitStart = 0;
        while (unitStart < s.length() && Character.isDigit(s.charAt(unitStart))) {
            unitStart++;
        }
        if (unitStart == 0) {
            throw new IllegalArgumentException("not a duration: " + text);
        }
        long amount = Long.parseLong(s.substring(0, unitStart));
        String unit = s.substring(unitStart).trim();
        Duration d;
        switch (unit) {
            case "ms":
                d = Duration.ofMillis(amount);
                break;
            case "s":
            case "":
                d = Duration.ofSeconds(amount);
                break;
            case "m":
            case "min":
                d = Duration.ofMinutes(amount);
                break;
            case "h":
                d = Duration.ofHours(amount);
                break;
            case "d":
                d = Duration.ofDays(amount);
                break;
            default:
                throw new IllegalArgumentException("unknown unit in " + text);
        }
        if (d.isZero()) {
            throw new IllegalArgumentException("a duration must be positive: " + text);
        }
        return d;
    }
}

package dev.cioforwarder.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU seconds used so far by each process of the local stack (its pid files) and by this harness,
 * read from {@code /proc/<pid>/stat}: on two shared cores, what each part costs explains a
 * throughput figure better than the TaskManager's load alone.
 */
final class ProcessCpu {

    /** Linux reports utime and stime in clock ticks, 100 a second on every common kernel. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessCpu() {}

    /** Process name (pid file name, and "producer" for this harness) → CPU seconds so far. */
    static Map<String, Double> snapshot(Path stackDir) {
        Map<String, Double> seconds = new TreeMap<>();
        if (stackDir != null && Files.isDirectory(stackDir.resolve("pids"))) {
            try (DirectoryStream<Path> pids =
                    Files.newDirectoryStream(stackDir.resolve("pids"), "*.pid")) {
                for (Path file : pids) {
                    String name = file.getFileName().toString().replace(".pid", "");
                    double cpu = cpuSeconds(Files.readString(file).trim());
                    if (cpu >= 0) {
                        seconds.put(name, cpu);
                    }
                }
            } catch (IOException e) {
                // No figures rather than no run: the stack may have been started elsewhere.
            }
        }
        seconds.put("producer", cpuSeconds(Long.toString(ProcessHandle.current().pid())));
        return seconds;
    }

    /** The difference of two snapshots, per process present in both. */
    static Map<String, Double> since(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> used = new TreeMap<>();
        after.forEach(
                (name, cpu) -> {
                    Double start = before.get(name);
                    if (start != null) {
                        used.put(name, Math.round((cpu - start) * 10) / 10.0);
                    }
                });
        return used;
    }

    private static double cpuSeconds(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // Fields after the command name, which is in parentheses and may hold spaces.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}

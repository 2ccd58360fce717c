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
        return snapshot(stackDir, ProcessCpu::cpuSeconds);
    }

    /**
     * Process name → CPU seconds its JIT compiler threads used so far. Each job loads its classes
     * afresh, so the JIT compiles them again; a run measured before that is over pays for it, and
     * this says how much.
     */
    static Map<String, Double> jitSnapshot(Path stackDir) {
        return snapshot(stackDir, ProcessCpu::jitCpuSeconds);
    }

    private static Map<String, Double> snapshot(
            Path stackDir, java.util.function.ToDoubleFunction<String> cpuOfPid) {
        Map<String, Double> seconds = new TreeMap<>();
        if (stackDir != null && Files.isDirectory(stackDir.resolve("pids"))) {
            try (DirectoryStream<Path> pids =
                    Files.newDirectoryStream(stackDir.resolve("pids"), "*.pid")) {
                for (Path file : pids) {
                    String name = file.getFileName().toString().replace(".pid", "");
                    double cpu = cpuOfPid.applyAsDouble(Files.readString(file).trim());
                    if (cpu >= 0) {
                        seconds.put(name, cpu);
                    }
                }
            } catch (IOException e) {
                // No figures rather than no run: the stack may have been started elsewhere.
            }
        }
        seconds.put(
                "producer", cpuOfPid.applyAsDouble(Long.toString(ProcessHandle.current().pid())));
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
        return statCpuSeconds(Path.of("/proc", pid, "stat"));
    }

    /**
     * The CPU of the process's HotSpot compiler threads ("C1 CompilerThre…", "C2 CompilerThre…" in
     * {@code /proc/<pid>/task/<tid>/comm}). A compiler thread that ended between two snapshots
     * takes its CPU with it; HotSpot keeps at least one of each kind.
     */
    private static double jitCpuSeconds(String pid) {
        Path tasks = Path.of("/proc", pid, "task");
        double sum = 0;
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
            for (Path thread : threads) {
                String comm = Files.readString(thread.resolve("comm")).trim();
                if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
                    double cpu = statCpuSeconds(thread.resolve("stat"));
                    sum += Math.max(cpu, 0);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return sum;
    }

    private static double statCpuSeconds(Path statFile) {
        try {
            String stat = Files.readString(statFile);
            // Fields after the command name, which is in parentheses and may hold spaces.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}

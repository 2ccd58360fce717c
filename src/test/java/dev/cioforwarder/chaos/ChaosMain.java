package dev.cioforwarder.chaos;

import dev.cioforwarder.testing.MavenClasspath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code scripts/chaos.sh}: the fault suite with realistic spans against the local stack in its own
 * state directory (started when it is not running, and then stopped at the end), printing the table
 * and writing result.md and result.json.
 *
 * <pre>
 * ChaosMain [--scenarios a,b,...] [--minutes N] [--rate BATCHES_PER_SECOND] [--short]
 *           [--out DIR] [--keep-stack] [--command TEXT]
 * </pre>
 *
 * Exit status: 0 every check passed; 1 a check failed; 2 the suite could not run.
 */
public final class ChaosMain {

    /** The suite's own ports, away from the stack.sh defaults (and from run-local.sh's stack). */
    static final Map<String, Integer> DEFAULT_PORTS =
            Map.of(
                    "KAFKA_PORT", 29092,
                    "KAFKA_CONTROLLER_PORT", 29093,
                    "FLINK_REST_PORT", 28081,
                    "FLINK_RPC_PORT", 26123,
                    "SIMULATOR_PORT", 28090);

    private ChaosMain() {}

    public static void main(String[] args) {
        try {
            System.exit(run(args));
        } catch (IllegalArgumentException e) {
            System.err.println("ERROR: " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("ERROR: the fault suite could not run: " + e);
            e.printStackTrace();
            System.exit(2);
        }
    }

    static int run(String[] args) throws Exception {
        List<Fault> faults = new ArrayList<>();
        for (Fault f : Fault.values()) {
            if (f.inDefaultSuite()) {
                faults.add(f);
            }
        }
        double minutes = 2;
        double rate = 20;
        Path repo = MavenClasspath.projectDir();
        Path out = repo.resolve("target/chaos");
        boolean keepStack = false;
        boolean ciSpans = false;
        String command = "scripts/chaos.sh";
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--scenarios":
                    faults.clear();
                    for (String key : value(args, i++).split(",")) {
                        if (!key.isBlank()) {
                            faults.add(Fault.byKey(key));
                        }
                    }
                    break;
                case "--minutes":
                    minutes = positive(arg, value(args, i++));
                    break;
                case "--rate":
                    rate = positive(arg, value(args, i++));
                    break;
                case "--out":
                    out = Path.of(value(args, i++)).toAbsolutePath();
                    break;
                case "--short":
                    ciSpans = true;
                    break;
                case "--keep-stack":
                    keepStack = true;
                    break;
                case "--command":
                    command = value(args, i++);
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument \"" + arg + "\"");
            }
        }
        if (faults.isEmpty()) {
            throw new IllegalArgumentException("--scenarios names no scenario");
        }
        Spans spans = ciSpans ? Spans.ci() : Spans.realistic(minutes, rate);
        Map<String, String> environment = new LinkedHashMap<>(System.getenv());
        Path stateDir =
                Path.of(
                                environment.getOrDefault(
                                        "CIO_STATE_DIR",
                                        repo.resolve("target/chaos-stack").toString()))
                        .toAbsolutePath();
        ChaosStack stack = ChaosStack.of(stateDir, environment, DEFAULT_PORTS);
        System.out.printf(
                "Fault suite: %s%nStack: %s (Kafka 127.0.0.1:%s, Flink %s, simulator %s)%n",
                spans.describe(),
                stateDir,
                stack.env().get("KAFKA_PORT"),
                stack.flinkUrl(),
                stack.simulatorUrl());
        List<ScenarioResult> results = new ArrayList<>();
        List<ListeningSockets.Listener> exposed = new ArrayList<>();
        stack.start();
        String settings;
        try (ChaosDriver driver = new ChaosDriver(stack)) {
            settings = driver.settings(faults.get(0).usesJobDefaults());
            List<ListeningSockets.Listener> listeners = ListeningSockets.of(stack.runningPids());
            listeners.forEach(
                    l -> {
                        if (!l.loopbackOnly()) {
                            exposed.add(l);
                        }
                    });
            System.out.printf(
                    "Listening sockets of the stack: %d, %s%n",
                    listeners.size(),
                    exposed.isEmpty() ? "all on 127.0.0.1" : "NOT ON 127.0.0.1: " + exposed);
            // The first scenario's kind of job (the suite's short timeouts, or the defaults); the
            // driver starts another job when a later scenario needs the other kind.
            driver.startJob(faults.get(0).usesJobDefaults());
            try {
                for (Fault fault : faults) {
                    ScenarioResult result = driver.run(fault, spans);
                    results.add(result);
                    ChaosReport.write(out, results, command, spans, settings);
                    System.out.printf(
                            "%s: %s%n",
                            fault.key,
                            result.passed() ? "all checks passed" : "FAILED " + result.failures);
                }
            } finally {
                driver.cancelJob();
            }
        } finally {
            if (keepStack) {
                stack.keepRunning();
            } else {
                stack.stopIfStartedHere();
            }
        }
        System.out.println();
        System.out.print(ChaosReport.table(results));
        System.out.println();
        System.out.println(
                "Written: "
                        + out.resolve("result.md")
                        + ", "
                        + out.resolve("result.json")
                        + (results.stream().anyMatch(r -> r.outage != null)
                                ? ", " + out.resolve(ChaosReport.CHECKPOINT_AGE_PLOT)
                                : ""));
        boolean passed = exposed.isEmpty() && results.stream().allMatch(ScenarioResult::passed);
        if (!exposed.isEmpty()) {
            System.out.println("FAILED: services listen beyond 127.0.0.1: " + exposed);
        }
        if (!passed) {
            for (ScenarioResult r : results) {
                r.failures.forEach(f -> System.out.println("FAILED " + r.fault + ": " + f));
            }
        }
        return passed ? 0 : 1;
    }

    private static String value(String[] args, int i) {
        if (i + 1 >= args.length || args[i + 1].isBlank()) {
            throw new IllegalArgumentException(args[i] + " needs a value");
        }
        return args[i + 1];
    }

    private static double positive(String name, String value) {
        try {
            double d = Double.parseDouble(value);
            if (d > 0) {
                return d;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(
                name + " must be a positive number, got \"" + value + "\"");
    }
}

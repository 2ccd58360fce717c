package dev.cioforwarder.simulator;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the simulator as a process (for {@code scripts/} and the benchmark).
 *
 * <pre>
 * SimulatorMain --port 8090 --bind 127.0.0.1 --site-id SITE --api-key-file FILE | --api-key-env NAME
 *               [--region us|eu] [--threads N] [--max-stored-events N]
 *               [--apply-delay-ms N [--apply-seed S]]
 * </pre>
 *
 * {@code --apply-delay-ms} turns on apply-later mode: accepted operations are applied N ms after
 * the answer, a batch's in an order shuffled with the seed ({@code --apply-seed}, else a random
 * one, printed at start).
 *
 * <p>The key is never taken from the command line, where {@code ps} would show it.
 */
public final class SimulatorMain {

    private SimulatorMain() {}

    public static void main(String[] args) throws Exception {
        SimulatorConfig.Builder config = SimulatorConfig.builder().port(8090);
        String apiKey = null;
        Long applyDelayMs = null;
        Long applySeed = null;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                usage("missing value for " + args[i]);
            }
            String value = args[i + 1];
            switch (args[i]) {
                case "--port":
                    config.port(Integer.parseInt(value));
                    break;
                case "--bind":
                    config.bindAddress(value);
                    break;
                case "--site-id":
                    config.siteId(value);
                    break;
                case "--api-key-file":
                    apiKey = Files.readString(Path.of(value), StandardCharsets.UTF_8).trim();
                    break;
                case "--api-key-env":
                    apiKey = System.getenv(value);
                    if (apiKey == null) {
                        usage("environment variable " + value + " is not set");
                    }
                    break;
                case "--region":
                    config.region(value);
                    break;
                case "--threads":
                    config.threads(Integer.parseInt(value));
                    break;
                case "--max-stored-events":
                    config.maxStoredEvents(Integer.parseInt(value));
                    break;
                case "--apply-delay-ms":
                    applyDelayMs = Long.parseLong(value);
                    if (applyDelayMs < 0) {
                        usage("--apply-delay-ms cannot be negative");
                    }
                    break;
                case "--apply-seed":
                    applySeed = Long.parseLong(value);
                    break;
                default:
                    usage("unknown option " + args[i]);
            }
        }
        if (applySeed != null && applyDelayMs == null) {
            usage("--apply-seed needs --apply-delay-ms (apply-later mode)");
        }
        if (applyDelayMs != null) {
            Duration delay = Duration.ofMillis(applyDelayMs);
            if (applySeed != null) {
                config.applyLater(delay, applySeed);
            } else {
                config.applyLater(delay);
            }
        }
        if (apiKey == null || apiKey.isEmpty()) {
            usage("give the API key with --api-key-file or --api-key-env");
        }
        CustomerioSimulator simulator = CustomerioSimulator.start(config.apiKey(apiKey).build());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    simulator.close();
                                    stopped.countDown();
                                }));
        System.out.println("Customer.io simulator listening on " + simulator.baseUrl());
        System.out.flush();
        stopped.await();
    }

    private static void usage(String problem) {
        System.err.println("simulator: " + problem);
        System.err.println(
                "usage: SimulatorMain --port 8090 --bind 127.0.0.1 --site-id SITE (--api-key-file"
                        + " FILE | --api-key-env NAME) [--region us|eu] [--threads N]"
                        + " [--max-stored-events N] [--apply-delay-ms N [--apply-seed S]]");
        System.exit(2);
    }
}

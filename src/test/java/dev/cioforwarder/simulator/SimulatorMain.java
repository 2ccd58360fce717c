package dev.cioforwarder.simulator;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the simulator as a process (for {@code scripts/} and the benchmark).
 *
 * <pre>
 * SimulatorMain --port 8090 --bind 127.0.0.1 --site-id SITE --api-key-file FILE | --api-key-env NAME
 *               [--region us|eu] [--threads N] [--max-stored-events N]
 * </pre>
 *
 * The key is never taken from the command line, where {@code ps} would show it.
 */
public final class SimulatorMain {

    private SimulatorMain() {}

    public static void main(String[] args) throws Exception {
        SimulatorConfig.Builder config = SimulatorConfig.builder().port(8090);
        String apiKey = null;
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
                default:
                    usage("unknown option " + args[i]);
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
                        + " [--max-stored-events N]");
        System.exit(2);
    }
}

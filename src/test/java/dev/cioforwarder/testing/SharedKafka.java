package dev.cioforwarder.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One broker for all integration tests of a JVM run (starting one takes ~15 s): tests isolate
 * themselves with their own topics. Tests that stop or kill a broker start their own instead.
 */
public final class SharedKafka {

    private static LocalKafkaBroker broker;

    private SharedKafka() {}

    public static synchronized LocalKafkaBroker get() throws Exception {
        if (broker == null) {
            Path dir = Files.createTempDirectory("shared-kafka");
            broker = LocalKafkaBroker.start(dir);
            LocalKafkaBroker started = broker;
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> {
                                        try {
                                            started.close();
                                        } catch (InterruptedException ignored) {
                                            Thread.currentThread().interrupt();
                                        }
                                    }));
        }
        return broker;
    }
}

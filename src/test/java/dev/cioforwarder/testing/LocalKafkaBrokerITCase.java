package dev.cioforwarder.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test broker is a real broker: it keeps records across a crash and binds to loopback only. */
class LocalKafkaBrokerITCase {

    @TempDir Path dir;

    @Test
    void keepsRecordsAcrossAKillAndRestart() throws Exception {
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(dir)) {
            assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
            broker.createTopic("t", 2);
            List<Map.Entry<String, byte[]>> records =
                    List.of(
                            new AbstractMap.SimpleEntry<>(
                                    "a", "1".getBytes(StandardCharsets.UTF_8)),
                            new AbstractMap.SimpleEntry<>(
                                    "b", "2".getBytes(StandardCharsets.UTF_8)));
            broker.produce("t", records);

            broker.kill();
            broker.restart();

            assertThat(broker.readCommitted("t", 2, Duration.ofSeconds(60)))
                    .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .containsExactlyInAnyOrder("1", "2");
        }
    }
}

package dev.cioforwarder.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mapping.RecordIntake;
import dev.cioforwarder.mapping.Transition;
import dev.cioforwarder.mapping.UserStateMachine;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.state.DeviceFirstSeen;
import dev.cioforwarder.state.UserState;
import dev.cioforwarder.testing.Fixtures;
import dev.cioforwarder.testing.MavenClasspath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What Customer.io receives for the sample fixtures and the conformance corpus under the default
 * settings (commerce events off, the one feature on by default that adds operations) is pinned in
 * {@code src/test/resources/golden/default-settings-operations.txt}, written before the features of
 * push devices, anonymous events, identifier changes and erasure existed: with their settings at
 * the defaults, nothing of it changes. Rewrite the file on purpose with {@code
 * -Dgolden.write=true}, and say why in the commit.
 */
class DefaultSettingsUnchangedTest {

    private static final Path GOLDEN =
            MavenClasspath.projectDir()
                    .resolve("src/test/resources/golden/default-settings-operations.txt");
    private static final long RECORD_TIME = 1_764_400_000_000L;

    @Test
    void theDefaultsSendWhatTheyAlwaysSent() throws Exception {
        List<String> lines =
                render(MappingSettings.defaults().toBuilder().forwardCommerceEvents(false).build());
        if (Boolean.getBoolean("golden.write")) {
            Files.write(GOLDEN, lines, StandardCharsets.UTF_8);
        }
        assertThat(lines).isEqualTo(Files.readAllLines(GOLDEN, StandardCharsets.UTF_8));
    }

    /**
     * Commerce events on (the true defaults): what the golden file holds, in the same order, plus
     * the commerce events, and nothing else.
     */
    @Test
    void commerceEventsOnlyAddTheirEvents() throws Exception {
        List<String> golden = Files.readAllLines(GOLDEN, StandardCharsets.UTF_8);
        List<String> lines = render(MappingSettings.defaults());
        List<String> added = new ArrayList<>();
        int matched = 0;
        for (String line : lines) {
            if (matched < golden.size() && line.equals(golden.get(matched))) {
                matched++;
            } else {
                added.add(line);
            }
        }
        assertThat(matched).as("every golden line, in order").isEqualTo(golden.size());
        List<String> names = new ArrayList<>();
        for (String line : added) {
            JsonNode op = MAPPER.readTree(line);
            assertThat(op.path("action").asText()).as(line).isEqualTo("event");
            names.add(op.path("name").asText());
        }
        // The corpus's commerce events: add_to_cart, a promotion click and impressions, the
        // purchase, and the purchase of mParticle's Events API sample.
        assertThat(names)
                .containsExactly(
                        "add_to_cart",
                        "promotion_click",
                        "product_impression",
                        "purchase",
                        "purchase");
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static List<String> render(MappingSettings settings) throws Exception {
        UserStateMachine machine = new UserStateMachine(settings);
        Map<String, UserState> states = new HashMap<>();
        Map<String, Map<String, Long>> devices = new HashMap<>();
        List<String> lines = new ArrayList<>();
        List<String[]> inputs = new ArrayList<>();
        for (String name : Fixtures.ALL) {
            inputs.add(new String[] {"fixtures/" + name, Fixtures.text(name)});
        }
        Path corpus =
                MavenClasspath.projectDir().resolve("src/test/resources/mparticle/conformance");
        try (Stream<Path> files = Files.list(corpus)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".json"))
                            .sorted()
                            .collect(Collectors.toList())) {
                inputs.add(
                        new String[] {"conformance/" + file.getFileName(), Files.readString(file)});
            }
        }
        // The parse stage's own intake: with commerce events off, it is what takes them out.
        RecordIntake intake = new RecordIntake(BatchParser.DEFAULT_MAX_RECORD_BYTES, settings);
        for (String[] input : inputs) {
            lines.add("# " + input[0]);
            MParticleBatch batch =
                    intake.read(input[1].getBytes(StandardCharsets.UTF_8), RECORD_TIME).batch();
            if (batch == null) {
                continue;
            }
            String user = batch.userKey;
            Map<String, Long> userDevices = devices.computeIfAbsent(user, k -> new HashMap<>());
            Transition t =
                    machine.apply(
                            states.get(user),
                            new DeviceFirstSeen() {
                                @Override
                                public Long get(String deviceType) {
                                    return userDevices.get(deviceType);
                                }

                                @Override
                                public void put(String deviceType, long firstSeenMs) {
                                    userDevices.put(deviceType, firstSeenMs);
                                }
                            },
                            batch);
            if (t.state() != null) {
                states.put(user, t.state());
            }
            for (CustomerioOperation op : t.operations()) {
                lines.add(
                        (op.path != null ? op.method + " " + op.path + " " : "")
                                + new String(op.body, StandardCharsets.UTF_8));
            }
        }
        return lines;
    }
}

package dev.cioforwarder.preview;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cioforwarder.testing.Fixtures;
import dev.cioforwarder.testing.MavenClasspath;
import dev.cioforwarder.testing.TrackApiSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreviewCommandTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir Path dir;

    private List<JsonNode> run(String stdin, String... args) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code =
                PreviewCommand.run(
                        args,
                        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                        new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(code).isZero();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(MAPPER.readTree(line));
            }
        }
        return lines;
    }

    private Path fixtureFile(String name) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, Fixtures.bytes(name));
        return file;
    }

    private String[] allFixtures() throws IOException {
        List<String> paths = new ArrayList<>();
        for (String name : Fixtures.ALL) {
            paths.add(fixtureFile(name).toString());
        }
        return paths.toArray(new String[0]);
    }

    @Test
    void previewsEveryFixtureAsV2EntityRequestsByDefault() throws IOException {
        List<JsonNode> lines = run("", allFixtures());

        List<String> summary = new ArrayList<>();
        for (JsonNode line : lines) {
            if (line.get("kind").asText().equals("request")) {
                JsonNode body = line.get("body");
                assertThat(line.get("method").asText()).isEqualTo("POST");
                assertThat(line.get("path").asText()).isEqualTo("/api/v2/entity");
                assertThat(TrackApiSpec.violations(TrackApiSpec.V2_BATCH_ITEM, body.toString()))
                        .isEmpty();
                summary.add(
                        body.get("action").asText()
                                + " "
                                + body.get("identifiers").toString()
                                + (body.has("name") ? " " + body.get("name").asText() : ""));
            } else {
                summary.add(line.get("kind").asText() + " " + line.get("reason").asText());
            }
        }
        assertThat(summary)
                .containsExactly(
                        "identify {\"id\":\"cust-1001\"}",
                        "screen {\"id\":\"cust-1001\"} Home_Screen",
                        "event {\"id\":\"cust-1001\"} Add_To_Cart",
                        "identify {\"email\":\"grace@example.org\"}",
                        "screen {\"email\":\"grace@example.org\"} /pricing",
                        "event {\"email\":\"grace@example.org\"} Signed_Up",
                        // The opt-out's unsubscribe goes alone, then the profile.
                        "identify {\"id\":\"cust-2002\"}",
                        "identify {\"id\":\"cust-2002\"}",
                        "event {\"id\":\"cust-2002\"} Viewed_Settings",
                        "skipped no_identity",
                        // The same user as the first fixture: only what changed is sent.
                        "identify {\"id\":\"cust-1001\"}");
    }

    @Test
    void showsAnIdentifierChangeAsTheStepsDeliveryTakes() throws IOException {
        Path appApiKey = dir.resolve("app-api-key");
        Files.writeString(appApiKey, "app-key");
        String batches =
                "{\"mpid\":7,\"timestamp_unixtime_ms\":1764400000000,"
                        + "\"user_identities\":{\"customer_id\":\"c-7\"},\"events\":[]}\n"
                        + "{\"mpid\":7,\"timestamp_unixtime_ms\":1764400060000,"
                        + "\"user_identities\":{\"customer_id\":\"c-8\"},\"events\":[]}\n";
        List<JsonNode> lines = run(batches, "--set", "customerio.app-api-key-file=" + appApiKey);
        JsonNode change =
                lines.stream()
                        .filter(l -> l.get("kind").asText().equals("identifier_change"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(lines.toString()));
        assertThat(change.get("person").toString()).isEqualTo("{\"id\":\"c-7\"}");
        assertThat(change.get("set").toString()).isEqualTo("{\"id\":\"c-8\"}");
        assertThat(change.get("steps"))
                .extracting(JsonNode::asText)
                .containsExactly(
                        "App API: GET /v1/customers/c-7/attributes?id_type=id (the person's"
                                + " cio_id)",
                        "App API: GET /v1/customers/c-8/attributes?id_type=id (nobody else may"
                                + " have it: else identifier_conflict)",
                        "Track API: PUT /api/v1/customers/cio_<cio_id>, setting the new id");
        assertThat(lines.toString()).doesNotContain("app-key");
    }

    @Test
    void previewsV1RequestsWithTheirPaths() throws IOException {
        List<JsonNode> lines =
                run(
                        "",
                        "--set",
                        "customerio.api-mode=v1",
                        fixtureFile("web-email-only-string-numbers.json").toString());
        assertThat(lines)
                .extracting(l -> l.get("method").asText() + " " + l.get("path").asText())
                .containsExactly(
                        "PUT /api/v1/customers/grace%40example.org",
                        "POST /api/v1/customers/grace%40example.org/events",
                        "POST /api/v1/customers/grace%40example.org/events");
    }

    @Test
    void readsSettingsFromAFileAndSetOverridesThem() throws IOException {
        Path settings = dir.resolve("job.properties");
        Files.writeString(
                settings, "customerio.user-id-type=email\ncustomerio.site-id=ignored-here\n");
        List<JsonNode> byEmail =
                run(
                        "",
                        "--settings",
                        settings.toString(),
                        fixtureFile("ios-customer-and-email.json").toString());
        assertThat(byEmail.get(0).get("body").get("identifiers").toString())
                .isEqualTo("{\"email\":\"ada@example.com\"}");

        List<JsonNode> byMpid =
                run(
                        "",
                        "--settings",
                        settings.toString(),
                        "--set",
                        "customerio.user-id-type=mpid",
                        fixtureFile("ios-customer-and-email.json").toString());
        assertThat(byMpid.get(0).get("body").get("identifiers").toString())
                .isEqualTo("{\"id\":\"8315498751227740121\"}");
    }

    @Test
    void readsOneBatchPerLineFromStandardInputAndReportsBadLines() throws IOException {
        String stdin =
                "{\"mpid\":1,\"user_identities\":{\"customer_id\":\"a\"},\"events\":[{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"x\"}}]}\n"
                    + "{not json\n"
                    + "\n"
                    + "[1,2]\n"
                    + "{\"mpid\":2,\"events\":[{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"x\"}}]}\n";
        List<JsonNode> lines = run(stdin);
        assertThat(lines)
                .extracting(
                        l ->
                                l.get("kind").asText()
                                        + " "
                                        + (l.has("reason")
                                                ? l.get("reason").asText()
                                                : l.get("body").get("action").asText()))
                .containsExactly(
                        "request identify",
                        "request event",
                        "dead_letter invalid_json",
                        "dead_letter not_an_object",
                        "skipped no_identity");
        assertThat(lines.get(4).get("mpid").asText()).isEqualTo("2");
    }

    @Test
    void aRejectedEventIsADeadLetterWithItsReason() throws IOException {
        List<JsonNode> lines =
                run(
                        "{\"mpid\":1,\"user_identities\":{\"customer_id\":\"a\"},\"events\":[{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\""
                            + "  \"}}]}");
        assertThat(lines.get(0).get("kind").asText()).isEqualTo("dead_letter");
        assertThat(lines.get(0).get("reason").asText()).isEqualTo("event_name_empty");
        assertThat(lines.get(0).get("stage").asText()).isEqualTo("mapping");
    }

    @Test
    void aRecordOverTheMaximumSizeIsTheDeadLetterTheJobWouldWrite() throws IOException {
        String batch =
                "{\"mpid\":1,\"user_identities\":{\"customer_id\":\"a\"},\"events\":[{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"Bought\"}}]}";
        assertThat(run(batch).get(0).get("kind").asText()).isNotEqualTo("dead_letter");
        List<JsonNode> lines =
                run(batch, "--set", "mparticle.max-record-bytes=" + (batch.length() - 1));
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).get("kind").asText()).isEqualTo("dead_letter");
        assertThat(lines.get(0).get("reason").asText()).isEqualTo("record_too_large");
    }

    @Test
    void anInvalidSettingIsReportedWithTheAcceptedValues() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.io.PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code =
                    PreviewCommand.run(
                            new String[] {"--set", "customerio.user-id-type=phone"},
                            new ByteArrayInputStream(new byte[0]),
                            new PrintStream(out, true, StandardCharsets.UTF_8));
            assertThat(code).isEqualTo(2);
        } finally {
            System.setErr(originalErr);
        }
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("customerio.user-id-type")
                .contains("prefer_customer_id, customer_id, email, mpid");
    }

    @Test
    void appliesSettingsFilesAndSingleSettingsInTheOrderGiven() throws IOException {
        Path file = dir.resolve("preview.properties");
        Files.writeString(file, "customerio.api-mode=v1\n");
        String batch = "{\"mpid\":1,\"user_identities\":{\"customer_id\":\"a\"},\"events\":[]}";

        assertThat(run(batch, "--settings", file.toString()).get(0).get("method").asText())
                .isEqualTo("PUT");
        assertThat(
                        run(
                                        batch,
                                        "--settings",
                                        file.toString(),
                                        "--set",
                                        "customerio.api-mode=v2-batch")
                                .get(0)
                                .get("path")
                                .asText())
                .isEqualTo("/api/v2/entity");
        assertThat(
                        run(
                                        batch,
                                        "--set",
                                        "customerio.api-mode=v2-batch",
                                        "--settings",
                                        file.toString())
                                .get(0)
                                .get("method")
                                .asText())
                .isEqualTo("PUT");
    }

    @Test
    void aSettingWithoutAValueIsAUsageError() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.io.PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(
                            PreviewCommand.run(
                                    new String[] {"--set", "customerio.api-mode"},
                                    new ByteArrayInputStream(new byte[0]),
                                    new PrintStream(out, true, StandardCharsets.UTF_8)))
                    .isEqualTo(2);
            assertThat(
                            PreviewCommand.run(
                                    new String[] {"--settings"},
                                    new ByteArrayInputStream(new byte[0]),
                                    new PrintStream(out, true, StandardCharsets.UTF_8)))
                    .isEqualTo(2);
        } finally {
            System.setErr(originalErr);
        }
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("preview: --set takes key=value, got customerio.api-mode")
                .contains("--settings");
        assertThat(out.size()).isZero();
    }

    @Test
    void helpPrintsTheUsage() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code =
                PreviewCommand.run(
                        new String[] {"--help"},
                        new ByteArrayInputStream(new byte[0]),
                        new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("scripts/preview.sh [--settings FILE] [--set key=value ...] [FILE ...]");
    }

    @Test
    void showsTheAttachBarrierAndWhatWasAdjusted() throws IOException {
        List<JsonNode> lines =
                run(
                        "{\"mpid\":1,\"timestamp_unixtime_ms\":1764400000000,\"user_identities\":{\"email\":\"u@x.io\"}}\n"
                            + "{\"mpid\":1,\"timestamp_unixtime_ms\":1764400100000,"
                            + "\"user_identities\":{\"email\":\"u@x.io\",\"customer_id\":\"c-1\"},"
                            + "\"events\":[{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"Invite\","
                            + "\"custom_attributes\":{\"recipient\":\"other@x.io\"}}}]}");
        List<String> summary = new ArrayList<>();
        for (JsonNode line : lines) {
            String kind = line.get("kind").asText();
            summary.add(
                    kind.equals("request")
                            ? line.get("body").get("action").asText()
                                    + " "
                                    + line.get("body").get("identifiers")
                                    + (line.has("last_in_request") ? " last_in_request" : "")
                            : kind + " " + line.get("reason").asText());
        }
        assertThat(summary)
                .containsExactly(
                        "identify {\"email\":\"u@x.io\"}",
                        "adjusted event_property_renamed",
                        "identify {\"email\":\"u@x.io\"} last_in_request",
                        "event {\"id\":\"c-1\"}");
        assertThat(lines.get(lines.size() - 1).get("body").get("attributes").toString())
                .isEqualTo("{\"mp_recipient\":\"other@x.io\"}");
    }

    /** The push devices example of docs/mapping.md: {@code scripts/samples/push-devices.jsonl}. */
    @Test
    void previewsPushDevicesAsTheDocumentationShowsThem() throws IOException {
        Path samples = MavenClasspath.projectDir().resolve("scripts/samples/push-devices.jsonl");
        List<String> lines = new ArrayList<>();
        for (JsonNode line :
                run("", "--set", "customerio.forward-devices=true", samples.toString())) {
            lines.add(line.toString());
        }
        assertThat(lines).containsExactly(DOCUMENTED_EXAMPLE);

        // Without the setting the same batches send no device.
        assertThat(run("", samples.toString()))
                .allSatisfy(l -> assertThat(l.toString()).doesNotContain("_device"));
    }

    private static final String[] DOCUMENTED_EXAMPLE = {
        "{\"kind\":\"request\",\"method\":\"POST\",\"path\":\"/api/v2/entity\",\"body\":{\"type\":\"person\",\"identifiers\":{\"id\":\"cust-1001\"},\"action\":\"identify\",\"timestamp\":1764320400,\"attributes\":{\"first_name\":\"Ada\"}}}",
        "{\"kind\":\"request\",\"method\":\"POST\",\"path\":\"/api/v2/entity\",\"body\":{\"type\":\"person\",\"identifiers\":{\"id\":\"cust-1001\"},\"action\":\"add_device\",\"device\":{\"token\":\"apns-5f2e8a91\",\"platform\":\"ios\",\"last_used\":1764320400}}}",
        "{\"kind\":\"skipped\",\"reason\":\"no_identity\",\"mpid\":\"2002\"}",
        "{\"kind\":\"request\",\"method\":\"POST\",\"path\":\"/api/v2/entity\",\"body\":{\"type\":\"person\",\"identifiers\":{\"email\":\"grace@example.org\"},\"action\":\"identify\",\"timestamp\":1764320600,\"attributes\":{\"email\":\"grace@example.org\"}}}",
        "{\"kind\":\"request\",\"method\":\"POST\",\"path\":\"/api/v2/entity\",\"body\":{\"type\":\"person\",\"identifiers\":{\"email\":\"grace@example.org\"},\"action\":\"add_device\",\"device\":{\"token\":\"fcm-d5b36bf1\",\"platform\":\"android\",\"last_used\":1764320500}}}",
        "{\"kind\":\"request\",\"method\":\"POST\",\"path\":\"/api/v2/entity\",\"body\":{\"type\":\"person\",\"identifiers\":{\"id\":\"cust-3003\"},\"action\":\"identify\",\"timestamp\":1764320700,\"attributes\":{}}}",
        "{\"kind\":\"request\",\"method\":\"POST\",\"path\":\"/api/v2/entity\",\"body\":{\"type\":\"person\",\"identifiers\":{\"id\":\"cust-1001\"},\"action\":\"delete_device\",\"device\":{\"token\":\"apns-5f2e8a91\"}}}",
        "{\"kind\":\"request\",\"method\":\"POST\",\"path\":\"/api/v2/entity\",\"body\":{\"type\":\"person\",\"identifiers\":{\"id\":\"cust-3003\"},\"action\":\"add_device\",\"device\":{\"token\":\"apns-5f2e8a91\",\"platform\":\"ios\",\"last_used\":1764320700}}}",
        "{\"kind\":\"request\",\"method\":\"POST\",\"path\":\"/api/v2/entity\",\"body\":{\"type\":\"person\",\"identifiers\":{\"email\":\"grace@example.org\"},\"action\":\"delete_device\",\"device\":{\"token\":\"fcm-d5b36bf1\"}}}",
        "{\"kind\":\"skipped\",\"reason\":\"device_platform_unsupported\",\"mpid\":\"1001\"}"
    };
}

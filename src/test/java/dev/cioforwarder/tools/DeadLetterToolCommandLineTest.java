package dev.cioforwarder.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cioforwarder.tools.DeadLetterTool.ListCommand;
import dev.cioforwarder.tools.DeadLetterTool.PurgeCommand;
import dev.cioforwarder.tools.DeadLetterTool.ReplayCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

/** The arguments of scripts/dead-letters.sh, without a Kafka broker. */
class DeadLetterToolCommandLineTest {

    private static final DeadLetterTopic DEFAULT_TOPIC =
            new DeadLetterTopic("127.0.0.1:9092", null, "mparticle-batches.customerio-dlq");

    private static DeadLetterTool.Subcommand parse(String... args) {
        return DeadLetterTool.parse(DeadLetterTool.commandLine(), args);
    }

    /** Exit status, standard output and standard error of one run. */
    private record Run(int code, String out, String err) {}

    private static Run run(String... args) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                DeadLetterTool.run(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void listTakesEveryFilterThePayloadFlagAndTheCommonOptions() {
        DeadLetterTool.Subcommand command =
                parse(
                        "list",
                        "--reason",
                        "invalid_json",
                        "--stage",
                        "parse",
                        "--mpid",
                        "8315498751227740121",
                        "--contains",
                        "Ann@Example.com",
                        "--offsets",
                        "0:17, 1:3",
                        "--max",
                        "5",
                        "--payload",
                        "--bootstrap-servers",
                        "kafka:9093",
                        "--topic",
                        "dlq",
                        "--command-config",
                        "client.properties");

        assertThat(command).isInstanceOf(ListCommand.class);
        assertThat(((ListCommand) command).payload).isTrue();
        assertThat(command.filter())
                .isEqualTo(
                        new DeadLetterFilter(
                                "invalid_json",
                                "parse",
                                "8315498751227740121",
                                "Ann@Example.com",
                                Set.of("0:17", "1:3"),
                                5));
        assertThat(command.topic())
                .isEqualTo(new DeadLetterTopic("kafka:9093", Path.of("client.properties"), "dlq"));
    }

    @Test
    void withoutOptionsEveryLetterOfTheDefaultTopicIsRead() {
        DeadLetterTool.Subcommand command = parse("list");

        assertThat(((ListCommand) command).payload).isFalse();
        assertThat(command.filter())
                .isEqualTo(
                        new DeadLetterFilter(null, null, null, null, Set.of(), Integer.MAX_VALUE));
        assertThat(command.topic()).isEqualTo(DEFAULT_TOPIC);
    }

    @Test
    void replayTakesItsTargetTopicAndDryRun() {
        ReplayCommand command =
                (ReplayCommand)
                        parse(
                                "replay",
                                "--offsets",
                                "0:17,0:18",
                                "--offsets",
                                "2:1",
                                "--to",
                                "mparticle-batches",
                                "--dry-run");

        assertThat(command.to).isEqualTo("mparticle-batches");
        assertThat(command.dryRun).isTrue();
        assertThat(command.filter().offsets()).containsExactlyInAnyOrder("0:17", "0:18", "2:1");

        ReplayCommand plain = (ReplayCommand) parse("replay", "--reason", "event_name_too_long");
        assertThat(plain.to).isNull();
        assertThat(plain.dryRun).isFalse();
        assertThat(plain.filter().reason()).isEqualTo("event_name_too_long");
    }

    @Test
    void purgeTakesThePerson() {
        PurgeCommand command =
                (PurgeCommand)
                        parse("purge", "--mpid", "8315498751227740121", "--contains", "ann@x.com");

        assertThat(command.filter().mpid()).isEqualTo("8315498751227740121");
        assertThat(command.filter().contains()).isEqualTo("ann@x.com");
    }

    @Test
    void theCommonOptionsMayComeBeforeTheCommandAndALaterOneWins() {
        DeadLetterTool.Subcommand command =
                parse("--topic", "first", "replay", "--topic", "second", "--dry-run");

        assertThat(command.topic().name()).isEqualTo("second");
        assertThat(command.topic().bootstrapServers()).isEqualTo("127.0.0.1:9092");
    }

    @Test
    void anOptionOfAnotherCommandIsAUsageError() {
        assertThatThrownBy(() -> parse("replay", "--payload"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("--payload");
        assertThatThrownBy(() -> parse("list", "--dry-run"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("--dry-run");
        assertThatThrownBy(() -> parse("purge", "--to", "t"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("--to");
    }

    @Test
    void anUnknownOptionExitsTwoAndSaysWhich() throws IOException {
        Run run = run("list", "--reasons", "invalid_json");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).startsWith("dead-letters: ").contains("--reasons");
        assertThat(run.err()).contains("usage: scripts/dead-letters.sh list");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aMissingCommandExitsTwo() throws IOException {
        Run none = run();
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("a command is missing: list, replay or purge");

        // What scripts/dead-letters.sh runs when it is given no command.
        Run fromScript = run("", "--bootstrap-servers", "127.0.0.1:9092");
        assertThat(fromScript.code()).isEqualTo(2);
        assertThat(fromScript.err()).startsWith("dead-letters: ");
    }

    @Test
    void anUnknownCommandOrAStrayArgumentExitsTwo() throws IOException {
        assertThat(run("show").code()).isEqualTo(2);
        Run stray = run("list", "invalid_json");
        assertThat(stray.code()).isEqualTo(2);
        assertThat(stray.err()).contains("invalid_json");
    }

    @Test
    void aMaxThatIsNoNumberOrAnOptionWithoutItsValueExitsTwo() throws IOException {
        Run max = run("list", "--max", "many");
        assertThat(max.code()).isEqualTo(2);
        assertThat(max.err()).contains("--max").contains("many");

        Run noValue = run("list", "--reason");
        assertThat(noValue.code()).isEqualTo(2);
        assertThat(noValue.err()).contains("--reason");
    }

    @Test
    void purgeWithoutThePersonExitsTwoBeforeReadingKafka() throws IOException {
        // Nothing listens on port 1: reaching Kafka would fail, not answer.
        Run run = run("purge", "--bootstrap-servers", "127.0.0.1:1", "--stage", "delivery");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.out()).contains("dead-letters purge: name the person with --mpid ID");
    }

    @Test
    void helpListsTheCommandsAndEachCommandsOptions() throws IOException {
        Run top = run("--help", "--bootstrap-servers", "127.0.0.1:9092");
        assertThat(top.code()).isZero();
        assertThat(top.out()).contains("list", "replay", "purge", "--bootstrap-servers");

        Run replay = run("replay", "--help");
        assertThat(replay.code()).isZero();
        assertThat(replay.out()).contains("--dry-run", "--to", "--offsets", "--topic");
        assertThat(replay.out()).doesNotContain("--payload");
    }
}

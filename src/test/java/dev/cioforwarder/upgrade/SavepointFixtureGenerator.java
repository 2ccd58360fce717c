package dev.cioforwarder.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.job.JobTestSupport;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.LocalResources;
import dev.cioforwarder.testing.MavenClasspath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Makes a savepoint fixture: runs the job over {@link SavepointFixtures#before(String)} and commits
 * its stop-with-savepoint under {@code src/test/resources/savepoints/<version>}. Run it once per
 * state version, before changing the state, and commit the result:
 *
 * <pre>
 * mvn -B verify -Dtest=NONE -Dit.test=SavepointFixtureGenerator -Dsavepoint.fixture.version=state-v4
 * </pre>
 *
 * {@code SavepointMigrationITCase} then restores every committed fixture with the current code.
 */
@EnabledIfSystemProperty(named = "savepoint.fixture.version", matches = "state-v\\d+")
class SavepointFixtureGenerator extends JobTestSupport {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @Test
    void generate() throws Exception {
        String version = System.getProperty("savepoint.fixture.version");
        Path target =
                MavenClasspath.projectDir()
                        .resolve("src/test/resources/savepoints")
                        .resolve(version);
        kafka.recreateTopic(SavepointFixtures.TOPIC, 1);
        kafka.recreateTopic(SavepointFixtures.DEAD_LETTER_TOPIC, 1);
        kafka.recreateTopic(SavepointFixtures.FEEDBACK_TOPIC, 1);
        kafka.produce(SavepointFixtures.TOPIC, SavepointFixtures.before(version));
        List<Map.Entry<String, byte[]>> erasures = SavepointFixtures.erasureRequests(version);
        if (SavepointFixtures.versionOf(version) >= 4) {
            kafka.recreateTopic(SavepointFixtures.ERASURE_TOPIC, 1);
            kafka.recreateTopic(SavepointFixtures.ERASURE_OUTCOME_TOPIC, 1);
        }

        JobClient job = startJob(settings(SavepointFixtures.settings(version)), 2);
        Await.until(
                Duration.ofMinutes(2),
                () -> customerio.summary().events() >= SavepointFixtures.eventsBefore(version),
                () -> customerio.summary().toString());
        if (!erasures.isEmpty()) {
            // Erase Ken once Customer.io knows him, so the outcome is "done", not "not_found".
            Await.until(
                    Duration.ofMinutes(1),
                    () -> customerio.personById("cust-9009").isPresent(),
                    () -> customerio.people().toString());
            kafka.produce(SavepointFixtures.ERASURE_TOPIC, erasures);
            assertThat(
                            kafka.readCommitted(
                                    SavepointFixtures.ERASURE_OUTCOME_TOPIC,
                                    erasures.size(),
                                    Duration.ofMinutes(1)))
                    .hasSize(erasures.size());
        }
        // Let the last identify land and a checkpoint complete, then stop with a savepoint.
        Thread.sleep(3_000);
        String savepoint =
                job.stopWithSavepoint(
                                false,
                                dir.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get();

        LocalResources.deleteRecursively(target);
        Path source = Path.of(java.net.URI.create(savepoint));
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy);
                }
            }
        }
        // What UserStateSchemaTest holds every later version to.
        for (Map.Entry<String, Class<?>> recorded : UserStateSchemaTest.RECORDED.entrySet()) {
            Files.write(
                    target.resolve(recorded.getKey()),
                    UserStateSchemaTest.fieldsOf(recorded.getValue()),
                    StandardCharsets.UTF_8);
        }
        Files.writeString(
                target.resolve("FIXTURE.md"),
                "Savepoint of the forwarder at state version "
                        + version
                        + ", made by SavepointFixtureGenerator on "
                        + Instant.now()
                        + " with Flink "
                        + org.apache.flink.runtime.util.EnvironmentInformation.getVersion()
                        + ", RocksDB, parallelism 2, max parallelism 720.\n"
                        + "Input: SavepointFixtures.before(\""
                        + version
                        + "\") and SavepointFixtures.erasureRequests(\""
                        + version
                        + "\"); settings: SavepointFixtures.settings(\""
                        + version
                        + "\").\n",
                StandardCharsets.UTF_8);
    }
}

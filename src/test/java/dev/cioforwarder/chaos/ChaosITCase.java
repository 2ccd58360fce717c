package dev.cioforwarder.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.testing.LocalResources;
import dev.cioforwarder.testing.MavenClasspath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fault suite with short spans against the real local stack (Kafka, a Flink standalone cluster
 * and the Customer.io simulator as processes, started by {@code scripts/stack.sh} on free ports
 * with their own state dir under target/): every scenario must end with every event exactly once in
 * Customer.io, the right profiles and nothing dead-lettered ({@link ChaosDriver} says what each
 * checks). {@code scripts/chaos.sh} runs the same scenarios for minutes and publishes the figures.
 * Also checks that every service of the stack listens on 127.0.0.1 only.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosITCase {

    private static final Path REPO = MavenClasspath.projectDir();
    private static final Path STATE_DIR = REPO.resolve("target/chaos-itcase-stack");
    private static final Path REPORT_DIR = REPO.resolve("target/chaos-itcase");

    private static ChaosStack stack;
    private static ChaosDriver driver;
    private static final List<ScenarioResult> RESULTS = new ArrayList<>();

    @BeforeAll
    static void startTheStackAndTheJob() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        // A 2 GB TaskManager (this machine also runs the build), checkpoints every 5 s instead of
        // 10 s so that short scenarios see several, and the simulator's default site id.
        env.put(
                "FLINK_PROPERTIES",
                "taskmanager.memory.process.size=2048m execution.checkpointing.interval=5s");
        stack = ChaosStack.of(STATE_DIR, env, ChaosStack.freePorts());
        // A fresh stack: processes a crashed earlier run may have left are stopped first.
        if (Files.isDirectory(STATE_DIR.resolve("pids"))) {
            stack.stop();
        }
        LocalResources.deleteRecursively(STATE_DIR);
        stack.start();
        driver = new ChaosDriver(stack);
        driver.startJob();
    }

    @AfterAll
    static void stopEverything() throws Exception {
        try {
            if (driver != null) {
                ChaosReport.write(
                        REPORT_DIR,
                        RESULTS,
                        "mvn -B verify (ChaosITCase)",
                        Spans.ci(),
                        driver.settings());
                driver.cancelJob();
                driver.close();
            }
        } finally {
            if (stack != null) {
                stack.stopIfStartedHere();
            }
        }
    }

    @Test
    @Order(1)
    void everyServiceOfTheStackListensOn127001Only() throws Exception {
        Map<String, Long> pids = stack.runningPids();
        assertThat(pids.keySet()).contains("kafka", "jobmanager", "simulator");
        assertThat(pids.keySet()).anyMatch(s -> s.startsWith("taskmanager-"));
        List<ListeningSockets.Listener> listeners = ListeningSockets.of(pids);
        // Each process listens somewhere (a reader that found nothing would prove nothing).
        for (String service : pids.keySet()) {
            assertThat(listeners)
                    .as("sockets of %s", service)
                    .anyMatch(l -> l.service().equals(service));
        }
        assertThat(listeners)
                .as("every listening socket of the stack's processes")
                .allSatisfy(
                        l ->
                                assertThat(l.loopbackOnly())
                                        .as("%s is bound to 127.0.0.1", l)
                                        .isTrue());
        // Ports we configured, seen where we put them.
        assertThat(listeners)
                .anyMatch(l -> l.service().equals("kafka") && l.port() == stack.port("KAFKA_PORT"))
                .anyMatch(
                        l ->
                                l.service().equals("jobmanager")
                                        && l.port() == stack.port("FLINK_REST_PORT"))
                .anyMatch(
                        l ->
                                l.service().equals("simulator")
                                        && l.port() == stack.port("SIMULATOR_PORT"));

        // The Prometheus reporter cannot bind to 127.0.0.1 (it listens on all interfaces), so the
        // local stack keeps it off: no Flink process runs a reporter, none has its ports open.
        assertThat(stack.env()).containsEntry("FLINK_PROMETHEUS", "false");
        for (Map.Entry<String, Long> p : pids.entrySet()) {
            if (p.getKey().equals("jobmanager") || p.getKey().startsWith("taskmanager-")) {
                assertThat(ChaosStack.commandLine(p.getValue()))
                        .as("command line of %s", p.getKey())
                        .contains("-Dmetrics.reporters=none");
            }
        }
        assertThat(listeners).noneMatch(l -> l.port() >= 9249 && l.port() <= 9260);
    }

    /**
     * Every scenario of the default suite, in the order of {@link Fault}, with short spans. The
     * long Customer.io outage runs with the job's default timeouts for minutes: only on its own
     * ({@code scripts/chaos.sh --scenarios customerio-outage}).
     */
    @ParameterizedTest(name = "{0}")
    @Order(10)
    @EnumSource(
            value = Fault.class,
            mode = EnumSource.Mode.EXCLUDE,
            names = {"CUSTOMERIO_OUTAGE"})
    void noLossNoDuplicateAndTheRightProfilesWhen(Fault fault) throws Exception {
        ScenarioResult result = driver.run(fault, Spans.ci());
        RESULTS.add(result);
        assertThat(result.failures)
                .as(fault.key + ": " + ChaosReport.table(List.of(result)))
                .isEmpty();
        assertThat(result.eventsSent).isPositive();
        assertThat(result.delivered).isEqualTo(result.eventsSent);
    }
}

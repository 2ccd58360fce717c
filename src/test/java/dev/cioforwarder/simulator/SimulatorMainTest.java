package dev.cioforwarder.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cioforwarder.testing.LocalResources;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SimulatorMain} as a separate process, the way scripts run it. */
class SimulatorMainTest {

    private static final String SITE = "site-main";
    private static final String KEY = "main-secret-7c2e91";
    private static final Pattern LISTENING =
            Pattern.compile("listening on (http://127\\.0\\.0\\.1:(\\d+))");

    @TempDir Path dir;

    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A process and what it prints, collected as it goes. */
    private static final class Run {
        final Process process;
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

        Run(Process process) {
            this.process = process;
            drain(process.getInputStream(), stdout);
            drain(process.getErrorStream(), stderr);
        }

        private static void drain(InputStream in, ByteArrayOutputStream out) {
            Thread t =
                    new Thread(
                            () -> {
                                byte[] buffer = new byte[4096];
                                try {
                                    int n;
                                    while ((n = in.read(buffer)) > 0) {
                                        synchronized (out) {
                                            out.write(buffer, 0, n);
                                        }
                                    }
                                } catch (IOException ignored) {
                                    // the process ended
                                }
                            });
            t.setDaemon(true);
            t.start();
        }

        String stdout() {
            synchronized (stdout) {
                return stdout.toString(StandardCharsets.UTF_8);
            }
        }

        String stderr() {
            synchronized (stderr) {
                return stderr.toString(StandardCharsets.UTF_8);
            }
        }

        /** Waits for the "listening on" line and returns the base URL it names. */
        String awaitListening() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                Matcher m = LISTENING.matcher(stdout());
                if (m.find()) {
                    return m.group(1);
                }
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(50);
            }
            throw new AssertionError(
                    "no \"listening on\" line; stdout: " + stdout() + " stderr: " + stderr());
        }
    }

    private Run launch(List<String> args, String envName, String envValue) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx128m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SimulatorMain.class.getName());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        if (envName != null) {
            builder.environment().put(envName, envValue);
        }
        Process process = builder.start();
        processes.add(process);
        return new Run(process);
    }

    private HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesOnTheGivenPortNeverPrintsTheKeyAndStopsOnSigterm() throws Exception {
        Path keyFile = dir.resolve("key");
        Files.writeString(keyFile, KEY + "\n");
        int port = LocalResources.freeLoopbackPort();
        Run run =
                launch(
                        List.of(
                                "--port",
                                Integer.toString(port),
                                "--bind",
                                "127.0.0.1",
                                "--site-id",
                                SITE,
                                "--api-key-file",
                                keyFile.toString(),
                                "--region",
                                "eu"),
                        null,
                        null);

        String base = run.awaitListening();
        assertThat(base).isEqualTo("http://127.0.0.1:" + port);
        assertThat(run.stdout()).contains("Customer.io simulator listening on " + base);

        // The key from the file (its trailing newline trimmed) opens the track API.
        HttpResponse<String> region =
                get(base + "/api/v1/accounts/region", SimulatorTestClient.basic(SITE, KEY));
        assertThat(region.statusCode()).isEqualTo(200);
        assertThat(SimulatorTestClient.json(region).path("region").asText()).isEqualTo("eu");
        assertThat(
                        get(
                                        base + "/api/v1/accounts/region",
                                        SimulatorTestClient.basic(SITE, KEY + "\n"))
                                .statusCode())
                .isEqualTo(401);
        assertThat(get(base + "/", null).statusCode()).isEqualTo(200);

        run.process.destroy(); // SIGTERM
        assertThat(run.process.waitFor(15, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
        // 143 is the JVM's exit status after SIGTERM (128 + 15), once its shutdown hooks ran.
        assertThat(run.process.exitValue()).isIn(0, 143);
        assertThat(run.stdout() + run.stderr()).doesNotContain(KEY);
        assertThat(run.stderr()).doesNotContain("Exception");
        assertThatThrownBy(() -> get(base + "/", null)).isInstanceOf(ConnectException.class);
    }

    @Test
    void takesTheKeyFromAnEnvironmentVariableAndPortZeroPicksAFreePort() throws Exception {
        Run run =
                launch(
                        List.of(
                                "--port",
                                "0",
                                "--site-id",
                                SITE,
                                "--api-key-env",
                                "SIM_TEST_KEY",
                                "--threads",
                                "4",
                                "--max-stored-events",
                                "10"),
                        "SIM_TEST_KEY",
                        KEY);

        String base = run.awaitListening();
        Matcher m = LISTENING.matcher(run.stdout());
        assertThat(m.find()).isTrue();
        assertThat(Integer.parseInt(m.group(2))).isPositive();

        assertThat(
                        get(base + "/api/v1/accounts/region", SimulatorTestClient.basic(SITE, KEY))
                                .statusCode())
                .isEqualTo(200);
        assertThat(get(base + "/api/v1/accounts/region", null).statusCode()).isEqualTo(401);

        run.process.destroy();
        assertThat(run.process.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(run.stdout() + run.stderr()).doesNotContain(KEY);
    }

    @Test
    void applyLaterModePrintsItsSeedAndAppliesAfterTheDelay() throws Exception {
        Run run =
                launch(
                        List.of(
                                "--port",
                                "0",
                                "--site-id",
                                SITE,
                                "--api-key-env",
                                "SIM_TEST_KEY",
                                "--apply-delay-ms",
                                "1000",
                                "--apply-seed",
                                "4242"),
                        "SIM_TEST_KEY",
                        KEY);

        String base = run.awaitListening();
        assertThat(run.stdout())
                .contains("apply-later mode, delay 1000 ms, batch shuffle seed 4242");
        HttpResponse<String> identify =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + "/api/v1/customers/u1"))
                                .header("Authorization", SimulatorTestClient.basic(SITE, KEY))
                                .header("Content-Type", "application/json")
                                .PUT(HttpRequest.BodyPublishers.ofString("{\"plan\":\"pro\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(identify.statusCode()).isEqualTo(200);
        assertThat(get(base + "/__simulator/people", null).body()).isEqualTo("[]");
        assertThat(get(base + "/__simulator/applied?wait_ms=20000", null).body())
                .isEqualTo("{\"pending\":0}");
        assertThat(get(base + "/__simulator/people", null).body()).contains("\"u1\"");
    }

    @Test
    void refusesASeedWithoutApplyLaterMode() throws Exception {
        Run run =
                launch(
                        List.of("--port", "0", "--apply-seed", "1", "--api-key-env", "SIM_K"),
                        "SIM_K",
                        KEY);

        assertThat(run.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(run.process.exitValue()).isEqualTo(2);
        assertThat(run.stderr()).contains("--apply-seed needs --apply-delay-ms");
    }

    @Test
    void refusesToStartWithoutAKey() throws Exception {
        Run run = launch(List.of("--port", "0", "--site-id", SITE), null, null);

        assertThat(run.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(run.process.exitValue()).isEqualTo(2);
        assertThat(run.stderr()).contains("--api-key-file").contains("usage");
        assertThat(run.stdout()).doesNotContain("listening on");
    }

    @Test
    void refusesAnUnsetKeyVariableAndUnknownOptionsWithoutEchoingSecrets() throws Exception {
        Run unset =
                launch(
                        List.of("--port", "0", "--api-key-env", "SIM_TEST_UNSET_VARIABLE"),
                        null,
                        null);
        Run unknown = launch(List.of("--port", "0", "--api-key", KEY), null, null);

        assertThat(unset.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(unknown.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(unset.process.exitValue()).isEqualTo(2);
        assertThat(unset.stderr()).contains("SIM_TEST_UNSET_VARIABLE is not set");
        assertThat(unknown.process.exitValue()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("unknown option --api-key");
        // A key given on the command line (refused) is not echoed back.
        assertThat(unknown.stdout() + unknown.stderr()).doesNotContain(KEY);
    }
}

package dev.cioforwarder.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.testing.MavenClasspath;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every data subject request of the corpus ({@code src/test/resources/mparticle/dsr}, in the shapes
 * of mParticle's DSR API v3 and OpenDSR) gives what {@code expected.properties} says, written by
 * hand from mParticle's documentation.
 */
class DsrCorpusTest {

    private static final Path DIR =
            MavenClasspath.projectDir().resolve("src/test/resources/mparticle/dsr");

    private static Properties expected() throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(DIR.resolve("expected.properties"))) {
            p.load(in);
        }
        return p;
    }

    static Stream<String> requests() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files
                    .map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".json"))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @Test
    void everyFileHasItsExpectationAndEveryExpectationItsFile() throws IOException {
        assertThat(requests().toList())
                .hasSizeGreaterThanOrEqualTo(5)
                .containsExactlyInAnyOrderElementsOf(expected().stringPropertyNames());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void givesWhatTheDocumentationSays(String file) throws IOException {
        String want = expected().getProperty(file);
        ErasureRequestParser.Result result =
                new ErasureRequestParser()
                        .parse(Files.readAllBytes(DIR.resolve(file)), 1_764_000_000_000L);
        if (want.startsWith("refused:")) {
            assertThat(result.requests()).isEmpty();
            assertThat(result.problem()).contains(want.substring("refused:".length()));
            return;
        }
        assertThat(result.problem()).as("problem").isNull();
        List<String> got = new ArrayList<>();
        for (ErasureRequest r : result.requests()) {
            got.add(
                    (r.hasMpid ? Long.toString(r.mpid) : "-")
                            + "|"
                            + (r.customerId != null ? r.customerId : "-")
                            + "|"
                            + (r.email != null ? r.email : "-"));
        }
        assertThat(got).containsExactly(want.split(";"));
        assertThat(result.requests())
                .allSatisfy(r -> assertThat(r.requestId).isNotBlank())
                .allSatisfy(
                        r ->
                                assertThat(r.timeMs)
                                        .as("the request's submitted_time, not the record's")
                                        .isNotEqualTo(1_764_000_000_000L));
    }
}

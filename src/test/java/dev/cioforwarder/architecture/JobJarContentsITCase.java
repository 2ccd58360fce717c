package dev.cioforwarder.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.testing.RepoScripts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The two artifacts of the build (package runs before the ITCases): the job jar a cluster runs
 * carries no command-line code, and the tools jar beside it carries the tools and the job classes
 * they call.
 */
class JobJarContentsITCase {

    private static final Path REPO = Path.of(System.getProperty("project.basedir", "."));

    private static final List<String> COMMAND_LINE_PREFIXES =
            List.of(
                    "dev/cioforwarder/ops/",
                    "dev/cioforwarder/preview/",
                    "dev/cioforwarder/tools/",
                    "picocli/");

    @Test
    void theJobJarHasTheJobAndNoCommandLineCode() throws IOException {
        Path jobJar = RepoScripts.jobJar(REPO);
        assertThat(jobJar.getFileName().toString()).doesNotEndWith("-tools.jar");

        List<String> entries = entries(jobJar);

        assertThat(entries)
                .contains(
                        "dev/cioforwarder/job/ForwarderJob.class",
                        "dev/cioforwarder/job/DiscardingBenchmarkJob.class",
                        "dev/cioforwarder/mparticle/BatchParser.class",
                        "org/apache/flink/connector/kafka/source/KafkaSource.class",
                        "org/asynchttpclient/AsyncHttpClient.class");
        assertThat(entries)
                .filteredOn(e -> COMMAND_LINE_PREFIXES.stream().anyMatch(e::startsWith))
                .isEmpty();
        try (JarFile jar = new JarFile(jobJar.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("dev.cioforwarder.job.ForwarderJob");
        }
    }

    @Test
    void theToolsJarHasTheToolsAndTheClassesTheyCall() throws IOException {
        Path jobJar = RepoScripts.jobJar(REPO);
        String toolsName = jobJar.getFileName().toString().replace(".jar", "-tools.jar");
        Path toolsJar = jobJar.resolveSibling(toolsName);
        assertThat(toolsJar).isRegularFile();

        assertThat(entries(toolsJar))
                .contains(
                        "dev/cioforwarder/ops/OpsCommand.class",
                        "dev/cioforwarder/preview/PreviewCommand.class",
                        "dev/cioforwarder/tools/DeadLetterTool.class",
                        "picocli/CommandLine.class",
                        "dev/cioforwarder/settings/ForwarderSettings.class");
    }

    private static List<String> entries(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream().map(ZipEntry::getName).toList();
        }
    }
}

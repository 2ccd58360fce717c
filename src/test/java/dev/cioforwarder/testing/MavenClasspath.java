package dev.cioforwarder.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Resolves the classpath of a helper pom (the Kafka broker, the Flink cluster) with Maven, once per
 * pom version, so tests run real services from Maven Central artifacts without mixing their
 * dependencies into the test classpath.
 */
public final class MavenClasspath {

    private MavenClasspath() {}

    /** The classpath of {@code pom} (relative to the project directory). */
    public static synchronized String of(String pom) throws Exception {
        Path project = projectDir();
        Path pomFile = project.resolve(pom);
        Path cache =
                project.resolve("target/classpath").resolve(pom.replace('/', '_') + ".classpath");
        if (Files.exists(cache)
                && Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(pomFile))
                        > 0) {
            return Files.readString(cache, StandardCharsets.UTF_8).trim();
        }
        Files.createDirectories(cache.getParent());
        Path log = cache.resolveSibling(cache.getFileName() + ".log");
        Process mvn =
                new ProcessBuilder(
                                mavenExecutable(),
                                "-B",
                                "-q",
                                "-f",
                                pomFile.toString(),
                                "dependency:build-classpath",
                                "-Dmdep.outputFile=" + cache)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        if (!mvn.waitFor(10, TimeUnit.MINUTES) || mvn.exitValue() != 0) {
            throw new IllegalStateException(
                    "resolving the classpath of " + pom + " failed: see " + log);
        }
        return Files.readString(cache, StandardCharsets.UTF_8).trim();
    }

    public static Path projectDir() {
        String basedir = System.getProperty("project.basedir");
        return basedir != null ? Path.of(basedir) : Path.of("").toAbsolutePath();
    }

    private static String mavenExecutable() {
        String home = System.getProperty("maven.home");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
            return Path.of(home, "bin", "mvn").toString();
        }
        return "mvn";
    }
}

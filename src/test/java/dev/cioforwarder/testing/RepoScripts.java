package dev.cioforwarder.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs this repository's {@code scripts/} as a user would, with an environment of our choosing:
 * stdin closed, stdout and stderr kept in numbered files under {@code logDir} (one pair per run,
 * for reading after a failure), and a timeout that ends the script and its children.
 */
public final class RepoScripts {

    private static final Logger LOG = LoggerFactory.getLogger(RepoScripts.class);

    private final Path repo;
    private final Map<String, String> env;
    private final Path logDir;
    private final AtomicInteger runs = new AtomicInteger();

    public RepoScripts(Path repo, Map<String, String> env, Path logDir) {
        this.repo = repo;
        this.env = new LinkedHashMap<>(env);
        this.logDir = logDir;
    }

    /** What a script did: exit code, stdout (its result), stderr (progress and errors). */
    public record ScriptResult(String command, int exitCode, String stdout, String stderr) {

        /** The last line of stdout: what the scripts print as their result (a job id, a path). */
        public String lastLine() {
            String[] lines = stdout.strip().split("\n");
            return lines[lines.length - 1].strip();
        }

        public String describe() {
            return command
                    + " exited "
                    + exitCode
                    + "\n--- stdout:\n"
                    + stdout
                    + "\n--- stderr:\n"
                    + stderr;
        }

        /** This result, if the script succeeded; otherwise fails with everything it printed. */
        public ScriptResult assertSuccess() {
            return assertSuccess(Path.of(command.split(" ")[0]).getFileName().toString());
        }

        /** The same, naming what failed. */
        public ScriptResult assertSuccess(String what) {
            if (exitCode != 0) {
                throw new IllegalStateException(what + " failed:\n" + describe());
            }
            return this;
        }
    }

    /** Runs {@code script} (a path relative to the repository) and waits for it. */
    public ScriptResult run(Duration timeout, String script, String... args) throws Exception {
        return run(timeout, script, Arrays.asList(args), Map.of());
    }

    /** The same with more environment variables than this runner's (they win). */
    public ScriptResult run(
            Duration timeout, String script, List<String> args, Map<String, String> moreEnv)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(repo.resolve(script).toString());
        command.addAll(args);
        Files.createDirectories(logDir);
        String name =
                String.format(
                        "%03d-%s%s",
                        runs.incrementAndGet(),
                        Path.of(script).getFileName(),
                        args.isEmpty() ? "" : "-" + args.get(0).replaceAll("[^A-Za-z0-9-]", ""));
        Path out = logDir.resolve(name + ".out");
        Path err = logDir.resolve(name + ".err");
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(repo.toFile())
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(env);
        builder.environment().putAll(moreEnv);
        String commandLine = String.join(" ", command);
        LOG.info("running {}", commandLine);
        long started = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException(
                    commandLine
                            + " did not finish within "
                            + timeout
                            + "; stderr:\n"
                            + Files.readString(err));
        }
        ScriptResult result =
                new ScriptResult(
                        commandLine,
                        process.exitValue(),
                        Files.readString(out),
                        Files.readString(err));
        LOG.info(
                "{} exited {} after {} s\n{}",
                name,
                result.exitCode(),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started),
                result.stderr());
        return result;
    }

    /**
     * The shaded job jar the build produced last (package runs before the ITCases): the names
     * scripts/ops/jars.sh reads, without the tools jar beside it.
     */
    public static Path jobJar(Path repo) throws IOException {
        try (Stream<Path> files = Files.list(repo.resolve("target"))) {
            return files.filter(
                            p -> {
                                String name = p.getFileName().toString();
                                return name.startsWith("mparticle-customerio-flink-")
                                        && name.endsWith(".jar")
                                        && !name.endsWith("-sources.jar")
                                        && !name.endsWith("-tests.jar")
                                        && !name.endsWith("-javadoc.jar")
                                        && !name.endsWith("-tools.jar");
                            })
                    .max(Comparator.comparingLong(p -> p.toFile().lastModified()))
                    .orElseThrow(
                            () ->
                                    new IllegalStateException(
                                            "no target/mparticle-customerio-flink-*.jar: run mvn"
                                                    + " -B -DskipTests package"));
        }
    }
}

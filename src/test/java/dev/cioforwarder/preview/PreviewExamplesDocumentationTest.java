package dev.cioforwarder.preview;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.testing.MavenClasspath;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every session with {@code $ scripts/preview.sh} in the README and in {@code docs/*.md} shows what
 * the preview prints today: the files its {@code $ cat} lines show are written, the command runs
 * in-process, and its output must be the lines under it, byte for byte (event ids included, which
 * Customer.io deduplicates by).
 */
class PreviewExamplesDocumentationTest {

    private static final String PROMPT = "$ scripts/preview.sh ";

    /** One session: the files it shows, the command's arguments and input, what it prints. */
    record Example(
            String document,
            int line,
            List<String[]> files,
            String arguments,
            String stdin,
            List<String> output) {
        @Override
        public String toString() {
            return document + ":" + line + " " + arguments;
        }
    }

    /** The README, then every page of the manual, in name order. */
    static List<Path> documents() throws Exception {
        Path project = MavenClasspath.projectDir();
        List<Path> documents = new ArrayList<>();
        documents.add(project.resolve("README.md"));
        try (Stream<Path> docs = Files.list(project.resolve("docs"))) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md"))
                    .sorted()
                    .forEach(documents::add);
        }
        return documents;
    }

    static Stream<Example> examples() throws Exception {
        Path project = MavenClasspath.projectDir();
        List<Example> examples = new ArrayList<>();
        for (Path document : documents()) {
            examples.addAll(
                    examples(
                            project.relativize(document).toString(),
                            Files.readAllLines(document, StandardCharsets.UTF_8)));
        }
        // The sessions the documentation has today (identifier change, shared email, anonymous
        // activity twice, erasure, commerce, environments): a parser that finds none would pass
        // vacuously, and one that misses a page would lose its sessions.
        assertThat(examples).hasSizeGreaterThanOrEqualTo(7);
        return examples.stream();
    }

    private static List<Example> examples(String document, List<String> lines) {
        List<Example> examples = new ArrayList<>();
        List<String[]> files = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("```")) {
                files = new ArrayList<>();
            } else if (line.startsWith("$ cat ")) {
                StringBuilder content = new StringBuilder();
                while (i + 1 < lines.size()
                        && !lines.get(i + 1).startsWith("$ ")
                        && !lines.get(i + 1).startsWith("```")) {
                    content.append(lines.get(++i)).append('\n');
                }
                files.add(
                        new String[] {
                            line.substring("$ cat ".length()).trim(), content.toString()
                        });
            } else if (line.startsWith(PROMPT)) {
                int at = i + 1;
                String command = line.substring(PROMPT.length());
                String stdin = "";
                int here = command.indexOf("<<<'");
                if (here >= 0) {
                    stdin = command.substring(here + 4, command.lastIndexOf('\'')) + "\n";
                    command = command.substring(0, here).trim();
                }
                List<String> output = new ArrayList<>();
                while (i + 1 < lines.size()
                        && !lines.get(i + 1).startsWith("$ ")
                        && !lines.get(i + 1).startsWith("```")) {
                    output.add(lines.get(++i));
                }
                for (String printed : output) {
                    // A fence left open swallows the document's next sections into the block.
                    assertThat(printed)
                            .as("%s:%d: the session's block is closed by ```", document, at)
                            .startsWith("{");
                }
                examples.add(new Example(document, at, List.copyOf(files), command, stdin, output));
            }
        }
        return examples;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void printsWhatTheDocumentationShows(Example example, @TempDir Path dir) throws Exception {
        List<String> args = new ArrayList<>();
        for (String arg : example.arguments().trim().split("\\s+")) {
            args.add(arg);
        }
        for (String[] file : example.files()) {
            Path written = dir.resolve(file[0]);
            Files.writeString(written, file[1], StandardCharsets.UTF_8);
            args.replaceAll(a -> a.equals(file[0]) ? written.toString() : a);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code =
                PreviewCommand.run(
                        args.toArray(new String[0]),
                        new ByteArrayInputStream(example.stdin().getBytes(StandardCharsets.UTF_8)),
                        new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(code).as("exit code").isZero();
        List<String> printed = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                printed.add(line);
            }
        }
        assertThat(printed).as(example.toString()).containsExactlyElementsOf(example.output());
    }
}

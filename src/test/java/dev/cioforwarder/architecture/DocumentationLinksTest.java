package dev.cioforwarder.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.testing.MavenClasspath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README is for users and the manual lives in {@code docs/}: a section that moves from one page
 * to another must take its links along. Every relative link of the README and of every page under
 * {@code docs/} must name a file that exists, and its {@code #anchor} a heading of that file, by
 * GitHub's rule (lowercase, spaces become {@code -}, punctuation other than {@code -} and {@code _}
 * is dropped, a repeated heading gets {@code -1}, {@code -2}, ...). Links inside code are not
 * links.
 */
class DocumentationLinksTest {

    /** {@code ](target)} or {@code ](target "title")}: the target of an inline link or image. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

    private static final Pattern HEADING =
            Pattern.compile("^ {0,3}#{1,6}\\s+(.*?)(?:\\s+#+)?\\s*$");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
    private static final Pattern INLINE_CODE = Pattern.compile("(`+)(?:(?!\\1).)+?\\1");
    private static final Pattern FENCE = Pattern.compile("^ {0,3}(```|~~~)");

    @Test
    void everyLinkOfTheReadmeAndTheManualLeadsSomewhere() throws IOException {
        Path project = MavenClasspath.projectDir();
        List<Path> documents = documents(project);
        assertThat(documents)
                .as("the README and the manual")
                .contains(project.resolve("README.md"), project.resolve("docs/mapping.md"));
        List<String> checked = new ArrayList<>();
        List<String> broken = new ArrayList<>();
        for (Path document : documents) {
            check(project, document, checked, broken);
        }
        // The README links to every page of the manual, and the pages to each other's sections:
        // a reader that found no links would pass vacuously.
        assertThat(checked).as("links checked").hasSizeGreaterThan(50);
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void theReadmeStatesTheTestCommandCiRuns() throws IOException {
        Path project = MavenClasspath.projectDir();
        List<String> commands =
                Files.readAllLines(project.resolve(".ci/run"), StandardCharsets.UTF_8).stream()
                        .filter(line -> line.startsWith("mvn "))
                        .collect(Collectors.toList());
        assertThat(commands).as(".ci/run's build command").hasSize(1);
        assertThat(Files.readString(project.resolve("README.md")))
                .as("the README's test command is the one CI runs")
                .contains("`" + commands.get(0) + "`");
    }

    @Test
    void anchorsFollowGitHub() {
        assertThat(anchors(List.of("# created_at (when enabled) (`CreatedAtRule`)")))
                .containsExactly("created_at-when-enabled-createdatrule");
        assertThat(anchors(List.of("## Operations: submit, savepoint, upgrade, rescale")))
                .containsExactly("operations-submit-savepoint-upgrade-rescale");
        assertThat(anchors(List.of("## Compared with the other routes into Customer.io")))
                .containsExactly("compared-with-the-other-routes-into-customerio");
        assertThat(anchors(List.of("## Upgrading, step by step", "### Upgrading, step by step")))
                .containsExactly("upgrading-step-by-step", "upgrading-step-by-step-1");
        assertThat(anchors(List.of("## See [the manual](docs/x.md)", "```", "# not a heading")))
                .containsExactly("see-the-manual");
    }

    @Test
    void aMissingFileOrHeadingIsReported(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("docs"));
        Files.writeString(dir.resolve("docs/rules.md"), "# Rules\n\n## Push devices\n");
        Path readme = dir.resolve("README.md");
        Files.writeString(
                readme,
                String.join(
                        "\n",
                        "# Title",
                        "[ok](docs/rules.md#push-devices) [ok](#title) [ok](docs/rules.md)",
                        "[web](https://example.com/#nowhere) `[code](#nowhere)`",
                        "[gone](docs/gone.md) [no heading](docs/rules.md#push-device)",
                        "[here](#nowhere)",
                        "```",
                        "[in a block](#nowhere)",
                        "```",
                        ""));
        List<String> checked = new ArrayList<>();
        List<String> broken = new ArrayList<>();
        check(dir, readme, checked, broken);
        assertThat(checked).hasSize(6);
        assertThat(broken)
                .containsExactly(
                        "README.md:4: docs/gone.md: no such file",
                        "README.md:4: docs/rules.md#push-device: no such heading in docs/rules.md",
                        "README.md:5: #nowhere: no such heading in README.md");
    }

    /** The README and every Markdown page under docs/, in name order. */
    private static List<Path> documents(Path project) throws IOException {
        List<Path> documents = new ArrayList<>();
        documents.add(project.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(project.resolve("docs"))) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md"))
                    .sorted()
                    .forEach(documents::add);
        }
        return documents;
    }

    /** Checks every relative link of {@code document}, noting each one and each broken one. */
    private static void check(
            Path project, Path document, List<String> checked, List<String> broken)
            throws IOException {
        String name = project.relativize(document).toString().replace('\\', '/');
        List<String> lines = Files.readAllLines(document, StandardCharsets.UTF_8);
        Map<Path, Set<String>> anchorsByFile = new HashMap<>();
        boolean inFence = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (FENCE.matcher(line).find()) {
                inFence = !inFence;
                continue;
            }
            if (inFence) {
                continue;
            }
            Matcher link = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(""));
            while (link.find()) {
                String target = link.group(1);
                if (SCHEME.matcher(target).find()) {
                    continue;
                }
                String at = name + ":" + (i + 1) + ": " + target;
                checked.add(at);
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path resolved =
                        file.isEmpty() ? document : document.getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(at + ": no such file");
                    continue;
                }
                if (hash < 0) {
                    continue;
                }
                String anchor = target.substring(hash + 1);
                String shown = project.relativize(resolved).toString().replace('\\', '/');
                if (!resolved.getFileName().toString().endsWith(".md")) {
                    broken.add(at + ": an anchor into " + shown + ", which is not Markdown");
                    continue;
                }
                Set<String> anchors =
                        anchorsByFile.computeIfAbsent(resolved, DocumentationLinksTest::anchors);
                if (!anchors.contains(anchor)) {
                    broken.add(at + ": no such heading in " + shown);
                }
            }
        }
    }

    private static Set<String> anchors(Path file) {
        try {
            return new HashSet<>(anchors(Files.readAllLines(file, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The anchors GitHub gives the ATX headings of {@code lines}, in order. */
    static List<String> anchors(List<String> lines) {
        List<String> anchors = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean inFence = false;
        for (String line : lines) {
            if (FENCE.matcher(line).find()) {
                inFence = !inFence;
                continue;
            }
            Matcher heading = HEADING.matcher(line);
            if (inFence || !heading.matches()) {
                continue;
            }
            String slug = slug(heading.group(1));
            int count = seen.merge(slug, 1, Integer::sum);
            anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
        }
        return anchors;
    }

    /** GitHub's slug of a heading's text: its links' text only, lowercase, punctuation dropped. */
    private static String slug(String heading) {
        String text =
                heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1").toLowerCase(Locale.ROOT);
        StringBuilder slug = new StringBuilder();
        text.codePoints()
                .forEach(
                        c -> {
                            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                                slug.appendCodePoint(c);
                            } else if (c == ' ') {
                                slug.append('-');
                            }
                        });
        return slug.toString();
    }
}

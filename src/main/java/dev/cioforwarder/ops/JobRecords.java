package dev.cioforwarder.ops;

import dev.cioforwarder.settings.PropertiesFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the tool remembers of every job it starts, because Flink 2.2 does not give a job's program
 * arguments back: under {@code <ops dir>/jobs/<job id>/}
 *
 * <ul>
 *   <li>{@code settings.properties}: the settings it was started with;
 *   <li>{@code job.properties}: its jar (a copy kept under {@code <ops dir>/jars/}), the jar's id
 *       on the cluster, its parallelism, what it was restored from, the job it replaced;
 *   <li>{@code savepoints}: each savepoint taken of it, one "time path" line each.
 * </ul>
 *
 * The format is the one the bash scripts wrote before this tool (Java properties, the same keys),
 * so records of earlier jobs keep working. Nothing in a record is a secret, by construction: the
 * settings pass {@link dev.cioforwarder.settings.SecretSettings} first.
 */
public final class JobRecords {

    private final Path opsDir;

    public JobRecords(Path opsDir) {
        this.opsDir = opsDir;
    }

    public Path opsDir() {
        return opsDir;
    }

    /** One job's record, as {@code job.properties} holds it. */
    public record JobRecord(
            String jobId,
            String jobName,
            String flinkUrl,
            Path jar,
            String jarId,
            Integer parallelism,
            String restoredFrom,
            boolean allowNonRestoredState,
            String previousJob,
            String note,
            String submittedAt) {

        JobRecord withParallelism(int newParallelism, String newNote) {
            return new JobRecord(
                    jobId,
                    jobName,
                    flinkUrl,
                    jar,
                    jarId,
                    newParallelism,
                    restoredFrom,
                    allowNonRestoredState,
                    previousJob,
                    newNote,
                    submittedAt);
        }
    }

    public Path dir(String jobId) {
        return opsDir.resolve("jobs").resolve(jobId);
    }

    public Path settingsFile(String jobId) {
        return dir(jobId).resolve("settings.properties");
    }

    /** Both files a record needs to restart its job. */
    public boolean exists(String jobId) {
        return Files.isRegularFile(dir(jobId).resolve("job.properties"))
                && Files.isRegularFile(settingsFile(jobId));
    }

    public void write(JobRecord record, JobSettings settings) {
        Path dir = dir(record.jobId());
        writeAtomically(
                dir.resolve("settings.properties"),
                settings.toPropertiesText(
                        "Settings job "
                                + record.jobId()
                                + " was started with ("
                                + now()
                                + ").\nupgrade.sh and rescale.sh start its successor with these"
                                + " unless told otherwise."));
        writeJobProperties(record);
    }

    /** Rewrites only {@code job.properties} (an in-place rescale changes the parallelism). */
    public void writeJobProperties(JobRecord record) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("job-id", record.jobId());
        fields.put("job-name", record.jobName());
        fields.put("flink-url", record.flinkUrl());
        fields.put("jar", record.jar() == null ? "" : record.jar().toString());
        fields.put("jar-id", nullToEmpty(record.jarId()));
        fields.put(
                "parallelism",
                record.parallelism() == null ? "" : Integer.toString(record.parallelism()));
        fields.put("restored-from", nullToEmpty(record.restoredFrom()));
        fields.put("allow-non-restored-state", Boolean.toString(record.allowNonRestoredState()));
        fields.put("previous-job", nullToEmpty(record.previousJob()));
        fields.put("note", nullToEmpty(record.note()));
        fields.put("submitted-at", record.submittedAt() == null ? now() : record.submittedAt());
        StringBuilder text = new StringBuilder();
        fields.forEach(
                (k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        writeAtomically(dir(record.jobId()).resolve("job.properties"), text.toString());
    }

    public Optional<JobRecord> read(String jobId) {
        Path file = dir(jobId).resolve("job.properties");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Map<String, String> p = load(file);
        String jar = p.getOrDefault("jar", "");
        String parallelism = p.getOrDefault("parallelism", "").trim();
        return Optional.of(
                new JobRecord(
                        p.getOrDefault("job-id", jobId),
                        p.getOrDefault("job-name", JobSettings.DEFAULT_JOB_NAME),
                        p.getOrDefault("flink-url", ""),
                        jar.isEmpty() ? null : Path.of(jar),
                        emptyToNull(p.get("jar-id")),
                        parallelism.matches("\\d+") ? Integer.valueOf(parallelism) : null,
                        emptyToNull(p.get("restored-from")),
                        Boolean.parseBoolean(p.getOrDefault("allow-non-restored-state", "false")),
                        emptyToNull(p.get("previous-job")),
                        p.getOrDefault("note", ""),
                        p.getOrDefault("submitted-at", "")));
    }

    /** The settings a recorded job was started with. */
    public JobSettings settings(String jobId) {
        return new JobSettings().load(settingsFile(jobId));
    }

    /** Appends a savepoint to the job's list; a job without a record gets none. */
    public void addSavepoint(String jobId, String path) {
        Path dir = dir(jobId);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.writeString(
                    dir.resolve("savepoints"),
                    now() + " " + path + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve("savepoints"), e);
        }
    }

    /** The savepoints recorded for a job, oldest first. */
    public List<String> savepoints(String jobId) {
        Path file = dir(jobId).resolve("savepoints");
        List<String> paths = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return paths;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] parts = line.strip().split(" ", 2);
                if (parts.length == 2 && !parts[1].isBlank()) {
                    paths.add(parts[1].strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return paths;
    }

    /**
     * The job named {@code jobName} whose record was written last. File times are compared to the
     * nanosecond where the file system has them: a failed upgrade and its rollback write records
     * within the same second.
     */
    public Optional<String> lastRecordedJob(String jobName) {
        Path jobs = opsDir.resolve("jobs");
        if (!Files.isDirectory(jobs)) {
            return Optional.empty();
        }
        String newest = null;
        FileTime newestTime = null;
        try (Stream<Path> dirs = Files.list(jobs)) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                Path file = dir.resolve("job.properties");
                if (!Files.isRegularFile(file)) {
                    continue;
                }
                String jobId = dir.getFileName().toString();
                if (!read(jobId).map(r -> r.jobName().equals(jobName)).orElse(false)) {
                    continue;
                }
                FileTime time = Files.getLastModifiedTime(file);
                if (newestTime == null || time.compareTo(newestTime) > 0) {
                    newest = jobId;
                    newestTime = time;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + jobs, e);
        }
        return Optional.ofNullable(newest);
    }

    /**
     * Keeps a copy of the jar under {@code <ops dir>/jars/<sha256>-<name>} (once per content), so a
     * rollback has the exact bytes even after target/ was rebuilt or the JobManager lost its
     * uploads; returns the copy's path.
     */
    public Path keepJarCopy(Path jar) {
        Path jars = opsDir.resolve("jars").toAbsolutePath().normalize();
        if (jar.toAbsolutePath().normalize().getParent().equals(jars)) {
            return jar; // already a kept copy (resume starts the recorded one)
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(Files.newInputStream(jar), sha)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            Path copy =
                    opsDir.resolve("jars")
                            .resolve(
                                    HexFormat.of().formatHex(sha.digest())
                                            + "-"
                                            + jar.getFileName());
            if (!Files.isRegularFile(copy)) {
                Files.createDirectories(copy.getParent());
                Path tmp = copy.resolveSibling(copy.getFileName() + ".tmp");
                Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, copy, StandardCopyOption.ATOMIC_MOVE);
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep a copy of " + jar + " in " + opsDir, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> load(Path file) {
        try {
            return PropertiesFile.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void writeAtomically(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(
                    tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}

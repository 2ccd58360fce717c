package dev.cioforwarder.ops;

import dev.cioforwarder.ops.JobRecords.JobRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where a job that died without a savepoint (a JobManager lost without HA) resumes from: its newest
 * retained checkpoint {@code <checkpoint dir>/<job id>/chk-<n>} that holds a {@code _metadata} file
 * (a checkpoint in progress when the JobManager died has none), or a savepoint recorded for it if
 * that is newer; when it completed no checkpoint, what it was itself started from, since it
 * committed nothing after that. Retained checkpoints restore like savepoints on the same Flink
 * version and state backend. Only local directories can be listed.
 */
public final class ResumePoint {

    /** The chosen path and, for a person, what it is. */
    public record Choice(String path, String description) {}

    private ResumePoint() {}

    /** A local path for a {@code file://} URI or an absolute path; empty for other schemes. */
    public static Optional<Path> localPath(String uri) {
        if (uri.startsWith("file://")) {
            String rest = uri.substring("file://".length());
            // file://host/path is not local; file:///path is.
            return rest.startsWith("/") ? Optional.of(Path.of(URI.create(uri))) : Optional.empty();
        }
        if (uri.startsWith("file:/")) {
            return Optional.of(Path.of(uri.substring("file:".length())));
        }
        if (uri.startsWith("/")) {
            return Optional.of(Path.of(uri));
        }
        return Optional.empty();
    }

    /** Chooses what the job resumes from; {@link OpsFailure} when there is nothing. */
    public static Choice choose(JobRecord record, Path checkpointDir, JobRecords records) {
        String jobId = record.jobId();
        Path jobDir = checkpointDir.resolve(jobId);
        Optional<Path> checkpoint = newestCheckpoint(jobDir);
        Optional<Path> savepoint = newestRecordedSavepoint(jobId, records);
        if (checkpoint.isPresent()) {
            if (savepoint.isPresent()
                    && metadataTime(savepoint.get()).compareTo(metadataTime(checkpoint.get()))
                            > 0) {
                return new Choice(
                        savepoint.get().toString(),
                        "savepoint "
                                + savepoint.get()
                                + " of job "
                                + jobId
                                + " (newer than its last checkpoint)");
            }
            return new Choice(
                    checkpoint.get().toString(),
                    "checkpoint " + checkpoint.get().getFileName() + " of job " + jobId);
        }
        if (savepoint.isPresent()) {
            return new Choice(
                    savepoint.get().toString(),
                    "savepoint "
                            + savepoint.get()
                            + " of job "
                            + jobId
                            + " (it has no completed checkpoint under "
                            + jobDir
                            + ")");
        }
        String restored = record.restoredFrom();
        if (restored != null) {
            Optional<Path> local = localPath(restored);
            if (local.isPresent() && !hasMetadata(local.get())) {
                throw OpsFailure.nothingChanged(
                        "job "
                                + jobId
                                + " completed no checkpoint (no chk-<n>/_metadata under "
                                + jobDir
                                + "), and what it was started from, "
                                + restored
                                + ", is gone (no _metadata). Nothing to resume from.");
            }
            return new Choice(
                    restored,
                    restored
                            + ", which job "
                            + jobId
                            + " was started from: it completed no checkpoint of its own (none"
                            + " under "
                            + jobDir
                            + "), so it committed nothing after it");
        }
        throw OpsFailure.nothingChanged(
                "job "
                        + jobId
                        + " has no completed checkpoint: no chk-<n>/_metadata under "
                        + jobDir
                        + ", and it was started without a savepoint. Nothing to resume from."
                        + " Start it afresh (it reads the Kafka group's committed offsets) with:"
                        + " scripts/submit.sh --settings "
                        + records.settingsFile(jobId));
    }

    /** The chk-&lt;n&gt; with the highest n that holds a non-empty _metadata. */
    static Optional<Path> newestCheckpoint(Path jobDir) {
        if (!Files.isDirectory(jobDir)) {
            return Optional.empty();
        }
        Path best = null;
        long bestN = -1;
        try (Stream<Path> entries = Files.list(jobDir)) {
            for (Path chk : (Iterable<Path>) entries::iterator) {
                String name = chk.getFileName().toString();
                if (!name.matches("chk-\\d+") || !hasMetadata(chk)) {
                    continue;
                }
                long n = Long.parseLong(name.substring(4));
                if (n > bestN) {
                    best = chk;
                    bestN = n;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + jobDir, e);
        }
        return Optional.ofNullable(best);
    }

    /** The newest (by its _metadata's time) recorded savepoint still on local disk. */
    static Optional<Path> newestRecordedSavepoint(String jobId, JobRecords records) {
        Path best = null;
        for (String recorded : records.savepoints(jobId)) {
            Optional<Path> local = localPath(recorded);
            if (local.isEmpty() || !hasMetadata(local.get())) {
                continue;
            }
            if (best == null || metadataTime(local.get()).compareTo(metadataTime(best)) >= 0) {
                best = local.get();
            }
        }
        return Optional.ofNullable(best);
    }

    private static boolean hasMetadata(Path dir) {
        Path metadata = dir.resolve("_metadata");
        try {
            return Files.isRegularFile(metadata) && Files.size(metadata) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static FileTime metadataTime(Path dir) {
        try {
            return Files.getLastModifiedTime(dir.resolve("_metadata"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.cioforwarder.mparticle;

import static dev.cioforwarder.mparticle.ParseFailures.at;
import static dev.cioforwarder.mparticle.ParseFailures.sanitize;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.json.Json;
import dev.cioforwarder.json.Utf8;
import java.io.IOException;

/**
 * Reads one mParticle outgoing JSON batch in a single streaming pass, without building a tree. It
 * only parses: what the data means for Customer.io is decided by the rules in {@code mapping}.
 *
 * <p>It never throws on bad input. A record that is not a usable batch is rejected with a {@link
 * DeadLetterReason} and a detail naming where the problem is; a malformed event inside a good batch
 * is rejected on its own and the rest of the batch is kept. Details never quote payload values
 * (they may be personal data): they name the field, the expected and found JSON types and the
 * position.
 *
 * <p>This class guards the record (empty, too large, not UTF-8) and turns every failure into a
 * rejection; {@link BatchReader} reads the batch, {@link EventReader} its events, and {@link
 * ParseFailures} words what is wrong.
 *
 * <p>Instances are not thread-safe only in the sense that they hold no state at all: one instance
 * can serve any number of threads.
 */
public final class BatchParser {

    /** Records over this size are rejected before parsing (bounded memory per record). */
    public static final int DEFAULT_MAX_RECORD_BYTES = 8 * 1024 * 1024;

    private final int maxRecordBytes;
    private final boolean readDeviceIds;

    public BatchParser() {
        this(DEFAULT_MAX_RECORD_BYTES);
    }

    public BatchParser(int maxRecordBytes) {
        this(maxRecordBytes, false);
    }

    /**
     * @param readDeviceIds whether to keep the batch's device identifier ({@link
     *     MParticleBatch#deviceId}): only anonymous activity stitching reads it, and a string per
     *     batch would cost every batch of a job that does not
     */
    public BatchParser(int maxRecordBytes, boolean readDeviceIds) {
        this.maxRecordBytes = maxRecordBytes;
        this.readDeviceIds = readDeviceIds;
    }

    /**
     * Parses one record.
     *
     * @param payload the Kafka record value
     * @param recordTimestampMs the Kafka record time, used when the batch carries no time
     */
    public ParseResult parse(byte[] payload, long recordTimestampMs) {
        if (payload == null || payload.length == 0) {
            return ParseResult.rejected(DeadLetterReason.EMPTY_RECORD, "the record has no value");
        }
        if (payload.length > maxRecordBytes) {
            return ParseResult.rejected(
                    DeadLetterReason.RECORD_TOO_LARGE,
                    "the record has "
                            + payload.length
                            + " bytes; the limit (mparticle.max-record-bytes) is "
                            + maxRecordBytes);
        }
        int invalid = Utf8.firstInvalidByte(payload);
        if (invalid >= 0) {
            // Checked before Jackson, which would decode overlong forms and encoded surrogates
            // into characters the sender never wrote, or guess UTF-16 from NUL bytes.
            return ParseResult.rejected(
                    DeadLetterReason.INVALID_JSON,
                    "the record is not valid UTF-8: byte "
                            + invalid
                            + " is "
                            + Utf8.describeInvalidByte(payload, invalid));
        }
        try (JsonParser parser = Json.factory().createParser(payload)) {
            return new BatchReader(
                            new JsonCursor(parser, payload), recordTimestampMs, readDeviceIds)
                    .readBatch();
        } catch (ParseFailures.BatchError e) {
            return ParseResult.rejected(e.reason(), e.getMessage());
        } catch (StreamConstraintsException e) {
            return ParseResult.rejected(
                    DeadLetterReason.INVALID_JSON,
                    "limit exceeded: " + sanitize(e.getOriginalMessage()) + at(e.getLocation()));
        } catch (JsonProcessingException e) {
            return ParseResult.rejected(
                    DeadLetterReason.INVALID_JSON,
                    sanitize(e.getOriginalMessage()) + at(e.getLocation()));
        } catch (IOException | RuntimeException e) {
            // Jackson reports malformed UTF-8 and some truncations as plain IOExceptions; any
            // other surprise is still bad input, never a reason to fail the job.
            return ParseResult.rejected(
                    DeadLetterReason.INVALID_JSON,
                    e.getClass().getSimpleName() + ": " + sanitize(e.getMessage()));
        }
    }
}

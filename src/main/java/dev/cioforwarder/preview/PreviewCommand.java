package dev.cioforwarder.preview;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.IdentifierChange;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.json.Json;
import dev.cioforwarder.mapping.Adjustment;
import dev.cioforwarder.mapping.AnonymousStitch;
import dev.cioforwarder.mapping.AnonymousStitching;
import dev.cioforwarder.mapping.DeviceChange;
import dev.cioforwarder.mapping.DeviceVisit;
import dev.cioforwarder.mapping.EmailClaim;
import dev.cioforwarder.mapping.EmailOwnership;
import dev.cioforwarder.mapping.EmailVerdict;
import dev.cioforwarder.mapping.MappingRejection;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mapping.PushTokenSightings;
import dev.cioforwarder.mapping.SkipReason;
import dev.cioforwarder.mapping.TokenOwnership;
import dev.cioforwarder.mapping.TokenSighting;
import dev.cioforwarder.mapping.Transition;
import dev.cioforwarder.mapping.UserStateMachine;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.mparticle.ParseResult;
import dev.cioforwarder.privacy.ErasureOutcome;
import dev.cioforwarder.privacy.ErasureRequest;
import dev.cioforwarder.privacy.ErasureRequestParser;
import dev.cioforwarder.settings.ForwarderSettings;
import dev.cioforwarder.settings.PropertiesFile;
import dev.cioforwarder.state.DeviceFirstSeen;
import dev.cioforwarder.state.DeviceVisitors;
import dev.cioforwarder.state.EmailOwner;
import dev.cioforwarder.state.TokenOwner;
import dev.cioforwarder.state.UserState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * "What will Customer.io receive for this data?" Runs batches through the job's own parser, rules
 * and state machine, with in-memory state, and prints one JSON object per line: the requests that
 * would be sent, what was skipped and why, and what would go to the dead-letter topic. Needs no
 * Kafka, no cluster and no credentials.
 *
 * <pre>
 * scripts/preview.sh [--settings FILE] [--set key=value ...] [FILE ...]
 * </pre>
 *
 * Each file holds one JSON document, or one document per line; with no file, standard input is read
 * the same way. A document with a {@code request_id} (or {@code subject_request_id}) is an erasure
 * request, as the erasure topic carries, applied to the state the batches before it built.
 */
public final class PreviewCommand {

    private final MappingSettings settings;
    private final UserStateMachine machine;
    private final BatchParser parser;
    private final Map<String, UserState> states = new HashMap<>();
    private final Map<String, Map<String, Long>> devices = new HashMap<>();
    private final PushTokenSightings sightings = new PushTokenSightings();
    private final Map<String, TokenOwner> tokenOwners = new HashMap<>();
    private final Map<String, DeviceVisitors> deviceVisitors = new HashMap<>();
    private final Set<String> erasedMpids = new HashSet<>();
    private final Map<String, EmailOwner> emailOwners = new HashMap<>();
    private final JsonGenerator out;

    PreviewCommand(MappingSettings settings, OutputStream output) throws IOException {
        this.settings = settings;
        this.machine = new UserStateMachine(settings);
        this.parser =
                new BatchParser(BatchParser.DEFAULT_MAX_RECORD_BYTES, settings.anonymousEvents());
        this.out = Json.factory().createGenerator(output);
        out.setRootValueSeparator(null);
    }

    public static void main(String[] args) {
        PrintStream stdout = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        try {
            System.exit(run(args, System.in, stdout));
        } finally {
            stdout.flush();
        }
    }

    /** Runs the command; returns the exit code (0 ok, 2 usage or settings error). */
    static int run(String[] args, InputStream stdin, PrintStream stdout) {
        Map<String, String> given = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--settings":
                        given.putAll(readSettings(Path.of(value(args, ++i, "--settings"))));
                        break;
                    case "--set":
                        String pair = value(args, ++i, "--set");
                        int eq = pair.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException(
                                    "--set takes key=value, got " + pair);
                        }
                        given.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
                        break;
                    case "-h":
                    case "--help":
                        stdout.println(
                                "usage: scripts/preview.sh [--settings FILE] [--set key=value ...]"
                                        + " [FILE ...]");
                        return 0;
                    default:
                        files.add(Path.of(args[i]));
                }
            }
            MappingSettings settings = ForwarderSettings.mappingSettings(given);
            PreviewCommand command = new PreviewCommand(settings, stdout);
            if (files.isEmpty()) {
                command.previewDocuments(stdin.readAllBytes());
            } else {
                for (Path file : files) {
                    command.previewDocuments(Files.readAllBytes(file));
                }
            }
            command.out.flush();
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("preview: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("preview: " + e.getMessage());
            return 2;
        }
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static Map<String, String> readSettings(Path file) throws IOException {
        return PropertiesFile.read(file);
    }

    /**
     * Splits an input into documents: the JSON values it holds one after another (a pretty-printed
     * file, or one per line). When the input is not valid JSON throughout, each non-blank line is a
     * document, so one bad line is reported without hiding the others.
     */
    void previewDocuments(byte[] input) throws IOException {
        List<byte[]> documents = splitValues(input);
        if (documents == null) {
            documents = splitLines(input);
        }
        for (byte[] document : documents) {
            preview(document);
        }
    }

    private static List<byte[]> splitValues(byte[] input) {
        List<byte[]> documents = new ArrayList<>();
        try (JsonParser p = Json.factory().createParser(input)) {
            JsonToken token;
            while ((token = p.nextToken()) != null) {
                int start = (int) p.currentTokenLocation().getByteOffset();
                if (token.isStructStart()) {
                    p.skipChildren();
                }
                int end = (int) p.currentLocation().getByteOffset();
                documents.add(Arrays.copyOfRange(input, start, end));
            }
            return documents;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static List<byte[]> splitLines(byte[] input) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= input.length; i++) {
            if (i == input.length || input[i] == '\n') {
                byte[] line = Arrays.copyOfRange(input, start, i);
                if (!new String(line, StandardCharsets.UTF_8).isBlank()) {
                    lines.add(line);
                }
                start = i + 1;
            }
        }
        return lines;
    }

    private void preview(byte[] document) throws IOException {
        if (isErasureRequest(document)) {
            previewErasure(document);
            return;
        }
        ParseResult result = parser.parse(document, System.currentTimeMillis());
        if (result.isRejected()) {
            deadLetter(result.rejection(), result.rejectionDetail(), null);
            return;
        }
        MParticleBatch batch = result.batch();
        if (result.eventRejectionCount() > 0) {
            deadLetter(
                    DeadLetterReason.EVENT_INVALID,
                    result.eventRejectionSummary(),
                    batch.mpidText());
        }
        if (!settings.environments().forwards(batch.developmentEnvironment)) {
            skipped(SkipReason.ENVIRONMENT_NOT_FORWARDED, batch.mpidText());
            return;
        }
        if (batch.userKey == null) {
            skipped(SkipReason.NO_IDENTITY, null);
            return;
        }
        apply(batch);
    }

    /**
     * Whether the document is an erasure request (as the erasure topic carries) rather than a
     * batch: it has the request id field an mParticle batch never has.
     */
    private static boolean isErasureRequest(byte[] document) {
        try {
            JsonNode root = Json.mapper().readTree(document);
            return root != null
                    && root.isObject()
                    && (root.has("request_id") || root.has("subject_request_id"));
        } catch (IOException e) {
            return false;
        }
    }

    private void previewErasure(byte[] document) throws IOException {
        ErasureRequestParser.Result result =
                new ErasureRequestParser().parse(document, System.currentTimeMillis());
        if (result.requests().isEmpty()) {
            deadLetter(DeadLetterReason.ERASURE_REQUEST_INVALID, result.problem(), null);
            return;
        }
        for (ErasureRequest request : result.requests()) {
            if (request.hasMpid) {
                erasedMpids.add(Long.toString(request.mpid));
            }
            apply(MParticleBatch.ofErasure(request, "preview", 0, 0));
        }
    }

    private void apply(MParticleBatch batch) throws IOException {
        Map<String, Long> userDevices =
                devices.computeIfAbsent(batch.userKey, k -> new HashMap<>());
        Transition t =
                machine.apply(
                        states.get(batch.userKey),
                        new DeviceFirstSeen() {
                            @Override
                            public Long get(String deviceType) {
                                return userDevices.get(deviceType);
                            }

                            @Override
                            public void put(String deviceType, long firstSeenMs) {
                                userDevices.put(deviceType, firstSeenMs);
                            }

                            @Override
                            public void clear() {
                                userDevices.clear();
                            }
                        },
                        batch);
        report(batch.userKey, batch.mpidText(), t);
        if (settings.forwardDevices()) {
            devices(batch);
        }
        if (settings.anonymousEvents()) {
            deviceVisit(batch);
        }
        emailClaim(batch);
    }

    /**
     * The batch's claim on its email through the email index (in memory here) and its answer
     * through the user's state machine, as the job's email stage does after the batch.
     */
    private void emailClaim(MParticleBatch batch) throws IOException {
        EmailClaim claim = EmailOwnership.claimOf(batch, settings);
        if (claim == null) {
            return;
        }
        List<EmailVerdict> verdicts = new ArrayList<>();
        emailOwners.put(
                claim.email, EmailOwnership.apply(emailOwners.get(claim.email), claim, verdicts));
        for (EmailVerdict verdict : verdicts) {
            report(
                    verdict.userKey,
                    verdict.mpid,
                    machine.applyEmailVerdict(states.get(verdict.userKey), verdict));
        }
    }

    /**
     * The batch's visit to its device through the device index (in memory here) and the anonymous
     * MPIDs it gives through the state machine of the user concerned, as the job's device stage
     * does after the batch.
     */
    private void deviceVisit(MParticleBatch batch) throws IOException {
        DeviceVisit visit = AnonymousStitching.visitOf(batch, settings.userIdType());
        if (visit == null) {
            return;
        }
        List<AnonymousStitch> stitches = new ArrayList<>();
        deviceVisitors.put(
                visit.deviceId,
                AnonymousStitching.apply(
                        deviceVisitors.get(visit.deviceId),
                        visit,
                        erasedMpids::contains,
                        stitches));
        for (AnonymousStitch stitch : stitches) {
            report(
                    stitch.userKey,
                    stitch.mpid,
                    machine.applyStitch(states.get(stitch.userKey), stitch));
        }
    }

    /**
     * The batch's push tokens through the token index (in memory here) and the device changes it
     * decides through the state machine of each user concerned, as the job's token stage does after
     * the batch.
     */
    private void devices(MParticleBatch batch) throws IOException {
        PushTokenSightings read = sightings.read(batch);
        for (SkipReason reason :
                List.of(SkipReason.DEVICE_TOKEN_INVALID, SkipReason.DEVICE_PLATFORM_UNSUPPORTED)) {
            for (int i = 0; i < read.skipped(reason); i++) {
                skipped(reason, batch.mpidText());
            }
        }
        List<DeviceChange> changes = new ArrayList<>();
        for (TokenSighting s : read.sightings()) {
            tokenOwners.put(
                    s.token,
                    TokenOwnership.apply(
                            tokenOwners.get(s.token),
                            s,
                            settings.deviceRefreshIntervalMs(),
                            changes));
        }
        for (DeviceChange change : changes) {
            report(
                    change.userKey,
                    change.mpid,
                    machine.applyDeviceChange(states.get(change.userKey), change));
        }
    }

    private void report(String userKey, String mpid, Transition t) throws IOException {
        if (t.state() != null) {
            states.put(userKey, t.state());
        }
        for (SkipReason reason : SkipReason.values()) {
            for (int i = 0; i < t.skipped(reason); i++) {
                skipped(reason, mpid);
            }
        }
        for (Adjustment adjustment : Adjustment.values()) {
            for (int i = 0; i < t.adjusted(adjustment); i++) {
                adjusted(adjustment, mpid);
            }
        }
        for (MappingRejection rejection : t.rejections()) {
            deadLetter(rejection.reason(), rejection.detail(), mpid);
        }
        for (CustomerioOperation op : t.operations()) {
            request(op);
        }
        for (ErasureOutcome outcome : t.erasureOutcomes()) {
            erasureOutcome(outcome);
        }
    }

    private void erasureOutcome(ErasureOutcome outcome) throws IOException {
        out.writeStartObject();
        out.writeStringField("kind", "erasure_outcome");
        out.writeStringField("request_id", outcome.requestId);
        out.writeStringField("outcome", outcome.outcome);
        out.writeStringField("mpid", outcome.mpid);
        out.writeEndObject();
        newline();
    }

    private void request(CustomerioOperation op) throws IOException {
        if (op.kind == OperationKind.IDENTIFIER_CHANGE) {
            identifierChange(op);
            return;
        }
        out.writeStartObject();
        out.writeStringField("kind", "request");
        if (settings.apiMode() == ApiMode.V1 || op.path != null) {
            out.writeStringField("method", op.method);
            out.writeStringField("path", op.path);
        } else {
            // In v2-batch mode operations travel in /api/v2/batch requests; shown one by one as
            // the equivalent /api/v2/entity request.
            out.writeStringField("method", "POST");
            out.writeStringField("path", "/api/v2/entity");
        }
        if (op.erasureRequestId != null) {
            // Its outcome (done or failed) is written once Customer.io has answered.
            out.writeStringField("erasure_request_id", op.erasureRequestId);
        }
        if (op.lastInRequest) {
            // Operations after it wait until Customer.io has acknowledged it.
            out.writeBooleanField("last_in_request", true);
        }
        if (op.body.length > 0) { // a v1 device deletion has no body
            out.writeFieldName("body");
            out.writeRawValue(new String(op.body, StandardCharsets.UTF_8));
        }
        out.writeEndObject();
        newline();
    }

    /**
     * An identifier change is not one request: delivery looks the person up through the App API and
     * sets the new identifier through their cio_id (IdentifierChangeDelivery). Shown as those
     * steps, since its operation body never goes to Customer.io as it is.
     */
    private void identifierChange(CustomerioOperation op) throws IOException {
        IdentifierChange change = IdentifierChange.decode(op.body);
        String person = change.person().kind().code();
        String set = change.set().kind().code();
        out.writeStartObject();
        out.writeStringField("kind", "identifier_change");
        out.writeObjectFieldStart("person");
        out.writeStringField(person, change.person().value());
        out.writeEndObject();
        out.writeObjectFieldStart("set");
        out.writeStringField(set, change.set().value());
        out.writeEndObject();
        out.writeArrayFieldStart("steps");
        out.writeString(
                "App API: GET /v1/customers/"
                        + change.person().value()
                        + "/attributes?id_type="
                        + person
                        + " (the person's cio_id)");
        out.writeString(
                "App API: GET /v1/customers/"
                        + change.set().value()
                        + "/attributes?id_type="
                        + set
                        + " (nobody else may have it: else identifier_conflict)");
        out.writeString("Track API: PUT /api/v1/customers/cio_<cio_id>, setting the new " + set);
        out.writeEndArray();
        if (op.lastInRequest) {
            out.writeBooleanField("last_in_request", true);
        }
        out.writeEndObject();
        newline();
    }

    private void adjusted(Adjustment adjustment, String mpid) throws IOException {
        out.writeStartObject();
        out.writeStringField("kind", "adjusted");
        out.writeStringField("reason", adjustment.code());
        out.writeStringField("mpid", mpid);
        out.writeEndObject();
        newline();
    }

    private void skipped(SkipReason reason, String mpid) throws IOException {
        out.writeStartObject();
        out.writeStringField("kind", "skipped");
        out.writeStringField("reason", reason.code());
        out.writeStringField("mpid", mpid);
        out.writeEndObject();
        newline();
    }

    private void deadLetter(DeadLetterReason reason, String detail, String mpid)
            throws IOException {
        out.writeStartObject();
        out.writeStringField("kind", "dead_letter");
        out.writeStringField("reason", reason.code());
        out.writeStringField("stage", reason.stage().code());
        out.writeStringField("detail", detail);
        if (mpid != null) {
            out.writeStringField("mpid", mpid);
        }
        out.writeEndObject();
        newline();
    }

    private void newline() throws IOException {
        out.writeRaw('\n');
        out.flush();
    }
}

package dev.cioforwarder.preview;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.customerio.CustomerioOperation;
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
import dev.cioforwarder.mapping.RecordIntake;
import dev.cioforwarder.mapping.SkipReason;
import dev.cioforwarder.mapping.TokenOwnership;
import dev.cioforwarder.mapping.TokenSighting;
import dev.cioforwarder.mapping.Transition;
import dev.cioforwarder.mapping.UserStateMachine;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.privacy.ErasureOutcome;
import dev.cioforwarder.privacy.ErasureRequest;
import dev.cioforwarder.privacy.ErasureRequestParser;
import dev.cioforwarder.state.DeviceFirstSeen;
import dev.cioforwarder.state.DeviceVisitors;
import dev.cioforwarder.state.EmailOwner;
import dev.cioforwarder.state.TokenOwner;
import dev.cioforwarder.state.UserState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The preview's run: documents through the job's own steps, with in-memory state in place of
 * Flink's. Each record goes through the parse stage's {@link RecordIntake}, each batch through the
 * user's {@link UserStateMachine}, then through the token, device and email indexes and back to the
 * users they concern, as the job's stages do after the batch. What they decide goes to {@link
 * PreviewOutput}.
 */
final class Preview {

    private final MappingSettings settings;
    private final UserStateMachine machine;
    private final RecordIntake intake;
    private final PreviewOutput out;
    private final Map<String, UserState> states = new HashMap<>();
    private final Map<String, Map<String, Long>> devices = new HashMap<>();
    private final PushTokenSightings sightings = new PushTokenSightings();
    private final Map<String, TokenOwner> tokenOwners = new HashMap<>();
    private final Map<String, DeviceVisitors> deviceVisitors = new HashMap<>();
    private final Set<String> erasedMpids = new HashSet<>();
    private final Map<String, EmailOwner> emailOwners = new HashMap<>();

    Preview(MappingSettings settings, int maxRecordBytes, PreviewOutput out) {
        this.settings = settings;
        this.machine = new UserStateMachine(settings);
        this.intake = new RecordIntake(maxRecordBytes, settings);
        this.out = out;
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
        RecordIntake.Intake in = admit(document);
        if (in.rejection() != null) {
            out.deadLetter(in.rejection(), in.rejectionDetail(), null);
            return;
        }
        if (in.eventRejectionCount() > 0) {
            out.deadLetter(DeadLetterReason.EVENT_INVALID, in.eventRejectionSummary(), in.mpid());
        }
        if (in.skipped() != null) {
            out.skipped(in.skipped(), in.mpid());
            return;
        }
        apply(in.batch());
    }

    /** The parse stage's intake of a batch document: what the job's parse function does. */
    RecordIntake.Intake admit(byte[] document) {
        return intake.read(document, System.currentTimeMillis());
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
            out.deadLetter(DeadLetterReason.ERASURE_REQUEST_INVALID, result.problem(), null);
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
                out.skipped(reason, batch.mpidText());
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
                out.skipped(reason, mpid);
            }
        }
        for (Adjustment adjustment : Adjustment.values()) {
            for (int i = 0; i < t.adjusted(adjustment); i++) {
                out.adjusted(adjustment, mpid);
            }
        }
        for (MappingRejection rejection : t.rejections()) {
            out.deadLetter(rejection.reason(), rejection.detail(), mpid);
        }
        for (CustomerioOperation op : t.operations()) {
            out.request(op);
        }
        for (ErasureOutcome outcome : t.erasureOutcomes()) {
            out.erasureOutcome(outcome);
        }
    }
}

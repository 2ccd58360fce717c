package dev.cioforwarder.preview;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.IdentifierChange;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.json.Json;
import dev.cioforwarder.mapping.Adjustment;
import dev.cioforwarder.mapping.SkipReason;
import dev.cioforwarder.privacy.ErasureOutcome;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * What the preview prints: one JSON object per line for each request that would be sent, each skip
 * and adjustment, each dead letter and each erasure outcome, flushed line by line.
 */
final class PreviewOutput {

    private final JsonGenerator out;

    PreviewOutput(OutputStream output) throws IOException {
        this.out = Json.factory().createGenerator(output);
        out.setRootValueSeparator(null);
    }

    void flush() throws IOException {
        out.flush();
    }

    void erasureOutcome(ErasureOutcome outcome) throws IOException {
        out.writeStartObject();
        out.writeStringField("kind", "erasure_outcome");
        out.writeStringField("request_id", outcome.requestId);
        out.writeStringField("outcome", outcome.outcome);
        out.writeStringField("mpid", outcome.mpid);
        out.writeEndObject();
        newline();
    }

    void request(CustomerioOperation op) throws IOException {
        if (op.kind == OperationKind.IDENTIFIER_CHANGE) {
            identifierChange(op);
            return;
        }
        out.writeStartObject();
        out.writeStringField("kind", "request");
        if (op.path != null) {
            // Sent as it is: every operation in v1 mode (the encoder gave each its path), and
            // those v2-batch mode sends alone.
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

    void adjusted(Adjustment adjustment, String mpid) throws IOException {
        out.writeStartObject();
        out.writeStringField("kind", "adjusted");
        out.writeStringField("reason", adjustment.code());
        out.writeStringField("mpid", mpid);
        out.writeEndObject();
        newline();
    }

    void skipped(SkipReason reason, String mpid) throws IOException {
        out.writeStartObject();
        out.writeStringField("kind", "skipped");
        out.writeStringField("reason", reason.code());
        out.writeStringField("mpid", mpid);
        out.writeEndObject();
        newline();
    }

    void deadLetter(DeadLetterReason reason, String detail, String mpid) throws IOException {
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

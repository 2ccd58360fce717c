package dev.cioforwarder.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.codes.Codes;
import dev.cioforwarder.customerio.Region;
import dev.cioforwarder.json.Json;

/**
 * Reads the answer of {@code GET /api/v1/accounts/region} at start-up and says in plain words what
 * is wrong, if anything: a refused key, an account in the other region, an unreachable host. The
 * messages name settings, never the key.
 */
public final class CredentialsCheck {

    /** What the check found. */
    public enum Verdict {
        OK,
        WRONG_CREDENTIALS,
        WRONG_REGION,
        UNREACHABLE,
        UNAVAILABLE,
        UNEXPECTED
    }

    /** A verdict and the sentence to log. */
    public record Result(Verdict verdict, String message) {}

    private CredentialsCheck() {}

    public static Result evaluate(
            HttpResult r, Region configured, String siteId, String trackUrl, String keySource) {
        if (r.isNetworkError()) {
            return new Result(
                    Verdict.UNREACHABLE,
                    "Customer.io credentials check: "
                            + trackUrl
                            + " is unreachable ("
                            + r.describe()
                            + "); deliveries will retry until it answers");
        }
        if (r.status() == 401 || r.status() == 403) {
            return new Result(
                    Verdict.WRONG_CREDENTIALS,
                    "Customer.io refused the credentials for site id "
                            + siteId
                            + " at "
                            + trackUrl
                            + " (HTTP "
                            + r.status()
                            + "): check customerio.site-id and the API key in "
                            + keySource
                            + ". Nothing is dropped: deliveries retry until the key is fixed.");
        }
        if (r.status() == 429 || r.status() >= 500) {
            // Customer.io is down or throttling: the endpoint is fine, so do not send the operator
            // looking for a configuration mistake.
            return new Result(
                    Verdict.UNAVAILABLE,
                    "Customer.io credentials check at "
                            + trackUrl
                            + " answered HTTP "
                            + r.status()
                            + " (Customer.io unavailable or throttling); deliveries will retry"
                            + " until it answers");
        }
        if (r.status() != 200) {
            return new Result(
                    Verdict.UNEXPECTED,
                    "Customer.io credentials check at "
                            + trackUrl
                            + " answered HTTP "
                            + r.status()
                            + "; is customerio.endpoint right?");
        }
        String accountRegion = null;
        try {
            JsonNode region = Json.mapper().readTree(r.body()).path("region");
            accountRegion = region.isTextual() ? region.asText() : null;
        } catch (Exception e) {
            // reported below as an unknown region
        }
        if (accountRegion != null && !accountRegion.equals(configured.code())) {
            String advice;
            try {
                advice = " (" + Codes.fromCode(Region.class, accountRegion).trackUrl() + ")";
            } catch (IllegalArgumentException e) {
                advice = "";
            }
            return new Result(
                    Verdict.WRONG_REGION,
                    "The Customer.io account of site id "
                            + siteId
                            + " is in region "
                            + accountRegion
                            + " but customerio.region is "
                            + configured.code()
                            + ": set customerio.region: "
                            + accountRegion
                            + advice
                            + ", or requests will be redirected (EU data through the US) or"
                            + " refused");
        }
        return new Result(
                Verdict.OK,
                "Customer.io accepted the credentials for site id "
                        + siteId
                        + " (region "
                        + accountRegion
                        + ") at "
                        + trackUrl);
    }
}

package dev.cioforwarder.mapping;

import dev.cioforwarder.customerio.DeviceAttributes;
import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.mparticle.EventKind;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.mparticle.MParticleEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which push tokens a batch registers or unregisters on its user's device (with {@code
 * customerio.forward-devices}): read on the parse side, before anything knows the user's identity,
 * and sent keyed by token to the token index ({@link TokenOwnership}).
 *
 * <ul>
 *   <li>{@code device_info.push_token} is registered on the batch's device; so is the {@code
 *       registration_token} of a {@code push_registration} with {@code register: true}. One with
 *       {@code register: false} unregisters it, and an {@code uninstall} unregisters the batch's
 *       {@code device_info.push_token} (the app is gone from that device). Within a batch the last
 *       word on a token counts, in batch order after {@code device_info}: the device information an
 *       uninstall batch carries is the removed app's.
 *   <li>The platform is {@code device_info.platform}, else {@code application_info.os}: iOS and
 *       tvOS (and Unity's iOS) are Customer.io's {@code ios}, Android (and Unity's Android) its
 *       {@code android}. Customer.io sends push through APNs and FCM only, so a token from any
 *       other platform (web, Fire TV, whose Amazon tokens FCM cannot reach, Roku, smart TVs…) or
 *       from a batch naming none is not registered ({@code device_platform_unsupported}). An
 *       unregistration needs no platform.
 *   <li>A token is trimmed; one that is empty, holds whitespace or control characters, or is over
 *       1,000 bytes is no push token ({@code device_token_invalid}), and neither is a {@code
 *       push_registration} that does not say {@code register}, nor an {@code uninstall} of a batch
 *       without a push token (it names no device).
 *   <li>Every sighting carries the batch time: the token index orders them by it, and it becomes
 *       the device's {@code last_used}.
 * </ul>
 *
 * <p>Not thread-safe: it reuses its result.
 */
public final class PushTokenSightings {

    /** The longest token accepted: far beyond APNs (32 bytes, as hex) and FCM (~160). */
    static final int MAX_TOKEN_BYTES = 1000;

    private final List<TokenSighting> sightings = new ArrayList<>();
    private final Map<String, Boolean> lastWord = new LinkedHashMap<>();
    private int invalidTokens;
    private int unsupportedPlatforms;

    /** Reads the batch; the result (this object) is reused by the next call. */
    public PushTokenSightings read(MParticleBatch batch) {
        sightings.clear();
        lastWord.clear();
        invalidTokens = 0;
        unsupportedPlatforms = 0;
        String deviceToken = null;
        if (batch.pushToken != null) {
            deviceToken = usableToken(batch.pushToken);
            if (deviceToken == null) {
                invalidTokens++;
            } else {
                lastWord.put(deviceToken, Boolean.TRUE);
            }
        }
        for (MParticleEvent event : batch.events) {
            if (event.kind == EventKind.PUSH_REGISTRATION) {
                String token = event.pushToken == null ? null : usableToken(event.pushToken);
                if (token == null || event.pushRegister == null) {
                    invalidTokens++;
                } else {
                    lastWord.remove(token); // the last word goes last
                    lastWord.put(token, event.pushRegister);
                }
            } else if (event.kind == EventKind.UNINSTALL) {
                if (deviceToken == null) {
                    invalidTokens++;
                } else {
                    lastWord.remove(deviceToken);
                    lastWord.put(deviceToken, Boolean.FALSE);
                }
            }
        }
        if (lastWord.isEmpty()) {
            return this;
        }
        String platform = platform(batch);
        DeviceAttributes attributes = attributes(batch);
        for (Map.Entry<String, Boolean> e : lastWord.entrySet()) {
            boolean register = e.getValue();
            if (register && platform == null) {
                unsupportedPlatforms++;
                continue;
            }
            TokenSighting s = new TokenSighting();
            s.token = e.getKey();
            s.userKey = batch.userKey;
            s.mpid = batch.mpidText();
            s.customerId = batch.customerId;
            s.email = batch.email;
            s.platform = platform;
            s.timeMs = batch.timestampMs;
            s.register = register;
            s.attributes = register ? attributes : null;
            s.sourceTopic = batch.sourceTopic;
            s.sourcePartition = batch.sourcePartition;
            s.sourceOffset = batch.sourceOffset;
            sightings.add(s);
        }
        return this;
    }

    /** The batch's tokens, registered or unregistered, each once, in batch order. */
    public List<TokenSighting> sightings() {
        return sightings;
    }

    /**
     * How many tokens the batch skipped for {@code reason} ({@link SkipReason#DEVICE_TOKEN_INVALID}
     * or {@link SkipReason#DEVICE_PLATFORM_UNSUPPORTED}).
     */
    public int skipped(SkipReason reason) {
        switch (reason) {
            case DEVICE_TOKEN_INVALID:
                return invalidTokens;
            case DEVICE_PLATFORM_UNSUPPORTED:
                return unsupportedPlatforms;
            default:
                return 0;
        }
    }

    /**
     * Customer.io's device attributes from the batch: {@code device_os} from {@code
     * device_info.os_version}, {@code device_model}, {@code app_version} from {@code
     * application_info.application_version}, and {@code device_locale} from {@code locale_language}
     * and {@code locale_country} as an IETF tag ({@code en-GB}); null when the batch has none.
     * {@code push_enabled} is not sent: no batch field says whether the person allows notifications
     * (a registered token does not).
     */
    static DeviceAttributes attributes(MParticleBatch batch) {
        String locale = null;
        if (batch.localeLanguage != null) {
            locale =
                    batch.localeCountry != null
                            ? batch.localeLanguage + "-" + batch.localeCountry
                            : batch.localeLanguage;
        }
        return DeviceAttributes.of(
                batch.osVersion, batch.deviceModel, batch.applicationVersion, locale);
    }

    /** Customer.io's platform for the batch's device: {@code ios}, {@code android} or null. */
    public static String platform(MParticleBatch batch) {
        String device = CreatedAtRule.deviceType(batch);
        if (device == null) {
            return null;
        }
        switch (device) {
            case "ios":
            case "tvos":
                return "ios";
            case "android":
                return "android";
            default:
                return null;
        }
    }

    /**
     * The token trimmed, or null when it cannot be a push token. An APNs token in the form
     * mParticle's JSON reference shows ({@code <e481f135 9629f0c3 ...>}, how iOS prints the token's
     * bytes) becomes the plain hex string APNs and Customer.io use, so both forms name one device.
     */
    static String usableToken(String raw) {
        String token = bracketedHexAsPlain(raw.strip());
        if (token.isEmpty() || Attributes.utf8Length(token) > MAX_TOKEN_BYTES) {
            return null;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (Character.isWhitespace(c)
                    || Character.isISOControl(c)
                    || Character.isSpaceChar(c)) {
                return null;
            }
        }
        return token;
    }

    /**
     * {@code <hex groups separated by spaces>} without its brackets and spaces; anything else as it
     * is (no FCM or APNs token contains {@code <}, so nothing else can be mistaken for this form).
     */
    private static String bracketedHexAsPlain(String token) {
        if (token.length() < 3
                || token.charAt(0) != '<'
                || token.charAt(token.length() - 1) != '>') {
            return token;
        }
        StringBuilder hex = new StringBuilder(token.length());
        for (int i = 1; i < token.length() - 1; i++) {
            char c = token.charAt(i);
            if (Character.digit(c, 16) >= 0 && c < 128) {
                hex.append(c);
            } else if (c != ' ') {
                return token;
            }
        }
        return hex.length() == 0 ? token : hex.toString();
    }
}

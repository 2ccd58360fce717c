package dev.cioforwarder.job;

import dev.cioforwarder.mapping.TokenSighting;
import org.apache.flink.api.java.functions.KeySelector;

/** Keys push token sightings by token, for the token index. */
public class TokenSightingKeySelector implements KeySelector<TokenSighting, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(TokenSighting sighting) {
        return sighting.token;
    }
}

package dev.cioforwarder.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The project's one JSON configuration. Input is hostile until parsed, so the read constraints are
 * tighter than Jackson's defaults: mParticle batches are shallow, and a document nested deeper than
 * {@link #MAX_NESTING_DEPTH} is an attack or a bug, not data.
 */
public final class Json {

    public static final int MAX_NESTING_DEPTH = 64;

    /** Longest single string accepted anywhere in a batch (crash reports carry long ones). */
    public static final int MAX_STRING_LENGTH = 8 * 1024 * 1024;

    public static final int MAX_NUMBER_LENGTH = 64;

    private static final JsonFactory FACTORY =
            JsonFactory.builder()
                    .streamReadConstraints(
                            StreamReadConstraints.builder()
                                    .maxNestingDepth(MAX_NESTING_DEPTH)
                                    .maxStringLength(MAX_STRING_LENGTH)
                                    .maxNumberLength(MAX_NUMBER_LENGTH)
                                    .build())
                    .streamWriteConstraints(
                            StreamWriteConstraints.builder()
                                    .maxNestingDepth(MAX_NESTING_DEPTH)
                                    .build())
                    // Two values for one key make a batch ambiguous: reject it instead of
                    // silently keeping the last one.
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    // Locations in error messages carry line and column, never the payload
                    // (customer data must not reach logs through an exception text).
                    .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                    .build();

    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private Json() {}

    public static JsonFactory factory() {
        return FACTORY;
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }
}

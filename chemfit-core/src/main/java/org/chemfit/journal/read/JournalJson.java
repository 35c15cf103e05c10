package org.chemfit.journal.read;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.chemfit.journal.JournalException;
import org.jspecify.annotations.Nullable;

/**
 * Reads the JSON trees the journal stores (settings, evaluation trees, term metadata)
 * back into maps, for the records of this package and for the journal itself.
 *
 * <pre>{@code
 * Map<String, Object> settings = JournalJson.readMap(run.settingsJson());
 * }</pre>
 *
 * @implNote Thread-safe: the mapper is configured once and only used afterwards.
 */
public final class JournalJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

    private JournalJson() {}

    /**
     * Reads a JSON object.
     *
     * @param json the JSON text; null or empty reads as an empty map
     * @return its entries, in the order of the text
     * @throws JournalException when the text is not valid JSON
     */
    public static Map<String, Object> readMap(@Nullable String json) {
        if (json == null || json.isEmpty()) {
            return new LinkedHashMap<>();
        }
        try {
            return MAPPER.readValue(json, MAP);
        } catch (JsonProcessingException e) {
            String text = json.length() <= 120 ? json : json.substring(0, 120) + "...";
            throw new JournalException("the journal holds invalid JSON (" + e.getOriginalMessage() + "): " + text, e);
        }
    }
}

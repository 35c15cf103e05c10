package org.chemfit.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** A JSON parse error in plain words and its place, never the parser's "[Source: REDACTED ...]". */
class JsonErrorsTest {

    private static String said(String text) {
        JsonProcessingException e =
                assertThrows(JsonProcessingException.class, () -> new ObjectMapper().readTree(text));
        return JsonErrors.withPlace(e);
    }

    @Test
    void aTruncatedFileSaysWhereItEnds() {
        assertEquals(
                "the file ends inside the object opened at line 1, column 1 (line 1, column 14)",
                said("{\"energy\": 12"));
        assertEquals("the file ends inside an object (line 1, column 10)", said("{\"a\": 1, "));
        assertEquals("the file ends inside an object (line 1, column 6)", said("{\"ene"));
        assertEquals(
                "the file ends inside the array opened at line 1, column 12 (line 1, column 17)",
                said("{\"energy\": [1, 2"));
        assertEquals("the file ends inside a string (line 1, column 15)", said("{\"energy\": \"ab"));
    }

    @Test
    void otherErrorsKeepJacksonsWordsWithoutItsNames() {
        assertEquals(
                "Unexpected character '1': was expecting a colon to separate field name and value"
                        + " (line 1, column 6)",
                said("{\"a\" 1}"));
        assertEquals(
                "Unexpected character 'x': was expecting comma to separate Object entries (line 1, column 9)",
                said("{\"a\": 1 x}"));
        assertEquals(
                "Unrecognized token 'x': expected a value (a string, number, array, object, true, false or null)"
                        + " (line 1, column 15)",
                said("{\"exit_code\": x}"));
        assertEquals(
                "Unexpected character ']': expected a value (a string, number, array, object, true, false or null)"
                        + " (line 1, column 5)",
                said("[1, ]"));
        assertEquals(
                "Illegal unquoted character (control character 9): has to be escaped using backslash to be"
                        + " included in string value (line 1, column 9)",
                said("{\"a\": \"b\tc\"}"));
        // a curly quote pasted from a word processor: Jackson adds the code in hexadecimal
        assertEquals(
                "Unexpected character '\u201c': was expecting double-quote to start field name (line 1, column 3)",
                said("{ \u201ca\u201d: 1}"));
        assertEquals(
                "NaN and Infinity are not JSON numbers; write a finite number (line 1, column 10)",
                said("{\"a\": NaN}"));
    }
}

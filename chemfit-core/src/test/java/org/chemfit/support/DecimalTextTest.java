package org.chemfit.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.chemfit.atoms.InputFormatException;
import org.chemfit.atoms.ParameterRef;
import org.chemfit.atoms.ReferenceCsv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Numbers are decimal text of at most 1e100 in magnitude; what Java reads besides is refused, saying the rule. */
class DecimalTextTest {

    private static final String DECIMAL = " written in decimal (digits with an optional sign, decimal point and"
            + " exponent, such as -41.5 or 6.2e-3; no type suffix such as d or F, no hexadecimal)";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{index}: {0}")
    @CsvSource({"-41.5, -41.5", "+.5e1, 5", "7., 7", "6.2E-3, 0.0062", "1e100, 1e100", "-1e-300, -1e-300", "0, 0"})
    void decimalTextIsReadAsItsValue(String text, double value) {
        assertEquals(value, DecimalText.parse(text), 0.0);
    }

    @ParameterizedTest(name = "{index}: {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "60.465539d | written",
                "-41.5F     | written",
                "0x1p3      | written",
                "1e200      | limit",
                "-1e400     | limit",
                "1.00000000000000001e100 | decimal",
                "NaN        | none",
                "Infinity   | none",
                "nan        | none",
                "1,5        | comma",
                "-60,465539 | comma",
                "1,2,3      | none",
                "''         | none"
            })
    void anythingElseIsNotANumberAndTheRuleItBreaksIsSaid(String text, String kind) {
        if (kind.equals("decimal")) {
            // rounds to 1e100: within the limit
            assertEquals(1e100, DecimalText.parse(text), 0.0);
            return;
        }
        assertTrue(Double.isNaN(DecimalText.parse(text)), text);
        String rule = switch (kind) {
            case "written" -> DECIMAL;
            case "limit" -> " at most 1e100 in magnitude";
            case "comma" -> " with a decimal point, not a comma (" + text.replace(',', '.') + ")";
            default -> "";
        };
        assertEquals(rule, DecimalText.rule(text));
    }

    @Test
    void aReferenceCsvSaysWhichRuleAValueBreaks() throws IOException {
        Path csv = dir.resolve("e.csv");
        Files.writeString(csv, "file,reference_energy,tag\na.xyz,60.465539d,a\nb.xyz,1e200,b\nc.xyz, -99.9 ,c\n");
        InputFormatException e = assertThrows(InputFormatException.class, () -> ReferenceCsv.read(csv));
        assertEquals(2, e.line());
        assertEquals(
                "expected a finite number in column 'reference_energy'" + DECIMAL + ", got '60.465539d'", e.problem());
        assertEquals(1, e.getSuppressed().length);
        InputFormatException second = (InputFormatException) e.getSuppressed()[0];
        assertEquals(
                "3: expected a finite number in column 'reference_energy' at most 1e100 in magnitude, got '1e200'",
                second.line() + ": " + second.problem());
    }

    @Test
    void aPotentialsFactorIsDecimalText() {
        assertEquals(ParameterRef.scaled("qH", -2.0), ParameterRef.parse("-2*qH"));
        assertEquals(ParameterRef.constant(0.5), ParameterRef.parse(" 0.5 "));
        for (String text : new String[] {"2d*qH", "qH*0x1p3", "1e200*qH", "0x1p3"}) {
            assertThrows(IllegalArgumentException.class, () -> ParameterRef.parse(text), text);
        }
    }
}

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

    /** A value written with every digit, in the form of Python's repr and of the tables' %g, reads back exactly. */
    @ParameterizedTest(name = "{index}: {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "136.90905128268622 | 136.90905128268622",
                "1e5                | 100000",
                "1e-4               | 0.0001",
                "1e-5               | 1e-05",
                "9.999999999999999e-5 | 9.999999999999999e-05",
                "2.5e25             | 2.5e+25",
                "1e30               | 1e+30",
                "-1e-300            | -1e-300",
                "1e15               | 1000000000000000",
                "1e16               | 1e+16",
                "-0.0               | -0",
                "0                  | 0",
                "4.9e-324           | 4.9e-324",
                "Infinity           | inf",
                "NaN                | nan"
            })
    void aValueIsWrittenWithEveryDigitInOneForm(double value, String text) {
        assertEquals(text, DecimalText.of(value));
        if (Double.isFinite(value)) {
            assertEquals(value, Double.parseDouble(text), 0.0);
            assertEquals(Double.doubleToRawLongBits(value), Double.doubleToRawLongBits(Double.parseDouble(text)));
        }
    }

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

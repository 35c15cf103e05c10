package org.chemfit.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Finds where a text file stops being UTF-8, for the readers of the files a job names (structure
 * files, reference CSVs, templates): a file saved in Latin-1 or Windows-1252 (a spreadsheet's CSV,
 * an {@code Å} in a comment line) is told at its line and column, with the byte and the rule, in
 * the words and at the place the job file's own reader would give it.
 *
 * <pre>{@code
 * Utf8Text.Place p = Utf8Text.firstBadByte(Path.of("dimer.xyz"));   // line 2, column 17, byte 0xC5
 * p.problem("a structure file");   // "is not UTF-8 text: byte 0xC5 at column 17 cannot be read as UTF-8 ..."
 * }</pre>
 *
 * @implNote Stateless; thread-safe.
 */
public final class Utf8Text {

    private Utf8Text() {}

    /**
     * Where a file stops being UTF-8 text.
     *
     * @param line the line of the first byte that is not UTF-8, from 1
     * @param column its column, from 1 (the characters before it on its line, plus one)
     * @param value the byte, 0 to 255
     * @param utf16 whether the file starts with the byte order mark of UTF-16
     */
    public record Place(int line, int column, int value, boolean utf16) {

        /**
         * @param what the kind of file in words ("a structure file"), which must be UTF-8 text
         * @return the problem, for a message that names the file and the line before it: {@code is
         *     not UTF-8 text: byte 0xC5 at column 17 cannot be read as UTF-8 (in Latin-1 and
         *     Windows-1252 it is 'Å', U+00C5); a structure file must be UTF-8 text: save it as UTF-8}
         */
        public String problem(String what) {
            return String.format(
                    Locale.ROOT,
                    "is not UTF-8 text: byte 0x%02X at column %d cannot be read as UTF-8 (%s); %s must be UTF-8"
                            + " text: save it as UTF-8",
                    value,
                    column,
                    guess(),
                    what);
        }

        /** @return what the byte most likely is: a character of a one-byte encoding, UTF-16, or binary */
        private String guess() {
            if (utf16) {
                return "the file is UTF-16";
            }
            if (value >= 0xA0) {
                // Latin-1 and Windows-1252 agree from 0xA0 on
                return "in Latin-1 and Windows-1252 it is '" + (char) value + "', U+"
                        + String.format(Locale.ROOT, "%04X", value);
            }
            if (value >= 0x80) {
                String c = new String(new byte[] {(byte) value}, java.nio.charset.Charset.forName("windows-1252"));
                if (!c.equals("\uFFFD") && c.codePointAt(0) >= 0xA0) {
                    return "in Windows-1252 it is '" + c + "', U+"
                            + String.format(Locale.ROOT, "%04X", c.codePointAt(0));
                }
            }
            return "is this a binary file?";
        }
    }

    /**
     * For a reader that failed: whether it failed on text that is not UTF-8, and where.
     *
     * <pre>{@code
     * catch (IOException | UncheckedIOException e) {
     *     Utf8Text.Place p = Utf8Text.placeOf(file, e);   // null: another failure
     * }
     * }</pre>
     *
     * @param file the file that was read
     * @param e why reading it failed
     * @return the place of the file's first byte that is not UTF-8 when {@code e} (or one of its
     *     causes) is a decoding failure and the file, read again, has such a byte; otherwise null
     */
    public static @Nullable Place placeOf(Path file, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.nio.charset.CharacterCodingException) {
                try {
                    return firstBadByte(file);
                } catch (IOException | RuntimeException again) {
                    return null;
                }
            }
        }
        return null;
    }

    /**
     * Reads the file through once, decoding it as strict UTF-8 (a byte order mark counts as no
     * column, a character outside the Basic Multilingual Plane, an emoji, as one; a line ends at a
     * line feed, a carriage return or both), and stops at the first byte that is not UTF-8.
     *
     * @param file a text file
     * @return the place of its first byte that is not UTF-8, or null when the whole file is UTF-8
     * @throws IOException when the file cannot be read
     */
    public static @Nullable Place firstBadByte(Path file) throws IOException {
        CharsetDecoder d = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.allocate(1 << 16);
        CharBuffer out = CharBuffer.allocate(1 << 16);
        int line = 1;
        int column = 1;
        boolean first = true;
        boolean utf16 = false;
        boolean afterCr = false;
        try (InputStream s = Files.newInputStream(file)) {
            boolean end = false;
            while (true) {
                if (!end) {
                    int n = s.read(in.array(), in.position(), in.remaining());
                    if (n < 0) {
                        end = true;
                    } else {
                        in.position(in.position() + n);
                    }
                }
                in.flip();
                if (first && (in.remaining() >= 2 || end)) {
                    first = false;
                    utf16 = in.remaining() >= 2
                            && (in.get(0) == (byte) 0xFF && in.get(1) == (byte) 0xFE
                                    || in.get(0) == (byte) 0xFE && in.get(1) == (byte) 0xFF);
                }
                CoderResult r = d.decode(in, out, end);
                out.flip();
                while (out.hasRemaining()) {
                    char c = out.get();
                    // lines end as a BufferedReader ends them: LF, CR or CR LF; columns count
                    // characters as an editor shows them, so the second half of a pair is no column
                    if (c == '\n' && afterCr) {
                        afterCr = false;
                    } else if (c == '\n' || c == '\r') {
                        line++;
                        column = 1;
                        afterCr = c == '\r';
                    } else {
                        afterCr = false;
                        if (!Character.isLowSurrogate(c) && (c != '\uFEFF' || line > 1 || column > 1)) {
                            column++;
                        }
                    }
                }
                out.clear();
                if (r.isError()) {
                    return new Place(line, column, in.get(in.position()) & 0xFF, utf16);
                }
                if (end && !in.hasRemaining()) {
                    return null;
                }
                in.compact();
            }
        }
    }
}

package org.chemfit.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Writes {@code report.html}: the dashboard's views of one output folder as a single file, with
 * the data, the charting library and the page's script inlined, so that it opens from a disk or
 * an e-mail with no server and no network. Its Content-Security-Policy allows only the scripts
 * and styles it holds (by their SHA-256) and no connection at all.
 *
 * <pre>{@code
 * Path html = HtmlReport.write(Path.of("results"));   // results/report.html
 * }</pre>
 *
 * @implNote Stateless; safe to call from several threads for different folders. It reads the
 *     journal read-only, so it also works while a fit writes it (showing the fit so far).
 */
public final class HtmlReport {

    /** The file written into the output folder. */
    public static final String FILE = "report.html";

    private static final ObjectMapper JSON = new ObjectMapper();

    private HtmlReport() {}

    /**
     * Writes {@value #FILE} into the folder (aside first, then renamed, so that a reader never
     * sees half a file).
     *
     * @param dir the fit's output folder, holding its journal
     * @return the file written
     * @throws IllegalArgumentException when the folder holds no readable journal
     * @throws UncheckedIOException when the file cannot be written
     */
    public static Path write(Path dir) {
        Objects.requireNonNull(dir, "dir");
        String html = render(dir);
        Path out = dir.resolve(FILE);
        Path tmp = dir.resolve("." + FILE + ".tmp");
        try {
            // a symbolic link in the place of the file aside is replaced, not written through
            if (Files.isSymbolicLink(tmp)) {
                Files.delete(tmp);
            }
            Files.writeString(tmp, html, StandardCharsets.UTF_8);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the failure to write is the one said
            }
            throw new UncheckedIOException("cannot write " + out + ": " + org.chemfit.support.Reasons.of(e), e);
        }
        return out;
    }

    /**
     * @param dir the fit's output folder
     * @return the page, as text
     * @throws IllegalArgumentException when the folder holds no readable journal
     */
    public static String render(Path dir) {
        Map<String, Object> data = new LinkedHashMap<>();
        try (JournalView view = new JournalView(dir.toAbsolutePath().normalize())) {
            view.refreshAll();
            Map<String, Object> summary = view.summary();
            if (summary.get("problem") != null) {
                throw new IllegalArgumentException(String.valueOf(summary.get("problem")));
            }
            if (!summary.containsKey("run")) {
                throw new IllegalArgumentException(
                        dir + " holds no journal with a run; give the output folder of a fit");
            }
            data.put("written", Instant.now().toString());
            data.put("summary", summary);
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put("parameters", view.parameterNames());
            ev.put("rows", view.allEvaluations());
            data.put("evaluations", ev);
            Map<String, Object> failures = new LinkedHashMap<>();
            for (int i : view.listedFailures()) {
                failures.put(Integer.toString(i), view.failure(i));
            }
            data.put("failures", failures);
            data.put("predictions", view.predictions());
        }
        String json;
        try {
            // "</" and "<!--" cannot end the data block early: "<\/" and "<\\u0021--" are the same JSON strings
            json = JSON.writeValueAsString(data).replace("</", "<\\/").replace("<!--", "<\\u0021--");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the report's data cannot be written as JSON", e);
        }
        String uplotCss = Assets.uplotCss();
        String appCss = Assets.text("app.css");
        String uplotJs = Assets.uplotJs();
        String appJs = Assets.text("app.js");
        String csp = "default-src 'none'; script-src " + hash(uplotJs) + " " + hash(appJs) + "; style-src "
                + hash(uplotCss) + " " + hash(appCss) + "; img-src data:; base-uri 'none'; form-action 'none'";
        String page = Assets.text("index.html");
        page = swap(
                page,
                "<link rel=\"stylesheet\" href=\"uplot.css?token={{token}}\">",
                "<meta http-equiv=\"Content-Security-Policy\" content=\"" + csp + "\">\n<style>" + uplotCss
                        + "</style>");
        page = swap(
                page, "<link rel=\"stylesheet\" href=\"app.css?token={{token}}\">", "<style>" + appCss + "</style>");
        page = swap(page, "<title>ChemFit dashboard</title>", "<title>ChemFit report</title>");
        page = swap(
                page,
                "<script src=\"uplot.js?token={{token}}\"></script>",
                "<script type=\"application/json\" id=\"chemfit-data\">" + json + "</script>\n<script>" + uplotJs
                        + "</script>");
        page = swap(page, "<script src=\"app.js?token={{token}}\"></script>", "<script>" + appJs + "</script>");
        return page;
    }

    private static String swap(String page, String what, String with) {
        int i = page.indexOf(what);
        if (i < 0) {
            throw new IllegalStateException("the page template lacks " + what);
        }
        return page.substring(0, i) + with + page.substring(i + what.length());
    }

    private static String hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "'sha256-" + Base64.getEncoder().encodeToString(d) + "'";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java", e);
        }
    }
}

package org.chemfit.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The page's files: its HTML, script and style from this module, and uPlot's from its WebJar,
 * read from the class path once.
 *
 * @implNote Thread-safe (a concurrent cache of immutable strings).
 */
final class Assets {

    private static final String OWN = "/org/chemfit/dashboard/";
    private static final ConcurrentHashMap<String, String> CACHE = new ConcurrentHashMap<>();

    private Assets() {}

    /** @return a file of this module's page */
    static String text(String name) {
        return CACHE.computeIfAbsent(OWN + name, Assets::read);
    }

    /** @return the served page, its links carrying the token */
    static String page(String token) {
        return text("index.html").replace("{{token}}", token);
    }

    static String uplotJs() {
        return CACHE.computeIfAbsent(uplotDir() + "uPlot.iife.min.js", Assets::read);
    }

    static String uplotCss() {
        return CACHE.computeIfAbsent(uplotDir() + "uPlot.min.css", Assets::read);
    }

    /** The WebJar's folder holds its version; the version is read from the WebJar itself. */
    private static String uplotDir() {
        return CACHE.computeIfAbsent("uplot-dir", k -> {
            Properties p = new Properties();
            try (InputStream in =
                    Assets.class.getResourceAsStream("/META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
                if (in == null) {
                    throw new IllegalStateException("the uPlot WebJar is not on the class path");
                }
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return "/META-INF/resources/webjars/uplot/" + p.getProperty("version") + "/dist/";
        });
    }

    private static String read(String resource) {
        try (InputStream in = Assets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

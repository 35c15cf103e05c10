package org.chemfit.dashboard;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.chemfit.fit.FitResult;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    /** The output of a fit run in its own JVM, apart from the fit's folder. */
    @TempDir
    Path logs;

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String base(Dashboard d) {
        return "http://127.0.0.1:" + d.port();
    }

    private static String token(Dashboard d) {
        return d.url().getQuery().substring("token=".length());
    }

    /** Sends a request line as it is, without any client's normalisation of the path. */
    private static String raw(Dashboard d, String requestLine) throws IOException {
        try (Socket s = new Socket("127.0.0.1", d.port())) {
            OutputStream out = s.getOutputStream();
            out.write((requestLine + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyRouteRefusesARequestWithoutTheRightToken() throws Exception {
        Journals.fit(dir, 30);
        try (Dashboard d = Dashboard.builder(dir).start()) {
            assertEquals("127.0.0.1", d.url().getHost());
            assertTrue(d.url().getQuery().matches("token=[0-9a-f]{48}"), d.url().toString());
            for (String route : List.of(
                    "/",
                    "/app.js",
                    "/uplot.js",
                    "/api/summary",
                    "/api/evaluations",
                    "/api/failure?index=0",
                    "/api/predictions",
                    "/events",
                    "/nothing")) {
                String sep = route.contains("?") ? "&" : "?";
                HttpResponse<String> none = get(base(d) + route);
                assertEquals(403, none.statusCode(), route);
                assertFalse(none.body().contains("\"counts\""), route);
                HttpResponse<String> wrong = get(base(d) + route + sep + "token=" + "0".repeat(48));
                assertEquals(403, wrong.statusCode(), route);
                assertEquals(
                        Dashboard.CSP,
                        none.headers().firstValue("Content-Security-Policy").orElse(""),
                        route);
            }
            HttpResponse<String> ok = get(base(d) + "/api/summary?token=" + token(d));
            assertEquals(200, ok.statusCode());
            assertEquals(30, JSON.readTree(ok.body()).at("/counts/total").asInt(), ok.body());
            assertEquals(
                    Dashboard.CSP,
                    ok.headers().firstValue("Content-Security-Policy").orElse(""));
            assertEquals(
                    "no-referrer", ok.headers().firstValue("Referrer-Policy").orElse(""));
        }
    }

    /** Reads the socket until the text has come (or fails on the socket's timeout); @return what was read. */
    private static String readUntil(Socket s, String text) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder sb = new StringBuilder();
        while (sb.indexOf(text) < 0) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            sb.append((char) b);
        }
        return sb.toString();
    }

    @Test
    void openEventStreamsHoldNoThreadAndBeyondTheCapTheOldestEnds() throws Exception {
        Journals.fit(dir, 10);
        try (Dashboard d = Dashboard.builder(dir).start()) {
            List<Socket> open = new java.util.ArrayList<>();
            try {
                // more pages than the server has threads, and one beyond the cap of open streams
                for (int i = 0; i <= Dashboard.MAX_STREAMS; i++) {
                    Socket s = new Socket("127.0.0.1", d.port());
                    open.add(s);
                    s.setSoTimeout(20_000);
                    s.getOutputStream()
                            .write(("GET /events?token=" + token(d) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                    String head = readUntil(s, "event: update");
                    assertTrue(head.startsWith("HTTP/1.1 200"), head);
                    assertTrue(head.contains("text/event-stream"), head);
                }
                // the page's own requests are answered while every stream is open
                HttpResponse<String> summary = get(base(d) + "/api/summary?token=" + token(d));
                assertEquals(200, summary.statusCode());
                assertEquals(
                        10, JSON.readTree(summary.body()).at("/counts/total").asInt(), summary.body());
                // the oldest stream was ended (its last chunk sent) when the one beyond the cap opened
                String rest = readUntil(open.get(0), "\r\n0\r\n\r\n");
                assertTrue(rest.endsWith("\r\n0\r\n\r\n"), rest);
                // the newest is still open: the stream is ended by the close, within its wait
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }

    @Test
    void pathsWithDotDotOrEncodedSeparatorsAreRefusedAndNoRouteServesAFile() throws Exception {
        Files.writeString(dir.resolve("secret.txt"), "do not serve me");
        Journals.fit(dir, 10);
        try (Dashboard d = Dashboard.builder(dir).start()) {
            String t = token(d);
            for (String path : List.of(
                    "/../secret.txt",
                    "/../../../../etc/passwd",
                    "/api/../secret.txt",
                    "/%2e%2e/secret.txt",
                    "/%2E%2E%2Fsecret.txt",
                    "/..%5csecret.txt",
                    "/app.js/..")) {
                String resp = raw(d, "GET " + path + "?token=" + t + " HTTP/1.1");
                assertTrue(resp.startsWith("HTTP/1.1 400"), path + " -> " + resp);
                assertFalse(resp.contains("do not serve me") || resp.contains("root:"), resp);
            }
            String badQuery = raw(d, "GET /api/summary?token=%zz HTTP/1.1");
            assertTrue(badQuery.startsWith("HTTP/1.1 400"), badQuery);
            for (String path :
                    List.of("/secret.txt", "/journal.sqlite", "/org/chemfit/dashboard/app.js", "//etc/passwd")) {
                String resp = raw(d, "GET " + path + "?token=" + t + " HTTP/1.1");
                assertTrue(resp.startsWith("HTTP/1.1 404"), path + " -> " + resp);
            }
        }
    }

    @Test
    void nothingWritesOnlyGetAndHeadAreServed() throws Exception {
        Journals.fit(dir, 10);
        try (Dashboard d = Dashboard.builder(dir).start()) {
            for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
                HttpResponse<String> r = HTTP.send(
                        HttpRequest.newBuilder(URI.create(base(d) + "/api/summary?token=" + token(d)))
                                .method(method, HttpRequest.BodyPublishers.ofString("{}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(405, r.statusCode(), method);
                assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElse(""), method);
            }
        }
    }

    /**
     * Connections that send part of a request and then nothing, more than the server has threads,
     * which anyone on the machine can open without the token: the server closes each once its
     * request is {@link Dashboard#MAX_REQUEST_SECONDS} late, and then answers the page; an open
     * page's event stream, whose request has ended, is not closed with them.
     */
    @Test
    void connectionsThatSendPartOfARequestAreClosedAndTheDashboardAnswersAgain() throws Exception {
        Journals.fit(dir, 10);
        try (Dashboard d = Dashboard.builder(dir).start();
                Socket stream = new Socket("127.0.0.1", d.port())) {
            stream.setSoTimeout(60_000);
            stream.getOutputStream()
                    .write(("GET /events?token=" + token(d) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            assertTrue(readUntil(stream, "event: update").startsWith("HTTP/1.1 200"));
            List<Socket> stalled = new java.util.ArrayList<>();
            try {
                // more than the server has threads to answer with
                for (int i = 0; i < Dashboard.HANDLERS + 4; i++) {
                    Socket s = new Socket("127.0.0.1", d.port());
                    stalled.add(s);
                    // without this limit a read would wait for as long as the server held the connection
                    s.setSoTimeout(60_000);
                    s.getOutputStream()
                            .write("GET /?token=x HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                }
                for (Socket s : stalled) {
                    try {
                        s.getInputStream().readAllBytes(); // to the end the server's close makes
                    } catch (java.net.SocketException reset) {
                        // closed with a reset: closed all the same
                    }
                }
                assertEquals(
                        200, get(base(d) + "/api/summary?token=" + token(d)).statusCode());
                // the page's stream still gets its comment of every second
                String more = readUntil(stream, ":\n\n");
                assertTrue(more.endsWith(":\n\n"), more);
            } finally {
                for (Socket s : stalled) {
                    s.close();
                }
            }
        }
    }

    @Test
    void anAddressOtherMachinesReachIsRefusedUnlessAllowed() throws Exception {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Dashboard.builder(dir).bind("0.0.0.0").start());
        assertTrue(
                e.getMessage().contains("'0.0.0.0' is reachable from other machines")
                        && e.getMessage().contains("--allow-remote"),
                e.getMessage());
        // a bracketed IPv6 literal that is none: refused without a lookup, so no query leaves the machine
        IllegalArgumentException unknown = assertThrows(
                IllegalArgumentException.class,
                () -> Dashboard.builder(dir).bind("[::zz]").start());
        assertTrue(unknown.getMessage().contains("'[::zz]': unknown host"), unknown.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> Dashboard.builder(dir).port(70000));
        try (Dashboard d =
                Dashboard.builder(dir).bind("0.0.0.0").allowRemote(true).start()) {
            assertEquals(200, get(base(d) + "/api/summary?token=" + token(d)).statusCode());
        }
        try (Dashboard d = Dashboard.builder(dir).bind("localhost").start()) {
            assertTrue(d.port() > 0);
        }
    }

    @Test
    void theSummaryAgreesWithTheJournalAndTheFailuresCarryTheirMessages() throws Exception {
        FitResult r = Journals.fit(dir, 200);
        try (JournalReader j = JournalReader.openReadOnly(dir);
                Dashboard d = Dashboard.builder(dir).start()) {
            long run = j.latestRun().orElseThrow().id();
            EvaluationRecord best = j.best(run).orElseThrow();
            JsonNode s = JSON.readTree(
                    get(base(d) + "/api/summary?token=" + token(d)).body());
            assertEquals("done", s.get("status").asText());
            assertEquals(200, s.at("/counts/total").asInt());
            assertEquals(best.number(), s.get("best_evaluation").asInt());
            assertEquals(best.toldLoss(), s.get("best_loss").asDouble(), 0.0);
            assertEquals(r.bestLoss(), s.get("best_loss").asDouble(), 0.0);
            assertEquals(200, s.at("/history/points").asInt(), "200 evaluations are drawn whole");
            for (JsonNode p : s.get("parameters")) {
                assertEquals(
                        p.get("name").asText().equals("x") ? 2.0 : 3.0,
                        p.get("upper").asDouble(),
                        0.0,
                        p.toString());
                assertEquals(
                        best.parameters().get(p.get("name").asText()),
                        p.get("best").asDouble(),
                        0.0,
                        p.toString());
            }
            long wallFailures = j.terms(run).stream()
                    .filter(t -> t.state() == EvaluationRecord.State.FAILED)
                    .count();
            assertTrue(wallFailures > 0, "the fit should have hit the wall");
            assertEquals(wallFailures, s.get("failure_count").asLong());
            assertEquals(wallFailures, s.at("/terms/1/failed").asLong());
            assertEquals("wall", s.at("/terms/1/name").asText());
            JsonNode f = JSON.readTree(
                    get(base(d) + "/api/failure?index=0&token=" + token(d)).body());
            assertTrue(f.get("message").asText().contains("is beyond the wall"), f.toString());
            assertEquals(
                    "the journal names no run directory for this term",
                    f.get("note").asText());
            assertEquals(
                    404,
                    get(base(d) + "/api/failure?index=" + wallFailures + "&token=" + token(d))
                            .statusCode());
            JsonNode page = JSON.readTree(get(base(d) + "/api/evaluations?sort=loss&offset=0&limit=5&token=" + token(d))
                    .body());
            assertEquals(200, page.get("total").asInt());
            assertEquals(5, page.get("rows").size());
            assertEquals(best.number(), page.at("/rows/0/0").asInt());
            JsonNode desc = JSON.readTree(
                    get(base(d) + "/api/evaluations?sort=number&desc=1&offset=10&limit=3&token=" + token(d))
                            .body());
            assertEquals(189, desc.at("/rows/0/0").asInt());
        }
    }

    @Test
    void evaluationsWithAPenalisedTermAreCountedAndNameTheTermAndTheReason() throws Exception {
        Journals.fit(dir, 60);
        try (JournalReader j = JournalReader.openReadOnly(dir);
                Dashboard d = Dashboard.builder(dir).start()) {
            long run = j.latestRun().orElseThrow().id();
            List<EvaluationRecord> all = j.evaluations(run, 0, 100);
            List<EvaluationRecord> penalised =
                    all.stream().filter(EvaluationRecord::degraded).toList();
            assertTrue(penalised.size() > 0, "the fit should have hit the wall");
            JsonNode s = JSON.readTree(
                    get(base(d) + "/api/summary?token=" + token(d)).body());
            assertEquals(60, s.at("/counts/complete").asInt());
            assertEquals(0, s.at("/counts/failed").asInt());
            assertEquals(penalised.size(), s.at("/counts/with_failed_terms").asInt());
            assertEquals(penalised.size(), s.get("failure_count").asInt());
            // the loss chart draws the penalised evaluations apart: every one of the 60 is on it, flagged as the
            // journal
            JsonNode h = s.get("history");
            assertEquals(60, h.get("number").size());
            for (int i = 0; i < 60; i++) {
                EvaluationRecord e = all.get(h.at("/number/" + i).asInt());
                assertEquals(e.degraded(), h.at("/degraded/" + i).asBoolean(), "evaluation " + e.number());
            }
            JsonNode page =
                    JSON.readTree(get(base(d) + "/api/evaluations?sort=number&offset=0&limit=60&token=" + token(d))
                            .body());
            for (EvaluationRecord e : all) {
                JsonNode row = page.at("/rows/" + e.number());
                assertEquals(e.number(), row.get(0).asInt());
                if (e.degraded()) {
                    assertEquals(e.toldLoss(), row.get(2).asDouble(), 0.0);
                    assertEquals(
                            "term wall failed; a penalty stood in: term 1 'wall' failed: wall: x = "
                                    + e.parameters().get("x") + " is beyond the wall",
                            row.get(5).asText(),
                            row.toString());
                } else {
                    assertTrue(row.get(5).isNull() || row.get(5).asText().isEmpty(), row.toString());
                }
            }
        }
    }

    @Test
    void parametersCarryTheJobFilesUnitsThenResultsJsons() throws Exception {
        try (org.chemfit.journal.Journal j = org.chemfit.journal.Journal.open(dir)) {
            Journals.fitter(10)
                    .jobSettings(Map.of(
                            "file",
                            Map.of(
                                    "parameters",
                                    Map.of(
                                            "x", Map.of("initial", 0.3, "unit", "Å"),
                                            "y", Map.of("initial", 1.1)))))
                    .journal(j)
                    .fit(new Journals.RandomSearch());
        }
        try (JournalView v = new JournalView(dir)) {
            v.refreshAll();
            JsonNode s = JSON.valueToTree(v.summary());
            assertEquals("x", s.at("/parameters/0/name").asText());
            assertEquals("Å", s.at("/parameters/0/unit").asText());
            assertEquals("y", s.at("/parameters/1/name").asText());
            assertEquals("", s.at("/parameters/1/unit").asText());
            Files.writeString(dir.resolve("results.json"), """
                    {"status": "done", "journal_run": 1,
                     "parameters": [{"name": "x", "unit": "nm"}, {"name": "y", "unit": "eV"}]}
                    """);
            v.refreshAll();
            s = JSON.valueToTree(v.summary());
            assertEquals("nm", s.at("/parameters/0/unit").asText());
            assertEquals("eV", s.at("/parameters/1/unit").asText());
        }
    }

    @Test
    void aLongHistoryIsDownsampledKeepingTheBestAndTheLast() throws Exception {
        Journals.fit(dir, 5000);
        try (JournalReader j = JournalReader.openReadOnly(dir);
                JournalView v = new JournalView(dir)) {
            assertTrue(v.refresh());
            Map<String, Object> s = v.summary();
            @SuppressWarnings("unchecked")
            Map<String, Object> h = (Map<String, Object>) s.get("history");
            Object[] numbers = (Object[]) h.get("number");
            Object[] best = (Object[]) h.get("best");
            assertTrue(
                    numbers.length <= JournalView.MAX_POINTS + 1 && numbers.length > JournalView.MAX_POINTS / 2,
                    "points drawn: " + numbers.length);
            assertEquals(5000, h.get("of"));
            long run = j.latestRun().orElseThrow().id();
            EvaluationRecord b = j.best(run).orElseThrow();
            assertTrue(List.of(numbers).contains(b.number()), "the best evaluation " + b.number() + " is drawn");
            assertEquals(4999, numbers[numbers.length - 1]);
            assertEquals(b.toldLoss(), (Double) best[best.length - 1], 0.0);
            for (int i = 1; i < numbers.length; i++) {
                assertTrue((Integer) numbers[i] > (Integer) numbers[i - 1], "numbers increase at " + i);
                assertTrue((Double) best[i] <= (Double) best[i - 1], "best so far never rises at " + i);
            }
            assertFalse(v.refresh(), "nothing new was recorded");
            // read in batches of 100 (2 pages of evaluations per refresh): the same page in the end
            try (JournalView small = new JournalView(dir, 100)) {
                int refreshes = 1;
                small.refresh();
                assertTrue(small.behind());
                assertEquals(
                        200, ((Map<?, ?>) small.summary().get("counts")).get("total"), "two batches after one refresh");
                while (small.behind()) {
                    small.refresh();
                    refreshes++;
                }
                assertEquals(5000 / 200 + 1, refreshes, "25 full refreshes, and one that finds nothing left");
                Map<String, Object> a = small.summary();
                for (String k : List.of("elapsed_seconds", "version")) {
                    a.remove(k);
                    s.remove(k);
                }
                assertTrue(
                        JSON.writeValueAsString(s).equals(JSON.writeValueAsString(a)),
                        "the same summary, read in batches");
            }
        }
    }

    @Test
    void aRunWhoseFitWasKilledIsShownStoppedNotRunning() throws Exception {
        Process fit = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Journals.class.getName(),
                        dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve("fit.log").toFile())
                .start();
        try (JournalView v = new JournalView(dir)) {
            await("three evaluations of the fit in its own JVM")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> {
                        v.refresh();
                        return v.summary().get("counts") instanceof Map<?, ?> c
                                && ((Number) c.get("complete")).intValue() >= 3
                                && ((Number) c.get("running")).intValue() == 1;
                    });
            assertEquals("running", v.summary().get("status"));
            assertEquals(
                    Map.of("complete", 3, "with_failed_terms", 0, "failed", 0, "running", 1, "cut_off", 0, "total", 4),
                    v.summary().get("counts"));
            fit.destroyForcibly(); // SIGKILL, as at the end of an allocation
            assertTrue(fit.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(v.refresh(), "the run's state changed");
            Map<String, Object> s = v.summary();
            assertEquals("stopped", s.get("status"));
            assertEquals(
                    Map.of("complete", 3, "with_failed_terms", 0, "failed", 0, "running", 0, "cut_off", 1, "total", 4),
                    s.get("counts"),
                    "the evaluation the kill cut short is cut off, not running");
            assertEquals(null, s.get("seconds_left"), "no time left is promised for a stopped run");
            assertEquals(null, s.get("elapsed_seconds"), "a stopped run's clock does not run on");
            // its time: from its start to the end of the last evaluation it recorded (its own end is not recorded)
            try (JournalReader j = JournalReader.openReadOnly(dir)) {
                org.chemfit.journal.read.RunRecord r = j.latestRun().orElseThrow();
                java.time.Instant last = j.evaluations(r.id(), 0, 100).stream()
                        .map(EvaluationRecord::ended)
                        .filter(java.util.Objects::nonNull)
                        .max(java.time.Instant::compareTo)
                        .orElseThrow();
                assertEquals(
                        Duration.between(r.started(), last).toMillis() / 1000.0,
                        ((Number) s.get("seconds_to_last_record")).doubleValue(),
                        0.0);
            }
        } finally {
            fit.destroyForcibly();
        }
    }

    @Test
    void theDashboardWaitsForAJournalThatDoesNotExistYet() throws Exception {
        try (Dashboard d = Dashboard.builder(dir).start()) {
            JsonNode s = JSON.readTree(
                    get(base(d) + "/api/summary?token=" + token(d)).body());
            assertEquals("waiting", s.get("status").asText());
            Journals.fit(dir, 12);
            JournalView v = new JournalView(dir);
            try (v) {
                assertTrue(v.refresh());
                assertEquals("done", v.summary().get("status"));
            }
        }
    }

    @Test
    void theReportIsOneFileThatAllowsNoConnectionAndEmbedsEveryEvaluation() throws Exception {
        Journals.fit(dir, 40);
        Path html = HtmlReport.write(dir);
        assertEquals(dir.resolve("report.html"), html);
        String page = Files.readString(html);
        assertFalse(page.contains("{{token}}") || page.contains("href=\"app.css"), "no server link is left");
        assertFalse(page.contains("<script src") || page.contains("<link rel=\"stylesheet\""), "everything is inlined");
        assertTrue(page.contains("default-src 'none'; script-src 'sha256-"), "a CSP of hashes");
        assertFalse(page.contains("connect-src"), "no connection is allowed");
        String open = "<script type=\"application/json\" id=\"chemfit-data\">";
        int start = page.indexOf(open) + open.length();
        JsonNode data = JSON.readTree(page.substring(start, page.indexOf("</script>", start)));
        assertEquals(40, data.at("/evaluations/rows").size());
        assertEquals("done", data.at("/summary/status").asText());
        assertNotNull(data.get("failures"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> HtmlReport.write(dir.resolve("runs")));
        assertTrue(e.getMessage().contains("holds no journal"), e.getMessage());
        // a page that cannot be written says why, and leaves the page written before as it was
        Files.createDirectory(dir.resolve(".report.html.tmp"));
        java.io.UncheckedIOException w = assertThrows(java.io.UncheckedIOException.class, () -> HtmlReport.write(dir));
        assertTrue(
                w.getMessage().startsWith("cannot write " + html + ": ")
                        && w.getMessage().contains("directory"),
                w.getMessage());
        assertEquals(page, Files.readString(html));
    }

    /** What a finished fit leaves beside its journal: results.json's metrics and predictions.csv, of its run 1. */
    private void writeResults() throws IOException {
        writeResults(1);
    }

    /** As {@link #writeResults()}, written by run {@code run} of the journal. */
    private void writeResults(int run) throws IOException {
        Files.writeString(dir.resolve("results.json"), """
                {"status": "done", "journal_run": %d, "evaluations": {"total": 40, "rounds": 7},
                 "terms": [{"name": "dimer", "reference": {"energy": [-1.0, -0.5, -1.0]},
                   "computed": {"energy": [-0.98, -0.51, -0.98]},
                   "metrics": {"energy": {"unit": "eV",
                   "initial": {"count": 3, "rmse": 0.5, "mae": 0.4, "max_abs_error": 0.9, "r2": 0.1},
                   "best": {"count": 3, "rmse": 0.02, "mae": 0.015, "max_abs_error": 0.03, "r2": 0.99}}}},
                   {"name": "dimer, wide", "reference": {"force": [0.25]}, "computed": {"force": [0.3]}}],
                 "validation": [{"name": "trimer", "reference": {"energy": [-2.0, -1.5]},
                   "computed": {"energy": [-2.1, null]}, "metrics": {}}],
                 "metrics": {"fit": {}, "validation": {}}}
                """.formatted(run));
        Files.writeString(dir.resolve("predictions.csv"), """
                set,term,item,quantity,reference,model_initial,model_best,residual,unit
                fit,dimer,0,energy,-1.0,-0.5,-0.98,0.02,eV
                fit,dimer,1,energy,-0.5,-0.2,-0.51,-0.01,eV
                fit,"dimer, wide",2,force,0.25,0.1,0.3,0.05,eV/A
                validation,trimer,0,energy,-2.0,-1.5,-2.1,-0.1,eV
                validation,trimer,1,energy,-1.5,-1.0,,,eV
                fit,dimer,0,energy,-1.0,-0.5,-0.98,0.02,kJ/mol
                """);
    }

    @Test
    void predictionsAreServedAsParityChartsPerQuantityAndUnitFromAFixedRoute() throws Exception {
        Journals.fit(dir, 20);
        try (Dashboard d = Dashboard.builder(dir).start()) {
            assertEquals(
                    404, get(base(d) + "/api/predictions?token=" + token(d)).statusCode(), "a running fit has none");
            assertTrue(JSON.readTree(
                            get(base(d) + "/api/summary?token=" + token(d)).body())
                    .get("results")
                    .isNull());
            long before = JSON.readTree(
                            get(base(d) + "/api/summary?token=" + token(d)).body())
                    .get("version")
                    .asLong();
            writeResults();
            // written after the journal's last record, the files still change the summary (the page is told)
            JsonNode after = await("the results in the summary")
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(25))
                    .until(
                            () -> JSON.readTree(get(base(d) + "/api/summary?token=" + token(d))
                                    .body()),
                            summary -> !summary.get("results").isNull());
            assertTrue(after.get("version").asLong() > before, after.get("version") + " after " + before);
            assertEquals(7, after.at("/results/evaluations/rounds").asInt());
            HttpResponse<String> r = get(base(d) + "/api/predictions?token=" + token(d));
            assertEquals(200, r.statusCode());
            assertEquals(
                    "application/json", r.headers().firstValue("Content-Type").orElse(""));
            JsonNode p = JSON.readTree(r.body());
            assertEquals(5, p.get("rows").asInt());
            assertEquals(1, p.get("skipped").asInt(), "the row without a model value");
            JsonNode charts = p.get("charts");
            assertEquals(3, charts.size(), "energy in eV, force in eV/A and energy in kJ/mol apart: " + charts);
            JsonNode ev = charts.get(0);
            assertEquals("energy", ev.get("quantity").asText());
            assertEquals("eV", ev.get("unit").asText());
            assertEquals(
                    List.of(-1.0, -0.5),
                    List.of(
                            ev.at("/fit/reference/0").asDouble(),
                            ev.at("/fit/reference/1").asDouble()));
            assertEquals(-0.51, ev.at("/fit/model/1").asDouble(), 0.0);
            assertEquals(1, ev.at("/validation/model").size());
            assertEquals(-2.1, ev.at("/validation/model/0").asDouble(), 0.0);
            assertEquals("trimer 0", ev.at("/validation/label/0").asText());
            assertEquals("eV/A", charts.get(1).get("unit").asText());
            assertEquals("dimer, wide 2", charts.get(1).at("/fit/label/0").asText(), "a quoted field keeps its comma");
            assertTrue(charts.get(1).path("validation").isMissingNode());
            assertEquals("kJ/mol", charts.get(2).get("unit").asText());
        }
        JournalView v = new JournalView(dir);
        try (v) {
            v.refreshAll();
            @SuppressWarnings("unchecked")
            Map<String, Object> results = (Map<String, Object>) v.summary().get("results");
            assertEquals(7, ((Map<?, ?>) results.get("evaluations")).get("rounds"));
            assertEquals(
                    List.of("trimer"),
                    ((List<?>) results.get("validation"))
                            .stream().map(t -> ((Map<?, ?>) t).get("name")).toList());
            assertNotNull(results.get("metrics"));
        }
    }

    /**
     * The rows of a fit term of weight 0 (set {@code monitored} in predictions.csv) are a series of their own, none
     * of the fit's points.
     */
    @Test
    void aMonitoredTermsPredictionsAreASeriesApartFromTheFits() throws Exception {
        Files.writeString(
                dir.resolve(Predictions.FILE),
                "set,term,item,quantity,reference,model_initial,model_best,residual,unit\n"
                        + "fit,curve,r1,energy,-1.0,-0.9,-1.01,-0.01,eV\n"
                        + "fit,curve,r2,energy,-0.5,-0.4,-0.52,-0.02,eV\n"
                        + "monitored,mon,r3,energy,-0.7,-0.6,-0.73,-0.03,eV\n"
                        + "validation,held,r4,energy,-0.2,-0.1,-0.24,-0.04,eV\n");
        Map<String, Object> p = Predictions.read(
                dir,
                List.of(
                        Map.of(
                                "name",
                                "curve",
                                "weight",
                                1.0,
                                "reference",
                                Map.of("energy", List.of(-1.0, -0.5)),
                                "computed",
                                Map.of("energy", List.of(-1.01, -0.52))),
                        Map.of(
                                "name",
                                "mon",
                                "weight",
                                0.0,
                                "reference",
                                Map.of("energy", List.of(-0.7)),
                                "computed",
                                Map.of("energy", List.of(-0.73)))),
                List.of(Map.of(
                        "name",
                        "held",
                        "reference",
                        Map.of("energy", List.of(-0.2)),
                        "computed",
                        Map.of("energy", List.of(-0.24)))));
        assertNotNull(p);
        assertEquals(true, p.get("of_results"));
        JsonNode chart = JSON.valueToTree(p).at("/charts/0");
        assertEquals(List.of(-1.01, -0.52), JSON.convertValue(chart.at("/fit/model"), List.class));
        assertEquals(List.of(-0.73), JSON.convertValue(chart.at("/monitored/model"), List.class));
        assertEquals("mon r3", chart.at("/monitored/label/0").asText());
        assertEquals(List.of(-0.24), JSON.convertValue(chart.at("/validation/model"), List.class));
    }

    /** A predictions.csv written before the set column said monitored: results.json's weights tell. */
    @Test
    void anOlderPredictionsFilesRowsOfATermOfWeightZeroAreMonitored() throws Exception {
        Files.writeString(
                dir.resolve(Predictions.FILE),
                "set,term,item,quantity,reference,model_initial,model_best,residual,unit\n"
                        + "fit,curve,r1,energy,-1.0,-0.9,-1.01,-0.01,eV\n"
                        + "fit,mon,r3,energy,-0.7,-0.6,-0.73,-0.03,eV\n");
        Map<String, Object> curve = Map.of(
                "name",
                "curve",
                "weight",
                1.0,
                "reference",
                Map.of("energy", List.of(-1.0)),
                "computed",
                Map.of("energy", List.of(-1.01)));
        JsonNode chart = JSON.valueToTree(Predictions.read(
                        dir,
                        List.of(
                                curve,
                                Map.of(
                                        "name",
                                        "mon",
                                        "weight",
                                        0.0,
                                        "reference",
                                        Map.of("energy", List.of(-0.7)),
                                        "computed",
                                        Map.of("energy", List.of(-0.73)))),
                        List.of()))
                .at("/charts/0");
        assertEquals(List.of(-1.01), JSON.convertValue(chart.at("/fit/model"), List.class));
        assertEquals(List.of(-0.73), JSON.convertValue(chart.at("/monitored/model"), List.class));
        JsonNode asWritten = JSON.valueToTree(Predictions.read(
                        dir,
                        List.of(
                                curve,
                                Map.of(
                                        "name",
                                        "mon",
                                        "weight",
                                        1.0,
                                        "reference",
                                        Map.of("energy", List.of(-0.7)),
                                        "computed",
                                        Map.of("energy", List.of(-0.73)))),
                        List.of()))
                .at("/charts/0");
        assertEquals(List.of(-1.01, -0.73), JSON.convertValue(asWritten.at("/fit/model"), List.class));
    }

    /**
     * The same through the dashboard: an older predictions.csv (its rows of the weight-0 term "mon" say fit) beside
     * the results.json of the run shown, whose weights tell that "mon" is monitored; the page's route gives its row as
     * the monitored series, labelled as the page prints it, and the fit's series without it.
     */
    @Test
    void anOlderPredictionsFileServedByTheDashboardShowsATermOfWeightZeroAsMonitored() throws Exception {
        Journals.fit(dir, 10);
        Files.writeString(dir.resolve("results.json"), """
                {"status": "done", "journal_run": 1,
                 "terms": [{"name": "curve", "weight": 1.0, "reference": {"energy": [-1.0]},
                   "computed": {"energy": [-1.01]}},
                   {"name": "mon", "weight": 0.0, "reference": {"energy": [-0.7]}, "computed": {"energy": [-0.73]}}],
                 "metrics": {"fit": {}}}
                """);
        Files.writeString(
                dir.resolve(Predictions.FILE),
                "set,term,item,quantity,reference,model_initial,model_best,residual,unit\n"
                        + "fit,curve,r1,energy,-1.0,-0.9,-1.01,-0.01,eV\n"
                        + "fit,mon,r3,energy,-0.7,-0.6,-0.73,-0.03,eV\n");
        try (Dashboard d = Dashboard.builder(dir).start()) {
            HttpResponse<String> r = await("the predictions of the run shown")
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(25))
                    .until(() -> get(base(d) + "/api/predictions?token=" + token(d)), p -> p.statusCode() == 200);
            JsonNode p = JSON.readTree(r.body());
            assertEquals(2, p.get("rows").asInt());
            assertEquals(1, p.get("charts").size(), "energy in eV: " + p);
            JsonNode chart = p.at("/charts/0");
            assertEquals(List.of(-1.0), JSON.convertValue(chart.at("/fit/reference"), List.class));
            assertEquals(List.of(-1.01), JSON.convertValue(chart.at("/fit/model"), List.class));
            assertEquals(List.of("curve r1"), JSON.convertValue(chart.at("/fit/label"), List.class));
            assertEquals(List.of(-0.7), JSON.convertValue(chart.at("/monitored/reference"), List.class));
            assertEquals(List.of(-0.73), JSON.convertValue(chart.at("/monitored/model"), List.class));
            assertEquals(List.of("mon r3"), JSON.convertValue(chart.at("/monitored/label"), List.class));
        }
    }

    /**
     * The items of a fit term's quantity are given when predictions.csv's reference values of it are the term's in
     * results.json, each in its place: not those of a file of another fit with as many rows, nor of one with fewer
     * rows; an atoms term's forces are marked per-atom (not its energies, whatever their tags end with), and of its
     * 600 force components the first 500 items are sent.
     */
    @Test
    void itemsAreGivenForTheTermsWhoseReferenceValuesTheFileHoldsTheFirst500AndForcesMarkedPerAtom() throws Exception {
        StringBuilder csv =
                new StringBuilder("set,term,item,quantity,reference,model_initial,model_best,residual,unit\n");
        csv.append("fit,argon,cluster[2],energy,-1.0,0,-0.9,0.1,eV\n");
        csv.append("fit,argon,dimer,energy,-2.0,0,-1.9,0.1,eV\n");
        List<Double> forces = new java.util.ArrayList<>();
        for (int k = 0; k < 600; k++) {
            double f = k / 1000.0;
            forces.add(f);
            csv.append(
                    String.format(java.util.Locale.ROOT, "fit,argon,cluster[2][%d],forces,%s,0,%s,0,eV/Å%n", k, f, f));
        }
        // the file's neon rows are of another fit: as many, other reference values
        csv.append("fit,neon,n1,energy,-5.0,0,-4.9,0.1,eV\nfit,neon,n2,energy,-6.0,0,-5.9,0.1,eV\n");
        // krypton has three reference values, the file two of them
        csv.append("fit,krypton,k1,energy,-7.0,0,-6.9,0.1,eV\nfit,krypton,k2,energy,-8.0,0,-7.9,0.1,eV\n");
        // a validation term's rows are none of a fit term's of the same name
        csv.append("validation,argon,held,energy,-3.0,0,-2.9,0.1,eV\n");
        Files.writeString(dir.resolve(Predictions.FILE), csv);
        List<Object> terms = List.of(
                Map.of(
                        "name",
                        "argon",
                        "kind",
                        "atoms",
                        "weight",
                        1.0,
                        "reference",
                        Map.of("energy", List.of(-1.0, -2.0), "forces", forces)),
                Map.of(
                        "name",
                        "neon",
                        "kind",
                        "curve",
                        "weight",
                        1.0,
                        "reference",
                        Map.of("energy", List.of(-1.0, -2.0))),
                Map.of(
                        "name",
                        "krypton",
                        "kind",
                        "curve",
                        "weight",
                        1.0,
                        "reference",
                        Map.of("energy", List.of(-7.0, -8.0, -9.0))));
        JsonNode read = JSON.valueToTree(Predictions.read(dir, terms, List.of()));
        JsonNode items = read.get("items");
        assertEquals(
                List.of("argon"),
                JSON.convertValue(items, Map.class).keySet().stream().toList(),
                items.toString());
        assertEquals(List.of("cluster[2]", "dimer"), JSON.convertValue(items.at("/argon/energy/names"), List.class));
        assertFalse(items.at("/argon/energy/per_atom").asBoolean());
        assertTrue(items.at("/argon/forces/per_atom").asBoolean());
        JsonNode names = items.at("/argon/forces/names");
        assertEquals(Predictions.MAX_ITEMS, names.size());
        assertEquals("cluster[2][0]", names.get(0).asText());
        assertEquals("cluster[2][499]", names.get(499).asText());
        // a file in part of another fit is not the one written with these results: none of its points is drawn
        assertFalse(read.get("of_results").asBoolean());
        assertEquals(0, read.get("charts").size());
        assertEquals(0, read.get("rows").asInt());
        // without results.json's terms, no item is known to be a term's, nor the file to be written with them
        JsonNode none = JSON.valueToTree(Predictions.read(dir, List.of(), List.of()));
        assertEquals(0, none.get("items").size());
        assertFalse(none.get("of_results").asBoolean());
        assertEquals(0, none.get("charts").size());
    }

    /** The header line of predictions.csv. */
    private static final String PREDICTIONS_HEADER =
            "set,term,item,quantity,reference,model_initial,model_best,residual,unit\n";

    /**
     * A predictions.csv beside the results.json of the run shown is drawn only when it was written with it: when its
     * rows are not the reference values of that file's terms (a fit that reused the folder wrote results.json, the file
     * written first, and was killed before its predictions.csv replaced the earlier fit's; or the earlier fit had other
     * terms), the page's route gives no chart of it and says that it is another fit's, and so does report.html; the
     * items of a term whose reference values it does hold still name that term's rows.
     */
    @Test
    void aPredictionsFileOfAnotherFitBesideTheResultsOfTheRunShownGivesNoChart() throws Exception {
        Journals.fit(dir, 10);
        writeResults(); // results.json of run 1, the run shown, and the predictions.csv written with it
        String ours = Files.readString(dir.resolve(Predictions.FILE));
        String open = "<script type=\"application/json\" id=\"chemfit-data\">";
        try (Dashboard d = Dashboard.builder(dir).start()) {
            HttpResponse<String> r = await("the predictions of the run shown")
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(25))
                    .until(() -> get(base(d) + "/api/predictions?token=" + token(d)), p -> p.statusCode() == 200);
            JsonNode p = JSON.readTree(r.body());
            assertTrue(p.get("of_results").asBoolean(), p.toString());
            assertEquals(3, p.get("charts").size());
            assertEquals(5, p.get("rows").asInt());
            assertTrue(p.get("not_of_results").isNull(), p.toString());

            // an earlier fit's file: dimer's energies in eV are other reference values (as many rows); "dimer, wide"
            // and the validation term's rows are as results.json gives them
            Files.writeString(
                    dir.resolve(Predictions.FILE),
                    ours.replace(
                            "fit,dimer,1,energy,-0.5,-0.2,-0.51,-0.01,eV", "fit,dimer,1,energy,-0.6,-0.2,-0.5,0.1,eV"));
            r = get(base(d) + "/api/predictions?token=" + token(d));
            assertEquals(200, r.statusCode(), r.body());
            p = JSON.readTree(r.body());
            assertFalse(p.get("of_results").asBoolean(), p.toString());
            assertEquals(0, p.get("charts").size(), "no parity data of another fit: " + p);
            assertEquals(0, p.get("rows").asInt());
            assertEquals(0, p.get("skipped").asInt());
            assertEquals(
                    List.of("dimer, wide"),
                    JSON.convertValue(p.get("items"), Map.class).keySet().stream()
                            .toList(),
                    "the term whose reference values the file holds is still named by its items");
            String page = HtmlReport.render(dir);
            int start = page.indexOf(open) + open.length();
            JsonNode data = JSON.readTree(page.substring(start, page.indexOf("</script>", start)));
            assertFalse(
                    data.at("/predictions/of_results").asBoolean(),
                    data.get("predictions").toString());
            assertEquals(0, data.at("/predictions/charts").size());

            // the file written with these results again: drawn
            Files.writeString(dir.resolve(Predictions.FILE), ours);
            p = JSON.readTree(
                    get(base(d) + "/api/predictions?token=" + token(d)).body());
            assertTrue(p.get("of_results").asBoolean(), p.toString());
            assertEquals(3, p.get("charts").size());
        }
        Map<?, ?> results = JSON.readValue(dir.resolve("results.json").toFile(), Map.class);
        List<?> terms = (List<?>) results.get("terms");
        List<?> validation = (List<?>) results.get("validation");
        // each way a file can be another fit's, though most of its rows are these results' reference values
        Map<String, String> other = new java.util.LinkedHashMap<>();
        other.put("a term results.json does not have", ours + "fit,neon,0,energy,-3.0,-2.0,-2.9,0.1,eV\n");
        other.put("a quantity the term does not have", ours + "fit,dimer,0,virial,1.0,1.0,1.0,0.0,eV\n");
        other.put("a row left out", ours.replace("fit,dimer,0,energy,-1.0,-0.5,-0.98,0.02,kJ/mol\n", ""));
        other.put(
                "two rows swapped",
                PREDICTIONS_HEADER
                        + "fit,dimer,1,energy,-0.5,-0.2,-0.51,-0.01,eV\n"
                        + "fit,dimer,0,energy,-1.0,-0.5,-0.98,0.02,eV\n"
                        + ours.substring(ours.indexOf("fit,\"dimer, wide\"")));
        other.put(
                "a validation term's other reference value",
                ours.replace("validation,trimer,1,energy,-1.5,", "validation,trimer,1,energy,-1.25,"));
        other.put("a fit term's rows given as a validation term's", ours.replace("validation,trimer,", "fit,trimer,"));
        // an earlier run of the same job (a fit killed between writing results.json and predictions.csv after a
        // restart, or a resume with a larger budget): the same reference values, other model values at the best point
        Map<String, String> earlier = new java.util.LinkedHashMap<>();
        earlier.put(
                "a fit term's other model value at the best point",
                ours.replace("fit,dimer,1,energy,-0.5,-0.2,-0.51,", "fit,dimer,1,energy,-0.5,-0.2,-0.515,"));
        earlier.put(
                "a validation term's other model value at the best point",
                ours.replace(
                        "validation,trimer,0,energy,-2.0,-1.5,-2.1,", "validation,trimer,0,energy,-2.0,-1.5,-2.05,"));
        earlier.put(
                "a model value where results.json has none (null)",
                ours.replace("validation,trimer,1,energy,-1.5,-1.0,,", "validation,trimer,1,energy,-1.5,-1.0,-1.4,"));
        earlier.put(
                "no model value where results.json has one",
                ours.replace("fit,\"dimer, wide\",2,force,0.25,0.1,0.3,", "fit,\"dimer, wide\",2,force,0.25,0.1,,"));
        earlier.put(
                "a model value that differs in the last digit",
                ours.replace(
                        "fit,dimer,1,energy,-0.5,-0.2,-0.51,", "fit,dimer,1,energy,-0.5,-0.2,-0.5100000000000001,"));
        Map<String, String> why = new java.util.LinkedHashMap<>();
        other.keySet().forEach(k -> why.put(k, Predictions.OTHER_ROWS));
        earlier.keySet().forEach(k -> why.put(k, Predictions.OTHER_MODEL));
        other.putAll(earlier);
        for (Map.Entry<String, String> e : other.entrySet()) {
            Files.writeString(dir.resolve(Predictions.FILE), e.getValue());
            JsonNode p = JSON.valueToTree(Predictions.read(dir, terms, validation));
            assertFalse(p.get("of_results").asBoolean(), e.getKey());
            assertEquals(0, p.get("charts").size(), e.getKey());
            assertEquals(why.get(e.getKey()), p.get("not_of_results").asText(), e.getKey());
            assertEquals(
                    why.get(e.getKey()),
                    Predictions.notOfResults(Predictions.parse(e.getValue()), results),
                    e.getKey());
        }
        assertEquals(
                "its rows are not the reference values of the terms in this run's results.json",
                Predictions.OTHER_ROWS);
        assertEquals(
                "its model values at the best point are not the computed values of the terms in this run's results.json",
                Predictions.OTHER_MODEL);
        // a file of no row is of results without a reference value (as the fit writes it), and of none with one
        assertEquals(
                null,
                Predictions.notOfResults(
                        Predictions.parse(PREDICTIONS_HEADER),
                        Map.of("terms", List.of(Map.of("name", "x", "reference", Map.of(), "computed", Map.of())))));
        assertEquals(Predictions.OTHER_ROWS, Predictions.notOfResults(Predictions.parse(PREDICTIONS_HEADER), results));
        assertEquals(
                "its header is not set,term,item,quantity,reference,model_initial,model_best,residual,unit",
                Predictions.notOfResults(Predictions.parse("set,term,item\n"), results));
        // the same number written another way (as the fit never writes it) is the same double
        Files.writeString(
                dir.resolve(Predictions.FILE),
                ours.replace("fit,dimer,1,energy,-0.5,-0.2,-0.51,", "fit,dimer,1,energy,-0.5,-0.2,-5.1E-1,"));
        assertTrue(JSON.valueToTree(Predictions.read(dir, terms, validation))
                .get("of_results")
                .asBoolean());
        Files.writeString(dir.resolve(Predictions.FILE), ours);
        assertEquals(
                true,
                java.util.Objects.requireNonNull(Predictions.read(dir, terms, validation))
                        .get("of_results"));
    }

    @Test
    void theReportEmbedsThePredictionsOrNullWhileTheFitRuns() throws Exception {
        Journals.fit(dir, 10);
        String open = "<script type=\"application/json\" id=\"chemfit-data\">";
        String page = HtmlReport.render(dir);
        int start = page.indexOf(open) + open.length();
        assertTrue(JSON.readTree(page.substring(start, page.indexOf("</script>", start)))
                .get("predictions")
                .isNull());
        writeResults();
        page = HtmlReport.render(dir);
        start = page.indexOf(open) + open.length();
        JsonNode data = JSON.readTree(page.substring(start, page.indexOf("</script>", start)));
        assertEquals(3, data.at("/predictions/charts").size());
        assertEquals(
                0.99, data.at("/summary/results/terms/0/metrics/energy/best/r2").asDouble(), 0.0);
    }

    @Test
    void resultsAndPredictionsOfAnotherRunOfTheJournalAreNotShown() throws Exception {
        Journals.fit(dir, 10);
        writeResults(2); // an output folder whose results.json names run 2 while the journal's latest run is 1
        try (Dashboard d = Dashboard.builder(dir).start()) {
            HttpResponse<String> r = get(base(d) + "/api/predictions?token=" + token(d));
            assertEquals(404, r.statusCode(), r.body());
            assertEquals("no predictions yet\n", r.body());
            JsonNode summary = JSON.readTree(
                    get(base(d) + "/api/summary?token=" + token(d)).body());
            assertEquals(1, summary.get("run").asInt());
            assertTrue(summary.get("results").isNull(), summary.toString());
        }
        String open = "<script type=\"application/json\" id=\"chemfit-data\">";
        String page = HtmlReport.render(dir);
        int start = page.indexOf(open) + open.length();
        JsonNode data = JSON.readTree(page.substring(start, page.indexOf("</script>", start)));
        assertTrue(data.get("predictions").isNull(), "predictions.csv of run 2 beside run 1");
        assertTrue(data.at("/summary/results").isNull());
        writeResults(1);
        page = HtmlReport.render(dir);
        start = page.indexOf(open) + open.length();
        data = JSON.readTree(page.substring(start, page.indexOf("</script>", start)));
        assertEquals(3, data.at("/predictions/charts").size(), "of the run shown, they are");
        assertEquals(7, data.at("/summary/results/evaluations/rounds").asInt());
    }

    @Test
    void aJournalThatCannotBeReadShowsWhatResultsJsonAndPredictionsCsvHold() throws Exception {
        Journals.fit(dir, 20);
        writeResults();
        Files.writeString(dir.resolve("results.json"), """
                {"status": "done", "stop_reason": "MAX_EVALUATIONS", "method": "Nelder-Mead", "journal_run": 1,
                 "loss": {"best": 0.25, "initial": 4.0, "unit": ""},
                 "parameters": [{"name": "x", "initial": 0.3, "best": 1.0, "lower": -2.0, "upper": 2.0,
                   "fixed": false, "unit": "Å"}],
                 "evaluations": {"total": 20, "with_failed_terms": 3, "rounds": 20, "best": "e12"},
                 "terms": [{"name": "dimer", "reference": {"energy": [-1.0, -0.5, -1.0]},
                   "computed": {"energy": [-0.98, -0.51, -0.98]},
                   "metrics": {"energy": {"unit": "eV",
                   "best": {"count": 3, "rmse": 0.02, "mae": 0.015, "max_abs_error": 0.03, "r2": 0.99}}}},
                   {"name": "dimer, wide", "reference": {"force": [0.25]}, "computed": {"force": [0.3]}}],
                 "validation": [{"name": "trimer", "reference": {"energy": [-2.0, -1.5]},
                   "computed": {"energy": [-2.1, null]}}]}
                """);
        Path journal = dir.resolve("journal.sqlite");
        for (String side : List.of("-wal", "-shm")) {
            Files.deleteIfExists(dir.resolve("journal.sqlite" + side));
        }
        byte[] whole = Files.readAllBytes(journal);
        Files.write(journal, java.util.Arrays.copyOf(whole, whole.length / 2));
        try (Dashboard d = Dashboard.builder(dir).start()) {
            JsonNode s = JSON.readTree(
                    get(base(d) + "/api/summary?token=" + token(d)).body());
            assertFalse(s.get("problem").isNull(), s.toString());
            assertTrue(s.get("from_results").asBoolean(), s.toString());
            assertEquals("done", s.get("status").asText());
            assertEquals("MAX_EVALUATIONS", s.get("stop_reason").asText());
            assertEquals(20, s.at("/counts/total").asInt());
            assertEquals(3, s.at("/counts/with_failed_terms").asInt());
            assertEquals(0.25, s.get("best_loss").asDouble(), 0.0);
            assertEquals(12, s.get("best_evaluation").asInt());
            assertEquals("x", s.at("/parameters/0/name").asText());
            assertEquals("Å", s.at("/parameters/0/unit").asText());
            assertEquals(1.0, s.at("/parameters/0/best").asDouble(), 0.0);
            assertEquals(0.02, s.at("/results/terms/0/metrics/energy/best/rmse").asDouble(), 0.0);
            HttpResponse<String> p = get(base(d) + "/api/predictions?token=" + token(d));
            assertEquals(200, p.statusCode(), p.body());
            JsonNode rows = JSON.readTree(p.body());
            assertTrue(rows.get("of_results").asBoolean(), rows.toString());
            assertEquals(3, rows.get("charts").size(), "the rows of predictions.csv: " + rows);
            assertEquals(5, rows.get("rows").asInt());
        }
    }

    @Test
    void csvFieldsFollowRfc4180() {
        assertEquals(
                List.of(List.of("a", "b,c", "say \"x\"", ""), List.of("line\nbreak", "2")),
                Predictions.parse("a,\"b,c\",\"say \"\"x\"\"\",\r\n\"line\nbreak\",2\n"));
    }

    /**
     * Each record with the physical line it starts on: a line break in quotes (a line feed, a
     * carriage return or both) is a line of the file, a blank line too; the last record says that no
     * line break ends it, and whether a quote was left open.
     */
    @Test
    void csvRowsNameThePhysicalLineTheyStartOn() {
        assertEquals(
                List.of(
                        new Predictions.Row(List.of("a", "b\r\nc", "d\re"), 1, true, false),
                        new Predictions.Row(List.of("1", "2"), 6, true, false),
                        new Predictions.Row(List.of("3", "x\ny"), 7, false, true)),
                Predictions.rows("a,\"b\r\nc\",\"d\re\"\r\n\n\r1,2\n3,\"x\ny"));
        assertEquals(List.of(new Predictions.Row(List.of("1", ""), 1, false, false)), Predictions.rows("1,"));
        assertEquals(List.of(), Predictions.rows("\n\r\n"));
    }
}

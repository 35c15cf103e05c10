package org.chemfit.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local web page that shows the fit of one output folder while it runs and after it finished:
 * status, loss history, parameter traces against their bounds, the terms and their failures, and
 * the evaluations; once the fit has written {@code results.json} and {@code predictions.csv}, also
 * its metrics table and parity plots. It reads the folder's journal read-only and never writes anything.
 *
 * <p>Safe by default: it binds to 127.0.0.1 (another address only with {@link Builder#allowRemote});
 * every request must carry the random token of {@link #url()}; there is no route that writes or
 * runs anything, no route takes a file path, and every page carries a Content-Security-Policy
 * that allows only the server's own scripts.
 *
 * <pre>{@code
 * try (Dashboard d = Dashboard.builder(Path.of("results")).port(8050).start()) {
 *     System.out.println("open " + d.url());
 *     Thread.sleep(Long.MAX_VALUE);
 * }
 * }</pre>
 *
 * @implNote Thread-safe. The server's threads and its journal reader are owned by this object and
 *     stopped by {@link #close()}. The journal is read by one background thread four times a
 *     second (a long journal first in batches of a few thousand records, the page showing what
 *     was read so far); the writer is never blocked (SQLite's WAL mode lets readers and a writer
 *     run at once).
 */
public final class Dashboard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final long TICK_MILLIS = 250;

    /**
     * The JDK server's limit, in seconds, on the time from a connection's opening (or its next
     * request) to the end of its request's headers. The server reads the headers on a handler
     * thread, with no limit of its own: connections that send part of a request and then nothing
     * (which any user of the machine can open, without the token) would hold the handlers for as
     * long as they liked and freeze the dashboard. A browser sends its headers at once; the server closes a connection
     * that has not sent them within this time, and its thread is free again. An event stream, whose
     * request has ended, is not timed.
     */
    static final String MAX_REQUEST_SECONDS = "10";

    /** The most requests answered at once ({@link #MAX_REQUEST_SECONDS}). */
    static final int HANDLERS = 64;

    static {
        // a property of the whole JVM, read once, when the JDK's server is first used: set only when
        // absent, so that one given on the command line (-Dsun.net.httpserver.maxReqTime=...) wins
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", MAX_REQUEST_SECONDS);
        }
    }

    private final HttpServer server;
    private final JournalView view;
    private final String token;
    private final URI url;
    private final ExecutorService handlers;
    private final ScheduledExecutorService reader;
    /**
     * Write the event streams: {@link #WRITERS} threads, each kept a minute when idle, one write at
     * a time per stream. A page that stops reading can hold one of them for as long as its
     * connection lives; the others write the other streams. Written by hand around the JDK's
     * server, which has no asynchronous writes.
     */
    private final ExecutorService writers;

    /** The threads that write the event streams. */
    private static final int WRITERS = 8;

    /** When a page last asked for the state ({@link System#nanoTime}): a page not shown asks every 2 s. */
    private volatile long lastAsked = System.nanoTime() - TimeUnit.HOURS.toNanos(1);
    /** The open event streams, oldest first; told by the reader's ticks, written by the writers. */
    private final java.util.concurrent.ConcurrentLinkedDeque<Stream> streams =
            new java.util.concurrent.ConcurrentLinkedDeque<>();

    private final AtomicLong servedVersion = new AtomicLong(-1);
    private volatile boolean closing;

    /**
     * @param threads the most threads
     * @param name their name
     * @return a pool of daemon threads, made as tasks come until there are {@code threads} and let
     *     go after a minute idle, whose tasks beyond them wait in line
     */
    private static java.util.concurrent.ThreadPoolExecutor daemonPool(int threads, String name) {
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(
                threads, threads, 60, TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread th = new Thread(r, name);
                    th.setDaemon(true);
                    return th;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private Dashboard(Builder b) throws IOException {
        this.view = new JournalView(b.dir);
        byte[] t = new byte[24];
        new SecureRandom().nextBytes(t);
        this.token = HexFormat.of().formatHex(t);
        this.server = HttpServer.create(new InetSocketAddress(b.address, b.port), 16);
        // A request holds a thread only while it is answered: an open page's event stream is
        // written by the writers (see events), so open pages never take these. A connection that
        // sends part of a request holds one until MAX_REQUEST_SECONDS closes it: a thread is made for
        // each request until there are HANDLERS, and let go after a minute idle, so that it takes that
        // many such connections at once, kept up, to make a page wait.
        this.handlers = daemonPool(HANDLERS, "chemfit-dashboard-http");
        this.writers = daemonPool(WRITERS, "chemfit-dashboard-events");
        this.reader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "chemfit-dashboard-reader");
            th.setDaemon(true);
            return th;
        });
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        try {
            view.refresh();
        } catch (RuntimeException e) {
            // the port is bound and the threads made: nothing of a dashboard that never started may stay
            server.stop(0);
            handlers.shutdownNow();
            reader.shutdownNow();
            writers.shutdownNow();
            throw e;
        }
        // the task catches its own failures and the reader is shut down on close: no one waits on its future
        var unused = reader.scheduleWithFixedDelay(
                () -> {
                    // a long journal is read in batches; between them the page's requests are served
                    boolean behind;
                    do {
                        try {
                            view.refresh();
                            behind = view.behind();
                        } catch (RuntimeException e) {
                            LOG.warn("dashboard: reading the journal failed: {}", e.getMessage());
                            behind = false;
                        }
                        tellStreams();
                    } while (behind && !closing);
                },
                TICK_MILLIS,
                TICK_MILLIS,
                TimeUnit.MILLISECONDS);
        server.start();
        String host = b.address.getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        this.url = URI.create("http://" + host + ":" + server.getAddress().getPort() + "/?token=" + token);
    }

    /**
     * @param dir the fit's output folder (the journal may not exist yet: the page waits for it)
     * @return a builder
     */
    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** @return the address to open, with the access token */
    public URI url() {
        return url;
    }

    /** @return the port the server listens on */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        boolean keepOpen = false;
        try {
            var h = ex.getResponseHeaders();
            h.set("Content-Security-Policy", CSP);
            h.set("X-Content-Type-Options", "nosniff");
            h.set("Referrer-Policy", "no-referrer");
            h.set("Cache-Control", "no-store");
            h.set("X-Frame-Options", "DENY");
            Map<String, String> q;
            try {
                q = query(ex.getRequestURI().getRawQuery());
            } catch (IllegalArgumentException e) {
                send(ex, 400, "text/plain", "bad query\n");
                return;
            }
            String rawPath = ex.getRequestURI().getRawPath();
            if (!MessageDigest.isEqual(
                    token.getBytes(StandardCharsets.UTF_8),
                    q.getOrDefault("token", "").getBytes(StandardCharsets.UTF_8))) {
                send(ex, 403, "text/plain", "forbidden: this page needs the token of the address chemfit printed\n");
                return;
            }
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                h.set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain", "only GET and HEAD: the dashboard changes nothing\n");
                return;
            }
            // Routes are matched exactly and none names a file: a path with ".." (or an encoded
            // dot, slash or backslash) is refused outright rather than normalised.
            String lower = rawPath == null ? "" : rawPath.toLowerCase(java.util.Locale.ROOT);
            if (rawPath == null
                    || rawPath.contains("..")
                    || lower.contains("%2e")
                    || lower.contains("%2f")
                    || lower.contains("%5c")
                    || rawPath.contains("\\")
                    || rawPath.contains("//")) {
                send(ex, 400, "text/plain", "bad path\n");
                return;
            }
            switch (rawPath) {
                case "/" -> send(ex, 200, "text/html; charset=utf-8", Assets.page(token));
                case "/app.js" -> send(ex, 200, "text/javascript; charset=utf-8", Assets.text("app.js"));
                case "/app.css" -> send(ex, 200, "text/css; charset=utf-8", Assets.text("app.css"));
                case "/uplot.js" -> send(ex, 200, "text/javascript; charset=utf-8", Assets.uplotJs());
                case "/uplot.css" -> send(ex, 200, "text/css; charset=utf-8", Assets.uplotCss());
                case "/api/summary" -> {
                    lastAsked = System.nanoTime();
                    Summary s = summary();
                    send(ex, 200, "application/json", s.json());
                    // served once the page has it all: close() may stop the server from then on
                    ex.getResponseBody().close();
                    servedVersion.accumulateAndGet(s.version(), Math::max);
                }
                case "/api/evaluations" ->
                    json(
                            ex,
                            view.evaluations(
                                    q.getOrDefault("sort", "number"),
                                    "1".equals(q.get("desc")),
                                    clamp(q.get("offset"), 0, Integer.MAX_VALUE, 0),
                                    clamp(q.get("limit"), 1, 500, 50)));
                case "/api/failure" -> {
                    Map<String, Object> f = view.failure(clamp(q.get("index"), -1, Integer.MAX_VALUE, -1));
                    if (f == null) {
                        send(ex, 404, "text/plain", "no such failure\n");
                    } else {
                        json(ex, f);
                    }
                }
                case "/api/predictions" -> {
                    // the parsed rows of the folder's predictions.csv; the route names no file
                    Map<String, Object> p = view.predictions();
                    if (p == null) {
                        send(ex, 404, "text/plain", "no predictions yet\n");
                    } else {
                        json(ex, p);
                    }
                }
                case "/events" -> keepOpen = events(ex);
                default -> send(ex, 404, "text/plain", "not found\n");
            }
        } catch (IOException e) {
            // the browser went away
        } catch (RuntimeException e) {
            LOG.warn("dashboard: {} failed: {}", ex.getRequestURI().getRawPath(), e.toString());
        } finally {
            if (!keepOpen) {
                ex.close();
            }
        }
    }

    /** A summary as sent, kept until the view changes: pages asking for the same state share it. */
    private record Summary(long version, String json) {}

    private volatile @Nullable Summary lastSummary;

    private Summary summary() throws IOException {
        Summary s = lastSummary;
        if (s != null && s.version() == view.version()) {
            return s;
        }
        synchronized (this) {
            s = lastSummary;
            if (s != null && s.version() == view.version()) {
                return s;
            }
            Map<String, Object> m = view.summary();
            s = new Summary(
                    ((Number) Objects.requireNonNull(m.get("version"), "version")).longValue(),
                    JSON.writeValueAsString(m));
            lastSummary = s;
            return s;
        }
    }

    /** The most event streams kept open: a page beyond them ends the oldest, whose page reconnects. */
    static final int MAX_STREAMS = 64;

    /**
     * An open event stream: the version of the view it was last told, the ticks since it was last
     * written, and whether a write to it is under way (one at a time; a tick that finds one skips
     * the stream, whose next write says the newest version).
     */
    private static final class Stream {
        final HttpExchange exchange;
        final OutputStream out;
        final java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();
        /** Written by a writer, read by the reader's ticks. */
        volatile long sent = -1;
        /** The reader's ticks since the stream was last told an update: the reader's alone. */
        long quiet;

        Stream(HttpExchange exchange) {
            this.exchange = exchange;
            this.out = exchange.getResponseBody();
        }
    }

    /**
     * Server-sent events: one "update" event whenever the journal view changed, checked every 250 ms.
     * The stream is kept open after the request's thread returns and written by the stream
     * writers ({@link #tellStreams}), so that open pages, and pages closed but not yet known to be
     * gone, hold no thread of the server's: a thread per stream, from a pool of 16, was used up by
     * 16 open streams, and the page's own requests then waited. A page that stops reading holds
     * one writer, never the journal's reader or another page's stream.
     *
     * @return true: the stream is open, to be closed by a writer or by {@link #close}
     */
    private boolean events(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.sendResponseHeaders(200, 0);
        Stream s = new Stream(ex);
        // written here before the stream is shared; from then on by one writer at a time
        s.sent = view.version();
        s.out.write(("retry: 1000\n\nevent: update\ndata: " + s.sent + "\n\n").getBytes(StandardCharsets.UTF_8));
        s.out.flush();
        streams.addLast(s);
        while (streams.size() > MAX_STREAMS) {
            Stream oldest = streams.pollFirst();
            if (oldest != null) {
                end(oldest);
            }
        }
        if (closing && streams.remove(s)) {
            ex.close();
        }
        return true;
    }

    /**
     * Ends a stream (its last chunk) on a writer, even while a write to it is under way: it is no
     * longer told anything, and its connection ends anyway.
     */
    private void end(Stream s) {
        try {
            writers.execute(s.exchange::close);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            s.exchange.close();
        }
    }

    /**
     * Has each open stream told what changed: an "update" event with the view's version when it
     * changed, else a comment every second, so that a page that went away is found (its write
     * fails, and the stream is closed) within about two seconds, before the cap of {@link
     * #MAX_STREAMS} would end a page still open, and a proxy or tunnel keeps the stream open.
     */
    private void tellStreams() {
        long v = view.version();
        for (Stream s : streams) {
            if (v != s.sent) {
                s.quiet = 0;
                write(s, ("event: update\ndata: " + v + "\n\n").getBytes(StandardCharsets.UTF_8), v);
            } else if (++s.quiet % 4 == 0) {
                write(s, ":\n\n".getBytes(StandardCharsets.UTF_8), -1);
            }
        }
    }

    /**
     * Writes to a stream on a stream writer, unless a write to it is under way; a write that fails
     * (the page went away) closes the stream.
     *
     * @param s the stream
     * @param bytes what to write
     * @param told the version of the view the bytes tell, or -1 for none
     */
    private void write(Stream s, byte[] bytes, long told) {
        if (!s.busy.compareAndSet(false, true)) {
            return;
        }
        try {
            writers.execute(() -> {
                try {
                    s.out.write(bytes);
                    s.out.flush();
                    if (told >= 0) {
                        s.sent = told;
                    }
                } catch (IOException | RuntimeException e) {
                    streams.remove(s);
                    s.exchange.close();
                } finally {
                    s.busy.set(false);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            s.busy.set(false); // closing: close() ends the stream
        }
    }

    private static int clamp(@Nullable String s, int min, int max, int dflt) {
        if (s == null) {
            return dflt;
        }
        try {
            return Math.max(min, Math.min(max, Integer.parseInt(s)));
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw == null) {
            return m;
        }
        for (String kv : raw.split("&")) {
            int i = kv.indexOf('=');
            String k = URLDecoder.decode(i < 0 ? kv : kv.substring(0, i), StandardCharsets.UTF_8);
            String v = i < 0 ? "" : URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8);
            m.putIfAbsent(k, v);
        }
        return m;
    }

    private static void json(HttpExchange ex, Object tree) throws IOException {
        send(ex, 200, "application/json", JSON.writeValueAsString(tree));
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        if ("HEAD".equals(ex.getRequestMethod())) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    /** @return whether a page is open: one with a stream, or one not shown that asked for the state in the last 3 s */
    private boolean watched() {
        return !streams.isEmpty() || System.nanoTime() - lastAsked < TimeUnit.SECONDS.toNanos(3);
    }

    /**
     * Stops the server. When a page is open (one with an event stream, or one not shown that asked
     * for the state in the last 3 s), it is first given up to five seconds to read and
     * fetch the last state (so that a page watching a fit that just ended shows its final status,
     * also from a browser on a busy machine); with none open it stops at once, without reading
     * the journal again.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        if (watched()) {
            // what the journal holds now, read (in batches) within the time the page is given
            view.refreshUntil(deadline);
        }
        long last = view.version();
        while (watched() && servedVersion.get() < last && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        boolean watched = watched();
        closing = true;
        // a refresh under way stops after its current batch
        view.close();
        reader.shutdownNow();
        try {
            // the reader tells the streams: none is told anything after its last tick
            reader.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // each stream ended with its last chunk, by the writers: a page that stopped reading holds its writer,
        // and the server's stop, which closes every connection, frees it
        for (Stream s = streams.pollFirst(); s != null; s = streams.pollFirst()) {
            end(s);
        }
        writers.shutdown();
        try {
            writers.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // with a page open, a response under way is finished first; the server may wait out the whole second
        server.stop(watched ? 1 : 0);
        writers.shutdownNow();
        handlers.shutdownNow();
    }

    /**
     * How a {@link Dashboard} is set up: the folder, the address and port to listen on.
     *
     * <pre>{@code
     * Dashboard d = Dashboard.builder(dir).bind("127.0.0.1").port(0).start();
     * }</pre>
     *
     * @implNote Not thread-safe; build on one thread.
     */
    public static final class Builder {
        private final Path dir;
        private InetAddress address = InetAddress.getLoopbackAddress();
        private String bind = "127.0.0.1";
        private int port;
        private boolean allowRemote;

        private Builder(Path dir) {
            this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
        }

        /**
         * @param port the port, 0 for any free one (the default)
         * @return this
         * @throws IllegalArgumentException when the port is not 0 to 65535
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(
                        "the dashboard's port must be 0 (any free port) to 65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * @param host the address to listen on (default 127.0.0.1); another than a loopback
         *     address is refused unless {@link #allowRemote} is set
         * @return this
         */
        public Builder bind(String host) {
            this.bind = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * @param allow whether an address that other machines reach may be bound (the token is
         *     then all that protects the page, and it travels unencrypted)
         * @return this
         */
        public Builder allowRemote(boolean allow) {
            this.allowRemote = allow;
            return this;
        }

        /**
         * Starts the server.
         *
         * @return the running dashboard
         * @throws IllegalArgumentException when the address is unknown, or is not a loopback
         *     address and {@link #allowRemote} was not set
         * @throws UncheckedIOException when the port cannot be bound (in use, or not allowed)
         */
        public Dashboard start() {
            try {
                address = InetAddress.getByName(bind);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("the dashboard cannot bind to '" + bind + "': unknown host");
            }
            if (!address.isLoopbackAddress() && !allowRemote) {
                throw new IllegalArgumentException(
                        "the dashboard binds only to a loopback address (127.0.0.1) unless told"
                                + " otherwise; '" + bind
                                + "' is reachable from other machines: reach the page through an SSH"
                                + " tunnel, or allow it explicitly (--allow-remote)");
            }
            try {
                return new Dashboard(this);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "the dashboard cannot listen on " + bind + ":" + port + ": " + e.getMessage(), e);
            }
        }
    }
}

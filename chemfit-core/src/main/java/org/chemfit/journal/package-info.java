/**
 * The durable record of a fit: every evaluation and every leaf term is committed to a
 * {@link org.chemfit.journal.Journal} before the optimizer hears of it, and a resumed fit replays
 * the recorded results instead of running them again.
 *
 * <pre>{@code
 * try (Journal journal = Journal.open(Path.of("out"))) {            // out/journal.sqlite
 *     FitResult r = new Fitter(objective, initial).journal(journal).fit("Nelder-Mead");
 * }
 * }</pre>
 *
 * <p>The default journal, {@link org.chemfit.journal.SqliteJournal}, is a plain SQLite file in WAL
 * mode. Its tables, for readers with {@code sqlite3} or pandas
 * ({@code pd.read_sql("select * from evaluations", sqlite3.connect("out/journal.sqlite"))}):
 * <ul>
 * <li>{@code runs}: id, job_hash, settings_json, started_at, ended_at, status (RUNNING, FINISHED,
 *     FAILED, INTERRUPTED; a killed run stays RUNNING), stop_reason, best_loss, evaluations,
 *     software_version, host;</li>
 * <li>{@code attempts}: one row per start or resume of a run: started_at, ended_at, status, host,
 *     pid, software_version, replayed, computed;</li>
 * <li>{@code evaluations}: run_id, number, evaluation_id, state (RUNNING, COMPLETE, FAILED),
 *     parameters_json, parameter_key, loss, loss_bits (the exact double), told_loss (what the
 *     optimizer was told), replay, quantities_json, tree_json (the metadata tree), failure,
 *     started_at, ended_at, seconds, host, attempt;</li>
 * <li>{@code terms}: one row per finished leaf term: run_id, evaluation_number, evaluation_id,
 *     term_path, term_name, parameter_key, state (COMPLETE, FAILED), value, value_bits,
 *     quantities_json, metadata_json, run_directory, host, worker, failure, started_at, ended_at,
 *     seconds, attempt.</li>
 * </ul>
 * Times are ISO-8601 UTC text; JSON doubles are written so that they read back exactly.
 */
package org.chemfit.journal;

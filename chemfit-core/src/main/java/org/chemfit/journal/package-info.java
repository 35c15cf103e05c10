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
 * <p>The default journal, {@code SqliteJournal}, is a plain SQLite file in WAL
 * mode. Its tables, for readers with {@code sqlite3} or pandas
 * ({@code pd.read_sql("select * from evaluations", sqlite3.connect("out/journal.sqlite"))}):
 * <ul>
 * <li>{@code runs}: id, job_hash, settings_json, started_at, ended_at, status (RUNNING, FINISHED,
 *     FAILED, INTERRUPTED; a killed run stays RUNNING), stop_reason, best_loss, evaluations,
 *     software_version, host;</li>
 * <li>{@code attempts}: one row per start or resume of a run, keyed by run_id and attempt (1, 2,
 *     ...): started_at, ended_at, status, host, pid, software_version, replayed and computed
 *     (the leaf terms taken from the journal and those run; written when the attempt ends, so a
 *     killed attempt keeps 0 and 0, and its status reads RUNNING until the next attempt marks it
 *     INTERRUPTED), diverged_at (the first evaluation number at which a resumed attempt asked for
 *     other parameters than the run recorded, empty when it asked for none: the rows earlier
 *     attempts recorded from that number on no longer count);</li>
 * <li>{@code evaluations}: run_id, number, evaluation_id, state (RUNNING, COMPLETE, FAILED),
 *     parameters_json, parameter_key, loss, loss_bits (the exact double), told_loss (what the
 *     optimizer was told), replay, quantities_blob (see below), tree_json (the metadata tree;
 *     when tree_terms_apart is 1, the quantities of a term recorded in the terms table stand in
 *     it as {@code "quantities":"$terms:PATH"}, and the reading side ({@code org.chemfit.journal.read}) puts them back;
 *     when it is 2, tree_json is empty and the tree is in the evaluation's record in
 *     {@code term_packs}),
 *     failure, started_at, ended_at, seconds, host, attempt, degraded (1 when a term failed and
 *     the failure policy substituted a penalty or skipped it, 0 when none did);</li>
 * <li>{@code terms}: one row per finished leaf term: id, run_id, evaluation_number, evaluation_id,
 *     term_path, term_name, parameter_key, state (COMPLETE, FAILED), value, value_bits,
 *     quantities_blob, metadata_json, run_directory, host, worker, failure, started_at, ended_at,
 *     seconds, attempt;</li>
 * <li>{@code term_packs}: the leaf terms of one evaluation that shared a commit (its fast
 *     in-process terms) as one row instead of one each: first_id and last_id (the ids its terms
 *     take, in the sequence of the terms table's ids), run_id, evaluation_number, evaluation_id,
 *     parameter_key, attempt, terms_blob (for each term what its row would hold; the layout is in
 *     the class comment of {@code TermPack}), or, for an evaluation of fast terms (schema 5 on), the
 *     evaluation's whole record: its metadata tree and the leaf terms it ran, laid out as the
 *     class comment of {@code EvaluationPack} describes. The reading side reads both tables as
 *     one.</li>
 * </ul>
 * An evaluation of fast terms is durable first in the file {@code journal.sqlite-pending} beside
 * the journal (its record copied into a memory mapping of the file, no transaction), and committed to the database by the
 * session's writer within about a millisecond, together with the evaluations finished meanwhile;
 * a fit that is killed leaves the last of them in that file, and the next fit that opens the
 * journal for writing copies them in before anything else. The file is removed when a fit ends.
 * Times are ISO-8601 UTC text; JSON doubles are written so that they read back exactly.
 * Quantities are binary ({@code quantities_blob}: raw little-endian doubles, laid out as the
 * class comment of {@code QuantityCodec} and docs/job-file.md describe). Journals of schema version
 * 1 hold them as JSON text in {@code quantities_json} instead, and those of version 1 and 2 have no
 * {@code term_packs}; such a journal is migrated (a table or columns added, rows kept) when opened
 * for writing, and every reader of this package reads every form.
 *
 * <p>Every type and member of this package is non-null unless marked
 * {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package org.chemfit.journal;

import org.jspecify.annotations.NullMarked;

package org.chemfit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * What chemfit writes in an output folder, and whether a folder is one: a folder that holds files
 * of those names but no journal of a fit (and no results.json that chemfit wrote) is someone's
 * folder, whose files a fit, an evaluation or a report would replace.
 *
 * <pre>{@code
 * String why = OutputFolder.othersFiles(
 *         Path.of("data"), OutputFolder.fitNames(Path.of("data"), true, true), "the fit", "another output.folder");
 * // "cannot use data as the output folder: it holds results.json, a name chemfit writes there, ..."
 * }</pre>
 *
 * @implNote Stateless.
 */
final class OutputFolder {

    /** The journal's file and the files SQLite keeps beside it while it is open. */
    private static final List<String> JOURNAL_FILES = List.of(
            org.chemfit.journal.Journal.DEFAULT_FILE_NAME,
            org.chemfit.journal.Journal.DEFAULT_FILE_NAME + "-wal",
            org.chemfit.journal.Journal.DEFAULT_FILE_NAME + "-shm",
            org.chemfit.journal.Journal.DEFAULT_FILE_NAME + "-journal");

    /**
     * The files {@code chemfit fit} and {@code chemfit report} write in an output folder, besides the
     * journal's, in the order a message names them.
     */
    static final List<String> FILES =
            List.of(Results.FILE, EvaluationLog.FILE, Judgement.FILE, org.chemfit.dashboard.HtmlReport.FILE);

    /** What a folder that cannot be written leaves the user to do. */
    private static final String ELSEWHERE = "; choose another output.folder (or chemfit fit --output)";

    /** The folder the plots are drawn in. */
    static final String PLOTS = "plots";

    private OutputFolder() {}

    /**
     * @param folder a folder
     * @return whether chemfit wrote it: it holds a journal, a results.json that chemfit wrote (it
     *     names its job's file and hash), or an evaluations.csv whose header is chemfit's
     */
    static boolean chemfits(Path folder) {
        if (Files.exists(folder.resolve(org.chemfit.journal.Journal.DEFAULT_FILE_NAME))) {
            return true;
        }
        Path csv = folder.resolve(EvaluationLog.FILE);
        if (Files.isRegularFile(csv)) {
            try (java.io.BufferedReader in = Files.newBufferedReader(csv, java.nio.charset.StandardCharsets.UTF_8)) {
                String header = in.readLine();
                if (header != null && header.startsWith("evaluation,loss,best_loss,seconds,")) {
                    return true;
                }
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                // not a file of chemfit's that can be read: the results decide
            }
        }
        Path results = folder.resolve(Results.FILE);
        if (!Files.isRegularFile(results)) {
            return false;
        }
        try {
            // read leniently: a results.json of another chemfit version still names its job's hash
            return new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(results.toFile())
                    .path("job")
                    .path("sha256")
                    .isTextual();
        } catch (java.io.IOException | RuntimeException e) {
            return false; // not a results file of chemfit's
        }
    }

    /**
     * @param folder the output folder
     * @param plots whether plots are drawn
     * @return the names a fit writes in its output folder and would replace there: its files, the
     *     journal's companions, and when plots are drawn, the files in {@code plots/} named as a plot
     *     is, unless chemfit's list of the plots it drew is there (then the folder is chemfit's).
     *     Not the run directories: each is made with a name of its own, beside what is there
     */
    static List<String> fitNames(Path folder, boolean plots) {
        List<String> names = new ArrayList<>(FILES);
        names.addAll(JOURNAL_FILES.subList(1, JOURNAL_FILES.size()));
        if (plots) {
            names.addAll(plotFiles(folder));
        }
        return names;
    }

    /**
     * @param folder an output folder
     * @return the files in its {@code plots/} that a drawing of the plots would replace ("plots/loss.svg"):
     *     those named as a plot is, when no list of chemfit's says it drew them; sorted
     */
    static List<String> plotFiles(Path folder) {
        Path dir = folder.resolve(PLOTS);
        if (!Files.isDirectory(dir) || Files.exists(dir.resolve(Plots.WRITTEN_LIST))) {
            return List.of();
        }
        try (java.util.stream.Stream<Path> in = Files.list(dir)) {
            return in.map(p -> p.getFileName().toString())
                    .filter(Plots::isPlotFile)
                    .sorted()
                    .map(n -> PLOTS + "/" + n)
                    .toList();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }

    /**
     * Refuses a folder that is not chemfit's but holds files or folders of the names chemfit writes
     * there: writing the output would replace them.
     *
     * @param folder the output folder, which may not exist yet
     * @param names the names that would be written there ({@link #fitNames})
     * @param command what would write there ("the fit", "the evaluation", "the report")
     * @param instead what else to give ("another output.folder (or --output)")
     * @return the message naming those files ("cannot use data as the output folder: it holds
     *     results.json, a name chemfit writes there, ..."), or null when the folder is chemfit's, or
     *     holds none of them
     */
    static @Nullable String othersFiles(Path folder, List<String> names, String command, String instead) {
        if (!Files.isDirectory(folder) || chemfits(folder)) {
            return null;
        }
        List<String> found = new ArrayList<>();
        for (String f : names) {
            if (Files.exists(folder.resolve(f))) {
                found.add(f + (Files.isDirectory(folder.resolve(f)) ? "/" : ""));
            }
        }
        if (found.isEmpty()) {
            return null;
        }
        boolean one = found.size() == 1;
        return "cannot use " + folder + " as the output folder: it holds " + and(found)
                + (one ? ", a name" : ", names") + " chemfit writes there, and no "
                + org.chemfit.journal.Journal.DEFAULT_FILE_NAME + " of a fit, so "
                + (one ? "it is not chemfit's" : "they are not chemfit's") + " and " + command + " would replace "
                + (one ? "it" : "them") + "; choose " + instead + ", or move "
                + (one ? "it" : "them") + " out of " + folder + " (or remove " + (one ? "it" : "them")
                + ", if a fit whose journal was removed left " + (one ? "it" : "them") + ")";
    }

    /**
     * Refuses a folder in which {@code chemfit fit --restart} keeps an earlier fit's files ({@code
     * out/earlier-runs/run-1}): it holds a results.json of the same job and no journal, so a fit
     * would take it as its own and replace the result kept there.
     *
     * @param folder the output folder, which may not exist yet
     * @param instead what else to give ("another output.folder (or --output)")
     * @return the message naming the folder ("cannot use out/earlier-runs/run-1 as the output folder:
     *     it keeps an earlier fit's files ..."), or null when it keeps no fit's files (results.json,
     *     evaluations.csv, predictions.csv: a folder still to be made is free), holds a journal of its
     *     own (a fit's output folder, which --restart never makes) or, its links followed,
     *     its parent is not an {@code earlier-runs} folder of a fit's output folder (one that holds a
     *     journal or a results.json)
     */
    static @Nullable String keptEarlierRun(Path folder, String instead) {
        // what --restart keeps there: a fit's results and tables, never a journal (which stays in the fit's
        // folder); a folder with a journal of its own is the output folder of a fit run there
        if (Stream.of(Results.FILE, EvaluationLog.FILE, Judgement.FILE).noneMatch(f -> Files.exists(folder.resolve(f)))
                || Files.exists(folder.resolve(org.chemfit.journal.Journal.DEFAULT_FILE_NAME))) {
            return null;
        }
        Path real;
        try {
            real = folder.toRealPath(); // a link to a kept run is that run
        } catch (java.io.IOException e) {
            return null; // what cannot be reached is said where the folder is used
        }
        Path parent = real.getParent();
        if (parent == null
                || parent.getFileName() == null
                || !parent.getFileName().toString().equals(FitRun.EARLIER_RUNS)) {
            return null;
        }
        Path fit = parent.getParent();
        if (fit == null
                || !(Files.exists(fit.resolve(org.chemfit.journal.Journal.DEFAULT_FILE_NAME))
                        || Files.exists(fit.resolve(Results.FILE)))) {
            return null;
        }
        // the fit's folder as the command line gave it, when it names it (not through a link)
        Path given = folder.normalize().getParent();
        Path shown = given != null
                        && given.getFileName() != null
                        && given.getFileName().toString().equals(FitRun.EARLIER_RUNS)
                        && given.getParent() != null
                ? given.getParent()
                : fit;
        return "cannot use " + folder + " as the output folder: it keeps an earlier fit's files (chemfit fit"
                + " --restart put them there, in " + FitRun.EARLIER_RUNS + " of the output folder " + shown
                + "), which a fit there would replace; choose " + instead;
    }

    /**
     * @param folder the output folder, which may not exist yet (nor be a file: {@link
     *     Messages#notAFolder} says that)
     * @return why it cannot be written ("cannot use out as the output folder: the file system is
     *     mounted read-only", "cannot create the output folder out/res: permission denied: out is not
     *     writable by this user"), or null when this user may write it or create it
     */
    static @Nullable String unwritable(Path folder) {
        if (Files.isDirectory(folder)) {
            if (Files.isWritable(folder)) {
                return null;
            }
            return "cannot use " + folder + " as the output folder: "
                    + (Messages.readOnly(folder)
                            ? "the file system is mounted read-only"
                            : "permission denied (this user may not write in it)")
                    + ELSEWHERE;
        }
        String why = Messages.notAFolder(folder) != null ? null : Messages.notWritableFolder(folder);
        return why == null ? null : "cannot create the output folder " + folder + ": " + why + ELSEWHERE;
    }

    /** The room a fit's journal takes before its first evaluation: its file of pending records, written whole. */
    static final long FIRST_ROOM = 4L << 20;

    /**
     * @param folder an output folder, which may not exist yet
     * @return the warning that its file system has less than twice {@link #FIRST_ROOM} left, or
     *     null when it has more, when its journal's pending file is made whole already (a resume),
     *     or when the room cannot be told
     */
    static @Nullable String littleRoom(Path folder) {
        Path pending = folder.resolve(org.chemfit.journal.Journal.DEFAULT_FILE_NAME + "-pending");
        try {
            if (Files.isRegularFile(pending) && Files.size(pending) >= FIRST_ROOM) {
                return null; // made whole by an earlier fit: its room is taken
            }
        } catch (IOException e) {
            // not known to be whole: the room is told as for a first fit
        }
        Path at = folder.toAbsolutePath();
        while (at != null && !Files.isDirectory(at)) {
            at = at.getParent();
        }
        if (at == null) {
            return null;
        }
        try {
            return littleRoom(folder, Files.getFileStore(at).getUsableSpace());
        } catch (IOException | RuntimeException e) {
            return null; // no word rather than a wrong one
        }
    }

    /**
     * @param folder an output folder
     * @param left the bytes left to this user on its file system
     * @return the warning that they are less than twice {@link #FIRST_ROOM}, else null
     */
    static @Nullable String littleRoom(Path folder, long left) {
        if (left >= 2 * FIRST_ROOM) {
            return null;
        }
        return "the file system of the output folder " + folder + " has " + left + " bytes left, and chemfit fit"
                + " needs " + FIRST_ROOM + " (4 MiB) there before its first evaluation, for its journal's file of"
                + " pending records, and room for the journal and the results beyond it"
                + (left < FIRST_ROOM ? ": the fit would stop at its start" : "")
                + "; free some room, or choose another output.folder (or chemfit fit --output)";
    }

    /** @return the names, the last two joined by "and" ("a, b and c") */
    private static String and(List<String> names) {
        int last = names.size() - 1;
        return last == 0 ? names.get(0) : String.join(", ", names.subList(0, last)) + " and " + names.get(last);
    }
}

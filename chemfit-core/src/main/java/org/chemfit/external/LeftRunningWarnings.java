package org.chemfit.external;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Counts, per term and command, the runs that left processes running, and decides which of them
 * are said: the first in full, then the 10th, the 100th, the 1000th and so on, counted, so that a
 * fit of thousands of evaluations whose program always leaves something (Open MPI's {@code orted})
 * says so a handful of times instead of once per evaluation. One instance lives with each term's
 * {@link FileBasedQuantityComputer}.
 *
 * @implNote Thread-safe: the evaluations of a term run concurrently.
 */
final class LeftRunningWarnings {

    /** The programs named in the hint about Open MPI's daemon. */
    private static final List<String> OPEN_MPI_DAEMONS = List.of("orted", "prted");

    /** Per term and command, the runs that left processes running so far. */
    private final Map<List<String>, Seen> seen = new HashMap<>();

    private static final class Seen {
        long runs;
        final SortedSet<String> programs = new TreeSet<>();
    }

    /**
     * What to say about one run that left processes running.
     *
     * @param runs how many runs of the command have left processes running, this one included
     * @param programs the names of the programs left running by all of them, sorted
     */
    record Note(long runs, List<String> programs) {
        /** @return whether this is the first such run, said in full */
        boolean first() {
            return runs == 1;
        }

        /** @return whether one of the programs is Open MPI's daemon ({@code orted}, {@code prted}) */
        boolean openMpiDaemon() {
            return programs.stream().anyMatch(OPEN_MPI_DAEMONS::contains);
        }
    }

    /**
     * Counts a run that left processes running.
     *
     * @param term the term's name
     * @param command the command, as it is shown
     * @param programs the names of the programs it left running
     * @return what to say, or null when this run is only counted
     */
    synchronized @Nullable Note count(String term, String command, Collection<String> programs) {
        Seen s = seen.computeIfAbsent(List.of(term, command), k -> new Seen());
        s.runs++;
        s.programs.addAll(programs);
        return said(s.runs) ? new Note(s.runs, List.copyOf(s.programs)) : null;
    }

    /**
     * @return how many runs of the command have left processes running
     */
    synchronized long runs(String term, String command) {
        Seen s = seen.get(List.of(term, command));
        return s == null ? 0 : s.runs;
    }

    /** @return whether the n-th run is said: the first, and each power of ten */
    static boolean said(long n) {
        if (n < 1) {
            return false;
        }
        long m = n;
        while (m % 10 == 0) {
            m /= 10;
        }
        return m == 1;
    }

    /**
     * @param term the term's name
     * @param command the command, as it is shown
     * @param note a counted run ({@link Note#first()} false)
     * @return the counted warning, as in {@code external term 'fcc': command 'lmp -in in.fcc' has now
     *     left processes running after 10 of its runs (orted); each was killed}
     */
    static String counted(String term, String command, Note note) {
        return "external term '" + term + "': command '" + command + "' has now left processes running after "
                + note.runs() + " of its runs (" + String.join(", ", note.programs()) + "); each was killed";
    }

    /**
     * @return what the first warning adds: that later runs are counted, and, when Open MPI's daemon
     *     was left, how to start the program without it
     */
    static String after(Note note) {
        String later = "; later runs of this command that leave processes running are counted, and said after 10,"
                + " 100, 1000... of them";
        if (!note.openMpiDaemon()) {
            return later;
        }
        return later + ". The program is an Open MPI singleton, whose daemon (orted, prted) outlives it: give the"
                + " term env: {OMPI_MCA_ess_singleton_isolated: \"1\"} and private_tmpdir: true, which start it"
                + " without the daemon (see docs/job-file.md, private_tmpdir)";
    }
}

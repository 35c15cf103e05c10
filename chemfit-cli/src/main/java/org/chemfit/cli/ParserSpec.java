package org.chemfit.cli;

import java.util.List;
import java.util.Objects;
import org.chemfit.external.OutputParser;
import org.chemfit.external.OutputParsers;
import org.chemfit.external.XvgParser;
import org.jspecify.annotations.Nullable;

/**
 * How one quantity of an external term is read from its run directory: one record per parser of
 * the job file ({@code regex}, {@code column}, {@code json}, {@code lammps_thermo}, {@code xvg}),
 * each holding only the options its parser takes, already checked by the job reader. Each maps to
 * the library's parser with {@link #parser()}.
 *
 * <pre>{@code
 * ParserSpec p = new ParserSpec.LammpsThermo("energy", "log.lammps", "PotEng", ParserSpec.Select.MEAN, 0, null);
 * OutputParser parser = p.parser();
 * }</pre>
 *
 * @implNote Implementations are immutable records.
 */
public sealed interface ParserSpec
        permits ParserSpec.Regex, ParserSpec.Column, ParserSpec.Json, ParserSpec.LammpsThermo, ParserSpec.Xvg {

    /** @return the quantity's name */
    String quantity();

    /** @return the file, relative to the run directory */
    String file();

    /** @return the library's parser for this quantity */
    OutputParser parser();

    /**
     * Refuses a select that a parser does not offer ({@link JobKeys#SELECTS}); the records call it
     * when they are made, so that no record holds one.
     */
    private static Select offered(String parser, Select select) {
        Objects.requireNonNull(select, "select");
        List<String> offered = Objects.requireNonNull(JobKeys.SELECTS.get(parser), "a parser that offers select");
        if (!offered.contains(JobKeys.word(select))) {
            throw new IllegalArgumentException("parser " + parser + " does not offer select: " + JobKeys.word(select)
                    + "; it offers " + String.join(", ", offered));
        }
        return select;
    }

    /** @return the failure of a select that the record's constructor has refused */
    private static IllegalStateException unreachable(Select select) {
        return new IllegalStateException("select " + JobKeys.word(select) + " was refused when the parser was made");
    }

    /**
     * Which values of a file a parser keeps ({@code select:}); the word of the job file is the
     * constant's name in lower case.
     *
     * <pre>{@code
     * Select s = Select.MEAN_OF_LAST;   // select: mean_of_last
     * }</pre>
     *
     * @implNote An enum: immutable and thread-safe.
     */
    enum Select {
        /** The first match or row. */
        FIRST,
        /** The last match or row, the default. */
        LAST,
        /** Every match or row, as an array. */
        ALL,
        /** The mean of every row. */
        MEAN,
        /** The mean of the last rows. */
        MEAN_OF_LAST
    }

    /**
     * A column or a group named by a header (or group name) or by an index from 0.
     *
     * <pre>{@code
     * ColumnRef.named("PotEng"); ColumnRef.at(2);
     * }</pre>
     *
     * @param name the name, or null when given by index
     * @param index the index (unused when a name is given)
     * @implNote Immutable.
     */
    record ColumnRef(@Nullable String name, int index) {
        /**
         * @param name a header or group name
         * @return a reference by name
         */
        public static ColumnRef named(String name) {
            return new ColumnRef(Objects.requireNonNull(name, "name"), -1);
        }

        /**
         * @param index an index from 0
         * @return a reference by index
         */
        public static ColumnRef at(int index) {
            return new ColumnRef(null, index);
        }
    }

    /**
     * {@code parser: regex}: a regular expression's matches.
     *
     * <pre>{@code
     * new ParserSpec.Regex("energy", "out.txt", "E = (\\S+)", ParserSpec.ColumnRef.at(1), ParserSpec.Select.LAST)
     * }</pre>
     *
     * @param quantity the quantity
     * @param file the file in the run directory
     * @param pattern the regular expression
     * @param group the group to read, or null for the library's default
     * @param select first, last or all
     * @implNote Immutable.
     */
    record Regex(String quantity, String file, String pattern, ColumnRef group, Select select) implements ParserSpec {
        /**
         * Checks the select.
         *
         * @throws IllegalArgumentException when the select is mean or mean_of_last
         */
        public Regex {
            select = ParserSpec.offered("regex", select);
        }

        @Override
        public OutputParser parser() {
            OutputParsers.Regex r = OutputParsers.regex(quantity, file, pattern);
            if (group != null) {
                r = group.name() != null ? r.group(group.name()) : r.group(group.index());
            }
            return switch (select) {
                case FIRST -> r.first();
                case ALL -> r.all();
                case LAST -> r.last();
                case MEAN, MEAN_OF_LAST -> throw ParserSpec.unreachable(select);
            };
        }
    }

    /**
     * {@code parser: column}: a column of a whitespace- or comma-separated table.
     *
     * <pre>{@code
     * new ParserSpec.Column("density", "thermo.dat", ParserSpec.ColumnRef.named("rho"), ParserSpec.Select.MEAN_OF_LAST, 10)
     * }</pre>
     *
     * @param quantity the quantity
     * @param file the file in the run directory
     * @param column the column by header or index
     * @param select first, last, all or mean_of_last
     * @param rows the rows averaged by mean_of_last (0 otherwise)
     * @implNote Immutable.
     */
    record Column(String quantity, String file, ColumnRef column, Select select, int rows) implements ParserSpec {
        /**
         * Checks the select.
         *
         * @throws IllegalArgumentException when the select is mean
         */
        public Column {
            select = ParserSpec.offered("column", select);
        }

        @Override
        public OutputParser parser() {
            OutputParsers.Column c = column.name() != null
                    ? OutputParsers.column(quantity, file, column.name())
                    : OutputParsers.column(quantity, file, column.index());
            return switch (select) {
                case FIRST -> c.first();
                case ALL -> c.all();
                case MEAN_OF_LAST -> c.meanOfLast(rows);
                case LAST -> c.last();
                case MEAN -> throw ParserSpec.unreachable(select);
            };
        }
    }

    /**
     * {@code parser: json}: a value at a path of a JSON file.
     *
     * <pre>{@code
     * new ParserSpec.Json("energy", "result.json", "energy.total")
     * }</pre>
     *
     * @param quantity the quantity
     * @param file the file in the run directory
     * @param path the dotted path
     * @implNote Immutable.
     */
    record Json(String quantity, String file, String path) implements ParserSpec {
        @Override
        public OutputParser parser() {
            return OutputParsers.json(quantity, file, path);
        }
    }

    /**
     * {@code parser: lammps_thermo}: a thermo keyword of a LAMMPS log.
     *
     * <pre>{@code
     * new ParserSpec.LammpsThermo("pe", "log.lammps", "PotEng", ParserSpec.Select.LAST, 0, -1)
     * }</pre>
     *
     * @param quantity the quantity
     * @param file the log in the run directory
     * @param column the thermo keyword as LAMMPS prints it
     * @param select first, last, all, mean or mean_of_last
     * @param rows the rows averaged by mean_of_last (0 otherwise)
     * @param run which thermo table (0 the first, -1 the last), or null for the library's default
     * @implNote Immutable.
     */
    record LammpsThermo(String quantity, String file, String column, Select select, int rows, Integer run)
            implements ParserSpec {
        /** Checks the select (every select is offered). */
        public LammpsThermo {
            select = ParserSpec.offered("lammps_thermo", select);
        }

        @Override
        public OutputParser parser() {
            OutputParsers.LammpsThermo t = OutputParsers.lammpsThermo(quantity, file, column);
            if (run != null) {
                t = t.run(run);
            }
            return switch (select) {
                case FIRST -> t.first();
                case ALL -> t.all();
                case MEAN -> t.mean();
                case MEAN_OF_LAST -> t.meanOfLast(rows);
                case LAST -> t.last();
            };
        }
    }

    /**
     * {@code parser: xvg}: a column of a GROMACS .xvg file, optionally over a window of x.
     *
     * <pre>{@code
     * new ParserSpec.Xvg("density", "density.xvg", ParserSpec.ColumnRef.named("Density"), ParserSpec.Select.MEAN, 100.0, null)
     * }</pre>
     *
     * @param quantity the quantity
     * @param file the file in the run directory
     * @param column the column by legend or index (0 being x)
     * @param select first, last, mean or all
     * @param from the window's start, or null for none
     * @param to the window's end, or null for none
     * @implNote Immutable.
     */
    record Xvg(String quantity, String file, ColumnRef column, Select select, Double from, Double to)
            implements ParserSpec {
        /**
         * Checks the select.
         *
         * @throws IllegalArgumentException when the select is mean_of_last
         */
        public Xvg {
            select = ParserSpec.offered("xvg", select);
        }

        @Override
        public OutputParser parser() {
            XvgParser x = column.name() != null
                    ? XvgParser.column(quantity, file, column.name())
                    : XvgParser.column(quantity, file, column.index());
            if (from != null || to != null) {
                x = x.window(
                        from == null ? Double.NEGATIVE_INFINITY : from, to == null ? Double.POSITIVE_INFINITY : to);
            }
            return switch (select) {
                case FIRST -> x.first();
                case MEAN -> x.mean();
                case ALL -> x.all();
                case LAST -> x.last();
                case MEAN_OF_LAST -> throw ParserSpec.unreachable(select);
            };
        }
    }
}

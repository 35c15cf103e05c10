package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One structure file listed by two rows of a reference CSV, under two tags, counts its error twice
 * in the term's loss (or asks the model for two energies of one structure): validate warns of it,
 * naming the CSV's two lines, their tags and the structure.
 */
class StructureListedTwiceTest {

    @TempDir
    Path dir;

    /** A job of one Lennard-Jones term over the rows of ref.csv, which are given. */
    private Path job(String... rows) throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/d1.xyz"), "2\n\nAr 0 0 0\nAr 0 0 3.8\n");
        Files.writeString(dir.resolve("data/d2.xyz"), "2\n\nAr 0 0 0\nAr 0 0 4.2\n");
        Files.writeString(dir.resolve("data/d3.xyz"), "2\n\nAr 0 0 0\nAr 0 0 4.6\n");
        Files.writeString(dir.resolve("data/ref.csv"), "file,reference_energy,tag\n" + String.join("\n", rows) + "\n");
        Path job = dir.resolve("job.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters:",
                        "  eps: {initial: 0.01, bounds: [0.001, 0.1]}",
                        "  sigma: {initial: 3.4, bounds: [3.0, 4.0]}",
                        "terms:",
                        "  - name: dimers",
                        "    kind: atoms",
                        "    reference: data/ref.csv",
                        "    potential: {form: lennard_jones, epsilon: eps, sigma: sigma}",
                        ""));
        return job;
    }

    private static List<String> warnings(Path job) {
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        return r.err().lines().filter(l -> l.startsWith("warning: ")).toList();
    }

    @Test
    void aStructureListedTwiceWithOneEnergyIsWarnedOf() throws IOException {
        Path job = job("d1.xyz,-0.0104,near", "d2.xyz,-0.0080,mid", "./d1.xyz,-0.0104,near-again", "d3.xyz,-0.005,far");
        Path csv = dir.resolve("data/ref.csv");
        assertEquals(
                List.of("warning: " + csv + ":4: term 'dimers' lists structure " + dir.resolve("data/d1.xyz")
                        + " twice, on lines 2 (tag 'near') and 4 (tag 'near-again') of " + csv
                        + ", with the same energy -0.0104: the same data count twice in the term's loss (its error"
                        + " weighs double; to weigh a structure more, give it a term of its own with a larger"
                        + " weight); remove one of the rows"),
                warnings(job));
    }

    @Test
    void twoEnergiesOfOneStructureAreWarnedOfAsSuch() throws IOException {
        Path job = job("d1.xyz,-0.0104,near", "d2.xyz,-0.0080,mid", "d3.xyz,-0.005,far", "d1.xyz,-0.0111,other");
        Path csv = dir.resolve("data/ref.csv");
        assertEquals(
                List.of("warning: " + csv + ":5: term 'dimers' lists structure " + dir.resolve("data/d1.xyz")
                        + " twice, on lines 2 (tag 'near') and 5 (tag 'other') of " + csv
                        + ", with the energies -0.0104 and -0.0111: one structure has one model energy, which"
                        + " cannot match both (the fit is pulled between them), and its error counts twice in the"
                        + " term's loss; remove one of the rows"),
                warnings(job));
    }

    @Test
    void aLinkToAStructureListedIsTheSameStructure() throws IOException {
        Path job = job("d1.xyz,-0.0104,near", "d2.xyz,-0.0080,mid", "same.xyz,-0.0104,link", "d3.xyz,-0.005,far");
        Files.createSymbolicLink(dir.resolve("data/same.xyz"), Path.of("d1.xyz"));
        Path csv = dir.resolve("data/ref.csv");
        assertEquals(
                List.of("warning: " + csv + ":4: term 'dimers' lists structure " + dir.resolve("data/d1.xyz")
                        + " twice, on lines 2 (tag 'near') and 4 (tag 'link', as " + dir.resolve("data/same.xyz")
                        + ") of " + csv + ", with the same energy -0.0104: the same data count twice in the term's"
                        + " loss (its error weighs double; to weigh a structure more, give it a term of its own with"
                        + " a larger weight); remove one of the rows"),
                warnings(job));
    }

    /** The job of {@link #job}, with these lines added to its end. */
    private static void add(Path job, String... lines) throws IOException {
        Files.writeString(job, Files.readString(job) + String.join("\n", lines) + "\n");
    }

    @Test
    void aStructureThatTwoFitTermsListIsWarnedOfOncePerPairOfTerms() throws IOException {
        Path job = job("d1.xyz,-0.0104,near", "d2.xyz,-0.0080,mid", "d3.xyz,-0.005,far");
        Files.writeString(
                dir.resolve("data/more.csv"), "file,reference_energy,tag\nd3.xyz,-0.005,far3\nd2.xyz,-0.008,mid2\n");
        add(
                job,
                "  - name: more",
                "    kind: atoms",
                "    reference: data/more.csv",
                "    potential: {form: lennard_jones, epsilon: eps, sigma: sigma}");
        Path more = dir.resolve("data/more.csv");
        Path csv = dir.resolve("data/ref.csv");
        assertEquals(
                List.of("warning: " + job + ":11:16: term 'more' lists 2 structures that term 'dimers' lists too, in"
                        + " another reference CSV, so their energies count twice in the fit's loss: "
                        + dir.resolve("data/d3.xyz") + " (" + more
                        + " line 2, tag 'far3'; " + csv + " line 4, tag 'far'), " + dir.resolve("data/d2.xyz") + " ("
                        + more + " line 3, tag 'mid2'; " + csv + " line 3, tag 'mid'); list each structure in one term"
                        + " (a term of weight 0 is only watched and counts nothing; to weigh a structure more, give it a"
                        + " term of its own with a larger weight)"),
                warnings(job));
    }

    @Test
    void aTermOfWeightZeroOrAValidationTermMayListTheFitsStructures() throws IOException {
        Path job = job("d1.xyz,-0.0104,near", "d2.xyz,-0.0080,mid", "d3.xyz,-0.005,far");
        add(
                job,
                "  - name: watched",
                "    kind: atoms",
                "    weight: 0",
                "    reference: data/ref.csv",
                "    potential: {form: lennard_jones, epsilon: eps, sigma: sigma}",
                "validation:",
                "  - name: held",
                "    kind: atoms",
                "    reference: data/ref.csv",
                "    potential: {form: lennard_jones, epsilon: eps, sigma: sigma}");
        // the validation term is warned of as held-out data that is not held out, not as a structure listed twice
        List<String> w = warnings(job);
        assertEquals(1, w.size(), w::toString);
        assertTrue(
                w.get(0).contains(": validation term 'held' reads the same reference file as fit term 'dimers'"),
                w::toString);
    }

    /** Terms that compute different things of a structure (relaxed, another potential) fit different data. */
    @Test
    void twoTermsThatComputeDifferentThingsOfAStructureAreNotWarnedOf() throws IOException {
        Path job = job("d1.xyz,-0.0104,near", "d2.xyz,-0.0080,mid", "d3.xyz,-0.005,far");
        Files.writeString(dir.resolve("data/more.csv"), "file,reference_energy,tag\nd3.xyz,-0.005,far3\n");
        add(
                job,
                "  - name: relaxed",
                "    kind: atoms",
                "    reference: data/more.csv",
                "    relax: true",
                "    potential: {form: lennard_jones, epsilon: eps, sigma: sigma}",
                "  - name: cut",
                "    kind: atoms",
                "    reference: data/more.csv",
                "    potential: {form: lennard_jones, epsilon: eps, sigma: sigma, cutoff: 4.2, shifted: true}");
        assertEquals(List.of(), warnings(job));
    }

    /** The same data under two losses or weights is a way to write one's own loss: left alone. */
    @Test
    void twoTermsOfOneReferenceCsvAreNotWarnedOf() throws IOException {
        Path job = job("d1.xyz,-0.0104,near", "d2.xyz,-0.0080,mid", "d3.xyz,-0.005,far");
        add(
                job,
                "  - name: absolute",
                "    kind: atoms",
                "    weight: 3",
                "    loss: absolute_error",
                "    reference: data/ref.csv",
                "    potential: {form: lennard_jones, epsilon: eps, sigma: sigma}");
        assertEquals(List.of(), warnings(job));
    }

    /** A term that fits forces besides counts the structure's energy as one without forces does. */
    @Test
    void aTermThatFitsForcesBesidesStillCountsTheEnergyTwice() throws IOException {
        Path job = job("d1.xyz,-0.0104,near", "d2.xyz,-0.0080,mid");
        Files.writeString(
                dir.resolve("data/f3.xyz"),
                "2\nProperties=species:S:1:pos:R:3:forces:R:3\nAr 0 0 0 0 0 0.01\nAr 0 0 4.6 0 0 -0.01\n");
        Files.writeString(
                dir.resolve("data/ref.csv"), Files.readString(dir.resolve("data/ref.csv")) + "f3.xyz,-0.005,far\n");
        Files.writeString(dir.resolve("data/forces.csv"), "file,reference_energy,tag\nf3.xyz,-0.005,far-f\n");
        add(
                job,
                "  - name: with-forces",
                "    kind: atoms",
                "    reference: data/forces.csv",
                "    forces: true",
                "    potential: {form: lennard_jones, epsilon: eps, sigma: sigma}");
        List<String> w = warnings(job);
        assertEquals(1, w.size(), w::toString);
        assertTrue(
                w.get(0)
                        .contains(": term 'with-forces' lists a structure that term 'dimers' lists too, in another"
                                + " reference CSV, so its energy counts twice in the fit's loss: "
                                + dir.resolve("data/f3.xyz")),
                w::toString);
    }

    /**
     * A structure is compared with every earlier term that lists it: a third term like the second
     * is warned of against the second, though the first computes another energy of it.
     */
    @Test
    void aStructureIsComparedWithEveryEarlierTermThatListsIt() throws IOException {
        Path job = job("d1.xyz,-0.0104,near", "d2.xyz,-0.0080,mid", "d3.xyz,-0.005,far");
        Files.writeString(dir.resolve("data/b.csv"), "file,reference_energy,tag\nd3.xyz,-0.005,far-b\n");
        Files.writeString(dir.resolve("data/d.csv"), "file,reference_energy,tag\nd3.xyz,-0.005,far-d\n");
        add(
                job,
                "  - name: b",
                "    kind: atoms",
                "    reference: data/b.csv",
                "    relax: true",
                "    potential: {form: lennard_jones, epsilon: eps, sigma: sigma}",
                "  - name: d",
                "    kind: atoms",
                "    reference: data/d.csv",
                "    relax: true",
                "    potential: {form: lennard_jones, epsilon: eps, sigma: sigma}");
        List<String> w = warnings(job);
        assertEquals(1, w.size(), w::toString);
        assertTrue(w.get(0).contains(": term 'd' lists a structure that term 'b' lists too"), w::toString);
    }

    /** Two terms of one CSV that repeats a structure: the repeat is said once, for the first term. */
    @Test
    void aRepeatInACsvThatTwoTermsReadIsSaidOnce() throws IOException {
        Path job = job("d1.xyz,-0.0104,near", "d2.xyz,-0.0080,mid", "d1.xyz,-0.0104,near-again");
        add(
                job,
                "  - name: absolute",
                "    kind: atoms",
                "    loss: absolute_error",
                "    reference: data/ref.csv",
                "    potential: {form: lennard_jones, epsilon: eps, sigma: sigma}");
        List<String> w = warnings(job);
        assertEquals(1, w.size(), w::toString);
        assertTrue(w.get(0).contains(": term 'dimers' lists structure "), w::toString);
    }

    @Test
    void threeStructuresEachListedOnceAreNotWarnedOf() throws IOException {
        assertEquals(List.of(), warnings(job("d1.xyz,-0.0104,near", "d2.xyz,-0.0080,mid", "d3.xyz,-0.005,far")));
    }

    /**
     * 25 rows that list the structure of the first again: the first 20 are said one by one, the
     * other 5 counted in one warning.
     */
    @Test
    void manyRowsListedAgainAreCountedAfterTheFirstTwenty() throws IOException {
        List<String> rows = new java.util.ArrayList<>(List.of("d1.xyz,-0.0104,t0"));
        for (int i = 1; i <= 25; i++) {
            rows.add("d1.xyz,-0.0104,t" + i);
        }
        Path job = job(rows.toArray(String[]::new));
        List<String> w = warnings(job);
        assertEquals(AtomsTermReader.LISTED_TWICE_SHOWN + 1, w.size(), w::toString);
        assertEquals(20, w.stream().filter(l -> l.contains(" lists structure ")).count(), w::toString);
        assertEquals(
                "warning: " + dir.resolve("data/ref.csv") + ": term 'dimers' lists 5 more rows whose structure an"
                        + " earlier row lists too (25 in all; the first 20 are said above)",
                w.get(w.size() - 1));
    }
}

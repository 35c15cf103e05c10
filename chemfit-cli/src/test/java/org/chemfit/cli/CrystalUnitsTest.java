package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crystal term computes lengths in Å, volumes in Å^3, energies in eV and moduli in GPa, and
 * converts nothing: without {@code unit} its quantities show those units in the tables,
 * results.json, predictions.csv and the plots; a declared unit that is another one is refused when
 * the job is read, naming the unit the term computes.
 */
class CrystalUnitsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static final String MGO = TestData.MGO;

    /** @return the periclase job of examples/mgo-buckingham (fixed parameters but A), with these last lines */
    private Path job(String reference, String... more) throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/mgo.xyz"), MGO);
        List<String> lines = new java.util.ArrayList<>(List.of(
                "parameters:",
                "  mgo:",
                "    A: {initial: 1285.0, bounds: [300.0, 3000.0]}",
                "terms:",
                "  - name: periclase",
                "    kind: crystal",
                "    structure: data/mgo.xyz",
                "    formula_units: 4",
                "    potential:",
                "      - {form: coulomb, charges: {Mg: 2.0, O: -2.0}, method: ewald}",
                "      - {form: buckingham, species: [Mg, O], A: mgo.A, rho: 0.3, C: 0.0, cutoff: 12.0}",
                "      - {form: buckingham, species: [O, O], A: 22764.0, rho: 0.149, C: 27.8, cutoff: 12.0}",
                "    reference: " + reference));
        lines.addAll(List.of(more));
        lines.addAll(List.of("optimizer: {method: Nelder-Mead, max_evaluations: 2}", "output: {folder: out}", ""));
        Path job = dir.resolve("job.yaml");
        Files.writeString(job, String.join("\n", lines));
        return job;
    }

    @Test
    void aMisspeltReferenceKeyIsTheOneBlamedAndTheHintNamesTheQuantityTheTermComputes() throws IOException {
        Path job = job(
                "{lattice_const: 4.2112, C11: 297.0}",
                "    unit: {lattice_constant: A}",
                "    loss: {type: squared_error, scale: {lattice_constant: 0.001, C11: 1.0}}");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        // the unit and the loss scale spell lattice_constant rightly: they are not blamed, nor told
        // to take the misspelt name
        assertEquals(
                List.of(
                        job + ":13:17: term 'periclase' reference names 'lattice_const', which a crystal term does"
                                + " not compute (did you mean 'lattice_constant'?); it computes lattice_constant,"
                                + " volume, lattice_energy, bulk_modulus, C11, C12, C44",
                        "1 problem found; the job file format is described in docs/job-file.md"),
                r.err().lines().toList(),
                r::toString);
        // a loss scale naming a quantity without a reference value is told the ones with one
        Files.writeString(
                job,
                Files.readString(job)
                        .replace("lattice_const: 4.2112", "lattice_constant: 4.2112")
                        .replace("scale: {lattice_constant: 0.001", "scale: {C1: 0.001"));
        Cli.Run scale = Cli.run("validate", job.toString());
        assertEquals(
                List.of(
                        job + ":15:41: term 'periclase' loss scale names 'C1', which has no reference value (did you"
                                + " mean 'C11'?); quantities: lattice_constant, C11",
                        "1 problem found; the job file format is described in docs/job-file.md"),
                scale.err().lines().toList(),
                scale::toString);
    }

    @Test
    void aLossScaleBesideAReferenceOfNoKnownQuantitySaysSoRatherThanListingNothing() throws IOException {
        Path job = job(
                "{lattice_constnat: 4.2112}",
                "    loss: {type: squared_error, scale: {lattice_constant: 0.001, C11: 1.0}}");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                List.of(
                        job + ":13:17: term 'periclase' reference names 'lattice_constnat', which a crystal term does"
                                + " not compute (did you mean 'lattice_constant'?); it computes lattice_constant,"
                                + " volume, lattice_energy, bulk_modulus, C11, C12, C44",
                        job + ":14:66: term 'periclase' loss scale names 'C11', which has no reference value; the"
                                + " reference names none of the term's quantities",
                        "2 problems found; the job file format is described in docs/job-file.md"),
                r.err().lines().toList(),
                r::toString);
    }

    @Test
    void withoutUnitEachQuantityShowsTheUnitItIsComputedIn() throws IOException {
        Path job = job(
                "{lattice_constant: 4.2112, volume: 18.67, lattice_energy: -41.0, bulk_modulus: 160.0, C11: 297.0}");
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, eval.code(), eval::toString);
        List<String> rows =
                eval.out().lines().filter(l -> l.startsWith("fit  periclase")).toList();
        assertEquals(5, rows.size(), eval::toString);
        assertTrue(rows.get(0).matches("fit  periclase  lattice_constant  Å +1  .*"), eval::toString);
        assertTrue(rows.get(1).matches("fit  periclase  volume +Å\\^3 +1  .*"), eval::toString);
        assertTrue(rows.get(2).matches("fit  periclase  lattice_energy +eV +1  .*"), eval::toString);
        assertTrue(rows.get(3).matches("fit  periclase  bulk_modulus +GPa +1  .*"), eval::toString);
        assertTrue(rows.get(4).matches("fit  periclase  C11 +GPa +1  .*"), eval::toString);

        Path out = dir.resolve("fitted");
        Cli.Run fit = Cli.run("fit", job.toString(), "-o", out.toString(), "-q");
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        JsonNode term =
                JSON.readTree(out.resolve("results.json").toFile()).get("terms").get(0);
        assertEquals(
                "{\"lattice_constant\":\"Å\",\"volume\":\"Å^3\",\"lattice_energy\":\"eV\",\"bulk_modulus\":\"GPa\","
                        + "\"C11\":\"GPa\"}",
                term.get("units").toString());
        assertEquals("GPa", term.at("/metrics/C11/unit").asText());
        List<String> predictions = Files.readAllLines(out.resolve("predictions.csv"));
        assertTrue(predictions.get(1).startsWith("fit,periclase,0,lattice_constant,4.2112,"), predictions::toString);
        assertTrue(predictions.get(1).endsWith(",Å"), predictions::toString);
        assertTrue(predictions.get(5).endsWith(",GPa"), predictions::toString);
        String parity = Files.readString(out.resolve("plots/parity-lattice_constant.svg"));
        assertTrue(parity.contains("reference lattice_constant (Å)"), parity);
        assertTrue(Files.readString(out.resolve("plots/parity-C11.svg")).contains("reference C11 (GPa)"));
    }

    @Test
    void theUnitsItComputesInMayBeDeclaredAndAreShownAsWritten() throws IOException {
        Path job = job(
                "{lattice_constant: 4.2112, volume: 18.67, C11: 297.0}",
                "    unit: {lattice_constant: A, volume: A^3, C11: GPa}");
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, eval.code(), eval::toString);
        assertTrue(eval.out().contains("fit  periclase  lattice_constant  A  "), eval::toString);
        assertTrue(eval.out().lines().anyMatch(l -> l.matches("fit  periclase  volume +A\\^3 +1  .*")), eval::toString);
    }

    @Test
    void theAngstromSignAndADecomposedAngstromAreTakenForAngstrom() throws IOException {
        for (String a : java.util.List.of("\u212B", "A\u030A")) {
            Path job = job("{lattice_constant: 4.2112}", "    unit: {lattice_constant: \"" + a + "\"}");
            Cli.Run v = Cli.run("validate", job.toString());
            assertEquals(ExitCodes.OK, v.code(), v::toString);
        }
    }

    @Test
    void eVAngstromAndGpaAreTakenInTheCaseAChemistWritesThem() throws IOException {
        Path job = job(
                "{lattice_constant: 4.2112, lattice_energy: -41.0, C11: 297.0}",
                "    unit: {lattice_constant: ANGSTROM, lattice_energy: ev, C11: gpa}");
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, v.code(), v::toString);
        // gpa is GPa wherever the unit is shown or compared
        Cli.Run e = Cli.run("eval", job.toString());
        assertTrue(e.out().lines().anyMatch(l -> l.matches("fit  periclase  C11 +GPa +1  .*")), e::toString);
        // a unit of another size stays refused whatever its case: MeV is not eV
        Files.writeString(job, Files.readString(job).replace("lattice_energy: ev,", "lattice_energy: MeV,"));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains("term 'periclase' unit of 'lattice_energy' is 'MeV', but a crystal term computes"
                                + " lattice_energy in eV and converts nothing"),
                r::toString);
    }

    @Test
    void aDeclaredUnitTheTermDoesNotComputeInIsRefusedEverywhere() throws IOException {
        Path job = job("{lattice_constant: 0.42112, C11: 2.97}", "    unit: {lattice_constant: nm, C11: Mbar}");
        List<String> expected = List.of(
                job + ":14:30: term 'periclase' unit of 'lattice_constant' is 'nm', but a crystal term computes"
                        + " lattice_constant in Å and converts nothing; give the reference in Å and unit Å (or leave"
                        + " it out: Å is the default)",
                job + ":14:39: term 'periclase' unit of 'C11' is 'Mbar', but a crystal term computes C11 in GPa and"
                        + " converts nothing; give the reference in GPa and unit GPa (or leave it out: GPa is the"
                        + " default)",
                "2 problems found; the job file format is described in docs/job-file.md");
        for (String command : List.of("validate", "eval", "fit")) {
            Cli.Run r = Cli.run(command, job.toString());
            assertEquals(ExitCodes.USAGE, r.code(), command + ": " + r);
            assertEquals(expected, r.err().lines().toList(), command + ": " + r);
        }
        Cli.Run one = Cli.run(
                "validate",
                Files.writeString(
                                job,
                                Files.readString(job)
                                        .replace("{lattice_constant: nm, C11: Mbar}", "eV")
                                        .replace(
                                                "{lattice_constant: 0.42112, C11: 2.97}",
                                                "{lattice_energy: -41.0, C11: 297.0}"))
                        .toString());
        assertEquals(ExitCodes.USAGE, one.code(), one::toString);
        assertTrue(
                one.err()
                        .startsWith(
                                job + ":14:11: term 'periclase' unit is 'eV', but a crystal term computes C11 in GPa"
                                        + " and converts nothing; leave unit out"),
                one::toString);
    }
}

package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.LossFunctions;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A journal in a folder whose name holds characters that an SQLite URI gives a meaning ({@code ?},
 * {@code &}, {@code #}, {@code %}) is written in that folder, and nowhere else: a folder beside it
 * named as the part before the {@code ?} (where a plain path would have been cut) gets nothing.
 */
class JournalPathCharactersTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"a?&b", "a?x&b", "a?b&c=d", "#1 ?&", "50%25 ?mode=ro"})
    void aJournalIsWrittenInItsOwnFolder(String name) throws IOException {
        Path beside = Files.createDirectories(dir.resolve("a?b"));
        Path folder = Files.createDirectories(dir.resolve(name));
        QuantityComputer line =
                p -> Quantities.builder().put("y", new double[] {p.get("a")}).build();
        CombinedObjectiveFunction objective = new CombinedObjectiveFunction(
                        List.of(line.withLoss(LossFunctions.sumOfSquares("y", new double[] {1.0}))))
                .withTermNames(List.of("y"));
        Path file = folder.resolve("journal.sqlite");
        FitResult r;
        try (Journal j = Journal.open(file)) {
            r = new Fitter(objective, Map.of("a", 0.5))
                    .maxEvaluations(8)
                    .journal(j)
                    .fit("Nelder-Mead");
        }
        try (Stream<Path> s = Files.list(beside)) {
            assertEquals(List.of(), s.toList(), "nothing beside");
        }
        assertTrue(Files.size(file) > 0, file.toString());
        try (JournalReader read = JournalReader.openReadOnly(file)) {
            assertEquals(
                    r.evaluations(), read.evaluations(read.runs().get(0).id()).size());
        }
    }
}

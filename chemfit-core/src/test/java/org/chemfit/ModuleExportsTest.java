package org.chemfit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The packages that docs/api.md names as the core's API are those its compiled module descriptor
 * exports to everyone, so that code on the module path can use what the docs show (the journal's
 * reading side, {@code JournalReader}, among them).
 */
class ModuleExportsTest {

    @Test
    void theApiDocNamesThePackagesTheModuleExportsToEveryone() throws Exception {
        Path classes = Path.of(CombinedObjectiveFunction.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        ModuleDescriptor d =
                ModuleFinder.of(classes).find("org.chemfit").orElseThrow().descriptor();
        Set<String> everyone = new TreeSet<>();
        d.exports().stream().filter(e -> !e.isQualified()).forEach(e -> everyone.add(e.source()));

        Path api = Path.of("").toAbsolutePath().getParent().resolve("docs/api.md");
        String row = Files.readAllLines(api).stream()
                .filter(l -> l.startsWith("| `org.chemfit` (chemfit-core) |"))
                .findFirst()
                .orElseThrow();
        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("`([a-z.]+)`").matcher(row.split("\\|")[2]);
        while (m.find()) {
            documented.add(m.group(1));
        }
        assertEquals(documented, everyone);
        assertTrue(everyone.contains("org.chemfit.journal.read"), everyone::toString);
    }
}

package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job's digest: the same bytes as before it was the cluster's fingerprint, and a reason in words. */
class JobDigestTest {

    @TempDir
    Path folder;

    @Test
    void theDigestHashesEachFilesRelativePathAZeroByteAndItsBytes() throws Exception {
        Path job = Files.writeString(folder.resolve("fit.yaml"), "name: x\n");
        Files.createDirectories(folder.resolve("data"));
        Path data = Files.writeString(folder.resolve("data/e.csv"), "r,e\n1,2\n");
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update("fit.yaml\0name: x\n".getBytes(StandardCharsets.UTF_8));
        md.update("data/e.csv\0r,e\n1,2\n".getBytes(StandardCharsets.UTF_8));
        String expected = HexFormat.of().formatHex(md.digest());
        JobDigest d = new JobDigest(folder, List.of(job, data));
        assertEquals("(not computed yet)", d.toString());
        assertEquals(expected, d.value());
        assertEquals(expected, d.toString());
    }

    @Test
    void aFileGoneSinceTheJobWasReadIsNamedWithTheReasonInWords() throws Exception {
        Path job = Files.writeString(folder.resolve("fit.yaml"), "name: x\n");
        Path gone = folder.resolve("e.csv");
        JobDigest d = new JobDigest(folder, List.of(job, gone));
        BaseCommand.UserException e = assertThrows(BaseCommand.UserException.class, d::value);
        assertEquals("cannot read " + gone + " for the job's fingerprint: no such file or folder", e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
    }
}

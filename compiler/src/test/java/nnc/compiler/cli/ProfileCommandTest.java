package nnc.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nnc profile}: one row per kernel of the entry (with its IR node), a total, and clear errors. */
class ProfileCommandTest {
  @TempDir
  Path dir;

  @Test
  void listsEveryKernelOfTheEntryWithItsNode() throws Exception {
    Path model = dir.resolve("tiny.nn");
    Files.writeString(model, CliTest.MLP);
    CliTest.Result r = CliTest.nnc("profile", model.toString(), "--batch", "4", "--calls", "5", "--warmup", "0", "--top", "0");
    assertEquals(0, r.status(), r.err());
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.get(0).startsWith("profile ") && lines.get(0).contains(" train: batch 4, 1 thread,") && lines.get(0).contains("CPU time"),
        lines.get(0));
    int kernels = Integer.parseInt(lines.get(0).replaceAll(".* (\\d+) kernels.*", "$1"));
    long rows = lines.stream().filter(l -> l.matches("\\s+[0-9.]+\\s+[0-9.]+%\\s+\\d+\\s+\\d+\\s+\\S+\\s+.*")).count();
    assertEquals(kernels, rows, r.out());
    assertTrue(r.out().contains("matmul") && r.out().contains("by kind:"), r.out());
  }

  @Test
  void anUnknownEntryIsAOneLineError() throws Exception {
    Path model = dir.resolve("tiny.nn");
    Files.writeString(model, CliTest.MLP);
    CliTest.Result r = CliTest.nnc("profile", model.toString(), "--entry", "nope", "--calls", "1", "--warmup", "0");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("has no entry point 'nope'"), r.err());
    CliTest.assertNoStackTrace(r);
  }
}

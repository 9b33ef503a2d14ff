package nnc.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import nnc.runtime.NnModel;
import nnc.runtime.NonFiniteException;
import nnc.runtime.Tensor;
import nnc.runtime.model.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The NaN/Inf guard: switched on at run time, it names the first kernel's node and .nn line. */
class NanGuardTest {
  @TempDir
  Path dir;

  private record Run(int status, String out, String err) {}

  private static Run nnc(String... args) {
    StringWriter out = new StringWriter(), err = new StringWriter();
    int status = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(status, out.toString(), err.toString());
  }

  /** log of a negative input: NaN first appears in the kernel computing line 4. */
  private Path logJar() throws Exception {
    Path f = dir.resolve("lg.nn");
    Files.writeString(f, """
        model Lg
        input x : f32[B, 3]
        h = x * 2
        output y = log(h) + 1
        """);
    Path jar = dir.resolve("lg.jar");
    Run r = nnc("compile", f.toString(), "-o", jar.toString());
    assertEquals(0, r.status(), r.err());
    return jar;
  }

  private static Map<String, Tensor> x(float... v) {
    return Map.of("x", Tensor.of(v, v.length / 3, 3));
  }

  @Test
  void manifestCarriesTheKernelTable() throws Exception {
    try (NnModel m = NnModel.load(logJar())) {
      Manifest.Entry e = m.manifest().entry("infer");
      assertEquals(e.kernels(), e.kernelTable().size());
      Manifest.KernelInfo k = e.kernelTable().get(0);
      assertTrue(k.describe().contains("lg.nn:4"), k.describe());
      assertFalse(k.writes().isEmpty());
      assertEquals(m.manifest(), Manifest.parse(m.manifest().toJson()));
    }
  }

  @Test
  void guardNamesTheNodeAndLineOffReturnsNaNSilently() throws Exception {
    try (NnModel m = NnModel.load(logJar())) {
      float[] off = m.infer(x(1, 2, 3, 1, -1, 3)).get("y").floats();
      assertTrue(Float.isNaN(off[4]));
      m.setNanGuard(true);
      NonFiniteException e = assertThrows(NonFiniteException.class, () -> m.infer(x(1, 2, 3, 1, -1, 3)));
      assertTrue(e.getMessage().startsWith("non-finite value (NaN) at element 4 of %"), e.getMessage());
      assertTrue(e.getMessage().contains("lg.nn:4"), e.getMessage());
      assertTrue(e.getMessage().contains("log"), e.getMessage());
      assertFalse(e.getMessage().contains("\n"));
      assertEquals(m.manifest().entry("infer").kernelTable().get(0).name(), e.kernel());
      assertTrue(e.describe().contains("lg.nn:4"));
      assertEquals("NaN", e.value());
      assertEquals(4, e.element());
      // switched off again: silent, same model, no recompilation
      m.setNanGuard(false);
      assertTrue(Float.isNaN(m.infer(x(1, 2, 3, 1, -1, 3)).get("y").floats()[4]));
    }
  }

  @Test
  void guardedResultsEqualUnguardedOnNormalInputs() throws Exception {
    try (NnModel m = NnModel.load(logJar())) {
      Map<String, Tensor> in = x(1, 2, 3, 0.5f, 7, 9, 4, 4, 4);
      float[] off = m.infer(in).get("y").floats();
      m.setNanGuard(true);
      float[] on = m.infer(in).get("y").floats();
      assertArrayEquals(off, on);
    }
  }

  @Test
  void nonFiniteInputIsNamedAsSuch() throws Exception {
    try (NnModel m = NnModel.load(logJar())) {
      m.setNanGuard(true);
      NonFiniteException e = assertThrows(NonFiniteException.class, () -> m.infer(x(1, Float.POSITIVE_INFINITY, 3)));
      assertEquals("non-finite value (Infinity) at element 1 of input x", e.getMessage());
      assertNull(e.kernel());
    }
  }

  @Test
  void runFlagPrintsOneLine() throws Exception {
    Path jar = logJar();
    Path csv = dir.resolve("x.csv");
    Files.writeString(csv, "1,2,3\n1,-1,3\n");
    Run off = nnc("run", jar.toString(), "--in", "x=" + csv);
    assertEquals(0, off.status(), off.err());
    assertTrue(off.out().contains("NaN"), off.out());
    Run on = nnc("run", jar.toString(), "--in", "x=" + csv, "--nan-guard");
    assertEquals(1, on.status(), on.err());
    assertTrue(on.err().startsWith("nnc: non-finite value (NaN) at element 4 of %"), on.err());
    assertTrue(on.err().contains("lg.nn:4"), on.err());
    assertEquals(1, on.err().strip().lines().count(), on.err());
  }

  @Test
  void trainFlagStopsABlownUpStepWithOneLine() throws Exception {
    Path f = dir.resolve("blow.nn");
    Files.writeString(f, """
        model Blow
        input x : f32[B, 2]
        input y : f32[B, 1]
        param W : f32[2, 1] = xavier_normal
        param b : f32[1]
        logits = x @ W + b
        loss = mean((logits - y) ^ 2)
        train minimize loss with sgd(lr = 1e30) batch 2 epochs 3
        data train {
          x = [[0, 0], [0, 1], [1, 0], [1, 1]]
          y = [[0], [0], [0], [1]]
        }
        """);
    Run off = nnc("train", f.toString());
    assertEquals(0, off.status(), off.err());
    Run on = nnc("train", f.toString(), "--nan-guard");
    assertEquals(1, on.status(), on.out() + on.err());
    assertTrue(on.err().startsWith("nnc: non-finite value (Infinity) at element 0 of %"), on.err());
    assertTrue(on.err().contains("blow.nn:7"), on.err());
    assertEquals(1, on.err().strip().lines().count(), on.err());
  }

  @Test
  void trainStepGuardNamesParameterUpdates() throws Exception {
    // the update kernels list the parameter slots they write
    Path f = dir.resolve("sq.nn");
    Files.writeString(f, """
        model Sq
        param x : f32[4] = normal(0, 1)
        output y = x ^ 2
        loss = sum(y)
        train minimize loss with sgd(lr = 0.1)
        """);
    Path jar = dir.resolve("sq.jar");
    assertEquals(0, nnc("compile", f.toString(), "-o", jar.toString()).status());
    try (NnModel m = NnModel.load(jar)) {
      Manifest.Entry train = m.manifest().entry("train");
      assertNotNull(train);
      assertTrue(train.kernelTable().stream().anyMatch(k -> k.pSlots().contains("x")), train.kernelTable().toString());
      assertTrue(train.kernelTable().stream().noneMatch(Manifest.KernelInfo::pAll), train.kernelTable().toString());
      float before = m.trainStep(Map.of());
      m.setNanGuard(true);
      float guarded = m.trainStep(Map.of());
      assertTrue(guarded < before);
      m.setLearningRate(Float.POSITIVE_INFINITY);
      NonFiniteException e = assertThrows(NonFiniteException.class, () -> m.trainStep(Map.of()));
      assertTrue(e.getMessage().contains("update x") || e.getMessage().contains("x +="), e.getMessage());
    }
  }
}

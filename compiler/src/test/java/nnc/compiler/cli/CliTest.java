package nnc.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import nnc.runtime.DType;
import nnc.runtime.Tensor;
import nnc.runtime.io.Npy;
import nnc.runtime.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line contract: exit codes, outputs, and one-line errors for user mistakes. */
class CliTest {
  @TempDir
  Path dir;

  record Result(int status, String out, String err) {}

  static Result nnc(String... args) {
    StringWriter out = new StringWriter(), err = new StringWriter();
    int status = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(status, out.toString(), err.toString());
  }

  Path model(String code) throws Exception {
    Path p = dir.resolve("m.nn");
    Files.writeString(p, code);
    return p;
  }

  static final String MLP = """
      model Tiny
      input x : f32[B, 3]
      input y : i32[B]
      param W : f32[3, 2] = normal(0, 0.5)
      param b : f32[2] = zeros
      logits = x @ W + b
      output probs = softmax(logits)
      loss = cross_entropy(logits, y)
      train minimize loss with sgd(lr = 0.1)
      """;

  static void assertNoStackTrace(Result r) {
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    assertFalse(r.out().contains("Exception"), r.out());
  }

  @Test
  void checkSucceedsOnAGoodModel() throws Exception {
    Result r = nnc("check", model(MLP).toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("ok (2 inputs, 2 parameters, 1 output, train objective)"), r.out());
  }

  @Test
  void checkReportsLocatedErrorsWithExitOne() throws Exception {
    Path p = model("input x : f32[B, 3]\nparam W : f32[4, 2] = zeros\noutput y = x @ W\n");
    Result r = nnc("check", p.toString());
    assertEquals(1, r.status());
    assertEquals(p + ":3:12: error: matmul: f32[B,3] @ f32[4,2]: inner dimensions 3 and 4 differ\n"
        + "  output y = x @ W\n"
        + "             ^~~~~\n"
        + "1 error\n", r.err());
    assertNoStackTrace(r);
  }

  @Test
  void missingFileIsOneLine() {
    Result r = nnc("check", dir.resolve("nope.nn").toString());
    assertEquals(1, r.status());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("no such file"), r.err());
  }

  @Test
  void graphPrintsTextDotAndJson() throws Exception {
    String p = model(MLP).toString();
    Result text = nnc("graph", p);
    assertEquals(0, text.status(), text.err());
    assertTrue(text.out().startsWith("graph Tiny\n  %0 : f32[B,3] = input x"), text.out());
    assertTrue(text.out().contains("= matmul %0 %2"), text.out());
    Result dot = nnc("graph", p, "--format", "dot");
    assertTrue(dot.out().startsWith("digraph \"Tiny\" {"), dot.out());
    Result json = nnc("graph", p, "--grad", "--format", "json");
    assertTrue(json.out().contains("\"rule\": \"matmul\""), json.out());
    assertTrue(json.out().contains("\"grad.W\":"), json.out());
  }

  @Test
  void gradGraphShowsProvenanceAndHonoursWrt() throws Exception {
    String p = model(MLP).toString();
    Result r = nnc("graph", p, "--grad", "--wrt", "W");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("# from m.nn:6 matmul"), r.out());
    assertTrue(r.out().contains("output grad.W = "), r.out());
    assertFalse(r.out().contains("grad.b"), r.out());
    Result bad = nnc("graph", p, "--grad", "--wrt", "Q");
    assertEquals(1, bad.status());
    assertTrue(bad.err().startsWith("nnc: --wrt Q: the model has no value named 'Q'"), bad.err());
  }

  @Test
  void runWritesEveryOutputAsNpyAndUsesSafetensorsParams() throws Exception {
    String p = model(MLP).toString();
    Path x = dir.resolve("x.npy"), y = dir.resolve("y.npy"), params = dir.resolve("p.safetensors");
    Npy.write(x, Tensor.of(new float[] {1, 0, 0, 0, 1, 0}, 2, 3));
    Npy.write(y, Tensor.of(new int[] {0, 1}, 2));
    SafeTensors.write(params, Map.of("W", Tensor.of(new float[] {1, 0, 0, 1, 0, 0}, 3, 2), "b", Tensor.of(new float[] {0, 0}, 2)));
    Path out = dir.resolve("out");
    Result r = nnc("run", p, "--in", "x=" + x, "--in", "y=" + y, "--params", params.toString(), "--out", out.toString());
    assertEquals(0, r.status(), r.err());
    Tensor probs = Npy.read(out.resolve("probs.npy"));
    assertEquals(DType.F32, probs.dtype());
    assertArrayEquals(new int[] {2, 2}, probs.shape());
    double e = Math.E;
    assertEquals(e / (e + 1), probs.getDouble(0), 1e-6);
    Tensor loss = Npy.read(out.resolve("loss.npy"));
    assertEquals(-Math.log(e / (e + 1)), loss.getDouble(0), 1e-6);
  }

  @Test
  void runSkipsOutputsWhoseInputsAreMissing() throws Exception {
    String p = model(MLP).toString();
    Path x = dir.resolve("x.npy");
    Npy.write(x, Tensor.of(new float[] {1, 2, 3}, 1, 3));
    Result r = nnc("run", p, "--in", "x=" + x);
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("probs = f32[1,2]"), r.out());
    assertTrue(r.err().contains("skipped loss (needs y)"), r.err());
  }

  @Test
  void runRejectsBadInputsInOneLine() throws Exception {
    String p = model(MLP).toString();
    Path bad = dir.resolve("bad.npy");
    Files.write(bad, new byte[] {1, 2, 3});
    for (String[] args : new String[][] {
        {"run", p, "--in", "x=" + bad},
        {"run", p, "--in", "z=" + bad},
        {"run", p, "--in", "x=" + dir.resolve("missing.npy")},
        {"run", p, "--params", bad.toString()},
    }) {
      Result r = nnc(args);
      assertEquals(1, r.status(), String.join(" ", args) + "\n" + r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      assertNoStackTrace(r);
    }
    Path wrongShape = dir.resolve("w.npy");
    Npy.write(wrongShape, Tensor.of(new float[] {1, 2}, 1, 2));
    Result r = nnc("run", p, "--in", "x=" + wrongShape);
    assertEquals("nnc: input x: expected shape [B,3], got [1,2]\n", r.err());
  }

  @Test
  void gradcheckPassesAndPrintsATable() throws Exception {
    Result r = nnc("gradcheck", model(MLP).toString(), "--order", "2");
    assertEquals(0, r.status(), r.out() + r.err());
    assertTrue(r.out().contains("all 6 checks passed"), r.out());
  }

  @Test
  void unknownOptionsAreUsageErrors() throws Exception {
    Result r = nnc("graph", model(MLP).toString(), "--format", "png");
    assertEquals(2, r.status());
    assertNoStackTrace(r);
  }
}

package nnc.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nnc graph --optimized} and {@code --dump-after PASS}, with --grad and every format. */
class GraphOptimizedTest {
  @TempDir
  Path dir;

  record Result(int status, String out, String err) {}

  static Result nnc(String... args) {
    StringWriter out = new StringWriter(), err = new StringWriter();
    int status = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(status, out.toString(), err.toString());
  }

  String square() throws Exception {
    Path p = dir.resolve("square.nn");
    Files.writeString(p, """
        model Square
        param x : f32[4] = normal(0, 1)
        loss = sum(x ^ 2)
        train minimize loss with sgd
        """);
    return p.toString();
  }

  @Test
  void optimizedGradientOfXSquaredIsOneMultiply() throws Exception {
    Result r = nnc("graph", square(), "--grad", "--optimized");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("%3 : f32[4] = mul %0 2"), r.out());
    assertFalse(r.out().contains("= pow"), r.out());
    assertTrue(r.out().contains("output grad.x = %3"), r.out());
  }

  @Test
  void optimizedForwardGraphKeepsItsTrainClause() throws Exception {
    Result r = nnc("graph", square(), "--optimized");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("= mul %0 %0") && r.out().contains("train minimize %2 with sgd"), r.out());
  }

  @Test
  void dumpAfterPrintsTheGraphAfterThatPass() throws Exception {
    Result r = nnc("graph", square(), "--grad", "--dump-after", "fold");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("pow %0 1"), r.out());
    Result s = nnc("graph", square(), "--grad", "--optimized", "--dump-after", "simplify");
    assertTrue(s.out().contains("mul %0 2"), s.out());
  }

  @Test
  void anUnknownPassIsAOneLineErrorListingThePasses() throws Exception {
    Result r = nnc("graph", square(), "--dump-after", "fusion");
    assertEquals(1, r.status());
    assertEquals("nnc: --dump-after fusion: no such pass (passes: fold, stabilize, simplify, cse, dce)\n",
        r.err().replace("\r\n", "\n"));
    assertEquals("", r.out());
  }

  @Test
  void everyFormatPrintsTheOptimizedGraph() throws Exception {
    Result dot = nnc("graph", square(), "--grad", "--optimized", "--format", "dot");
    assertEquals(0, dot.status(), dot.err());
    assertTrue(dot.out().startsWith("digraph") && !dot.out().contains(" pow\\n"), dot.out());
    Result json = nnc("graph", square(), "--grad", "--optimized", "--format", "json");
    assertEquals(0, json.status(), json.err());
    assertTrue(json.out().contains("\"op\": \"mul\"") && !json.out().contains("\"op\": \"pow\""), json.out());
  }
}
